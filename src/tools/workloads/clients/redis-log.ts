/**
 * @module tools/workloads/clients/redis-log — reading redis-writer's log: its summary, the writes
 * Redis acknowledged (the ones that must survive a move), and the comparison of those with
 * what Redis holds afterwards (lost and changed writes).
 *
 * Events: `start`, `connect` {endpoints}, `connect-error` {code}, `ack` {n}, `slow` {n, op, ms},
 * `error` {n, op, code, reply}, `mismatch` {n, got}, `reset` {n, code}, `summary`, `verify`.
 */
import { readJsonLines, summaryLine, type LogLine } from './json-log.ts';

/** redis-writer's summary line. */
export interface RedisSummary {
  /** SET and GET requests answered. */
  requests: number;
  /** SETs Redis answered +OK. */
  acked: number;
  /** The last n written (acknowledged or not). */
  lastN: number;
  /** GETs that did not return the value just written. */
  mismatches: number;
  /** Error replies and unexpected replies. */
  errors: number;
  /** Connections lost (RST, FIN, EPIPE, timeout), each followed by a reconnect. */
  resets: number;
  /** Resets by how the connection ended. */
  resetCodes: Record<string, number>;
  /** Connections opened (the first one included). */
  connects: number;
  /** Failed connection attempts. */
  connectErrors: number;
  /** Requests that waited `slowMs` or longer. */
  slow: number;
  /** The longest any request waited for its answer (ms), a request still waiting at the end included. */
  gapMs: number;
  /** When that wait began (ms since the epoch). */
  gapAt: number;
  /** How long the request outstanding at the end had waited (0 if none). */
  pendingMs: number;
  /** How long the client ran (ms). */
  durationMs: number;
}

/** The summary of a redis-writer log (the last one, if the log holds several runs). */
export function parseRedisLog(text: string): RedisSummary {
  const s = summaryLine(readJsonLines(text), 'redis-writer');
  const n = (k: keyof RedisSummary): number => (typeof s[k] === 'number' ? s[k] : 0);
  const codes = typeof s['resetCodes'] === 'object' && s['resetCodes'] !== null ? s['resetCodes'] as Record<string, number> : {};
  return {
    requests: n('requests'), acked: n('acked'), lastN: n('lastN'), mismatches: n('mismatches'), errors: n('errors'),
    resets: n('resets'), resetCodes: { ...codes }, connects: n('connects'), connectErrors: n('connectErrors'), slow: n('slow'),
    gapMs: n('gapMs'), gapAt: n('gapAt'), pendingMs: n('pendingMs'), durationMs: n('durationMs'),
  };
}

/** The writes Redis acknowledged, from a redis-writer log: the key prefix of the last run, and the acknowledged n in order. */
export function ackedWrites(text: string): { prefix: string; acked: number[] } {
  const lines = readJsonLines(text);
  const lastStart = lines.findLastIndex((l) => l.ev === 'start');
  const run = lastStart < 0 ? lines : lines.slice(lastStart);
  const prefix = typeof run[0]?.['prefix'] === 'string' ? run[0]['prefix'] : 'k';
  return { prefix, acked: run.filter((l): l is LogLine & { n: number } => l.ev === 'ack' && typeof l['n'] === 'number').map((l) => l.n) };
}

/** The key and value redis-writer writes for n. */
export function keyValue(prefix: string, n: number): { key: string; value: string } {
  return { key: `${prefix}${n}`, value: `v${n}` };
}

/** The outcome of reading back acknowledged writes. */
export interface VerifyReport {
  checked: number;
  /** Acknowledged writes Redis no longer has. */
  missing: number;
  /** Acknowledged writes whose value changed. */
  mismatched: number;
  /** The first (up to 20) missing n. */
  missingN: number[];
  /** The first (up to 20) mismatched n. */
  mismatchedN: number[];
}

/** Compares what GET returned (`got[i]` for `acked[i]`) with what was written. */
export function verifyReport(acked: readonly number[], got: readonly (string | null)[]): VerifyReport {
  const missingN: number[] = [];
  const mismatchedN: number[] = [];
  acked.forEach((n, i) => {
    const v = got[i] ?? null;
    if (v === null) missingN.push(n);
    else if (v !== keyValue('', n).value) mismatchedN.push(n);
  });
  return { checked: acked.length, missing: missingN.length, mismatched: mismatchedN.length, missingN: missingN.slice(0, 20), mismatchedN: mismatchedN.slice(0, 20) };
}
