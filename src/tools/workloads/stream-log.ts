/**
 * @module tools/workloads/stream-log — reads the stream workload's two logs (workloads/stream.c):
 * heartbeat lines "N REALTIME_MS CHECKSUM" and, one per SIGUSR1, verify lines
 * "verify N CHECKSUM RECOMPUTED ok|MISMATCH". Lines of another shape (a line still being
 * written, say) are left out, so a gap they leave shows as a skip in `continuity`.
 */
import type { Beat } from './heartbeat.ts';

/** One heartbeat of the stream workload: a beat plus the memory checksum at that moment. */
export interface StreamBeat extends Beat {
  /** The incremental checksum of all pages, 16 hex digits. */
  checksum: string;
}

/** One answer to SIGUSR1: the kept checksum against one recomputed from memory. */
export interface StreamVerify {
  /** The number of the next heartbeat when the check ran. */
  n: number;
  checksum: string;
  recomputed: string;
  /** True when the workload said "ok" (and the two checksums agree). */
  ok: boolean;
}

const BEAT_LINE = /^(\d+) (\d+) ([0-9a-f]{16})$/;
const VERIFY_LINE = /^verify (\d+) ([0-9a-f]{16}) ([0-9a-f]{16}) (ok|MISMATCH)$/;

/** Parses /data/heartbeat.log of the stream workload. */
export function parseStreamBeats(text: string): StreamBeat[] {
  const beats: StreamBeat[] = [];
  for (const line of text.split('\n')) {
    const m = BEAT_LINE.exec(line.trim());
    if (m) beats.push({ n: Number(m[1]), atMs: Number(m[2]), checksum: m[3] as string });
  }
  return beats;
}

/** Parses /data/verify.log of the stream workload. */
export function parseStreamVerifies(text: string): StreamVerify[] {
  const checks: StreamVerify[] = [];
  for (const line of text.split('\n')) {
    const m = VERIFY_LINE.exec(line.trim());
    if (!m) continue;
    const [, n, checksum, recomputed, verdict] = m as unknown as [string, string, string, string, string];
    checks.push({ n: Number(n), checksum, recomputed, ok: verdict === 'ok' && checksum === recomputed });
  }
  return checks;
}
