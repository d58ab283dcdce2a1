/**
 * @module tools/workloads/load-log — reads the load workload's log (workloads/load.c): one line
 * "t=SECONDS want=MILLIS got=MILLIS" per second of the workload's own elapsed time, which
 * carries on across a migration. A stall (freeze, migration) shows as one line whose `t`
 * jumps by the stall's length; that line's `got` is averaged over the whole stall.
 *
 * @example
 *   const lines = parseLoadLog(await readFile(path.join(upper, 'data/load.log'), 'utf8'));
 *   const missed = slaShortfallSeconds(lines); // seconds that got under 90 % of the demand
 */
import type { Beat } from './heartbeat.ts';

/** One line of /data/load.log. */
export interface LoadLine {
  /** Elapsed seconds since the container's first start (survives checkpoint/restore). */
  t: number;
  /** CPU demand during the second that ended, in millicores. */
  want: number;
  /** CPU the process received since the previous line, per second, in millicores. */
  got: number;
}

const LINE = /^t=(\d+) want=(\d+) got=(\d+)$/;

/** Parses /data/load.log; lines of another shape (one still being written, say) are left out. */
export function parseLoadLog(text: string): LoadLine[] {
  const lines: LoadLine[] = [];
  for (const raw of text.split('\n')) {
    const m = LINE.exec(raw.trim());
    if (m) lines.push({ t: Number(m[1]), want: Number(m[2]), got: Number(m[3]) });
  }
  return lines;
}

/**
 * Seconds in which the workload got less than `tolerance` × its demand. A line stands for the
 * seconds since the previous one (one, or the whole stall it follows; the first line one),
 * so a migration's frozen time counts in full. A demand of 0 is never short.
 */
export function slaShortfallSeconds(lines: readonly LoadLine[], tolerance = 0.9): number {
  let seconds = 0;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as LoadLine;
    const span = i === 0 ? 1 : Math.max(1, line.t - (lines[i - 1] as LoadLine).t);
    if (line.want > 0 && line.got < tolerance * line.want) seconds += span;
  }
  return seconds;
}

/** Mean CPU received over lines, in millicores (each line weighed by the seconds it stands for). */
export function meanGot(lines: readonly LoadLine[]): number {
  let sum = 0;
  let seconds = 0;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as LoadLine;
    const span = i === 0 ? 1 : Math.max(1, line.t - (lines[i - 1] as LoadLine).t);
    sum += line.got * span;
    seconds += span;
  }
  return seconds > 0 ? sum / seconds : 0;
}

/**
 * The log as heartbeats (for the catalog): `n` counts lines and starts again at 1 when `t`
 * goes back (the program restarted instead of being restored), so `continuity` reports it;
 * `atMs` is the elapsed time, not wall-clock time.
 */
export function parseLoadBeats(text: string): Beat[] {
  const beats: Beat[] = [];
  let n = 0;
  let last = -1;
  for (const line of parseLoadLog(text)) {
    n = line.t <= last ? 1 : n + 1;
    last = line.t;
    beats.push({ n, atMs: line.t * 1000 });
  }
  return beats;
}
