/**
 * @module tools/workloads/clients/stats — what the clients measure, without I/O: latency
 * percentiles, the longest wait (or silence) with when it began, and the longest run of
 * misses in a row.
 */

/** The nearest-rank percentile `p` (0-100) of ascending `sorted` values; 0 for none. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] ?? 0;
}

/** p50, p99 and max of latencies in ms, to 0.1 ms. */
export function latencySummary(latenciesMs: readonly number[]): { p50Ms: number; p99Ms: number; maxMs: number } {
  const sorted = [...latenciesMs].sort((a, b) => a - b);
  return { p50Ms: round1(percentile(sorted, 50)), p99Ms: round1(percentile(sorted, 99)), maxMs: round1(sorted.at(-1) ?? 0) };
}

/** Rounds to 0.1. */
export function round1(x: number): number {
  return Math.round(x * 10) / 10;
}

/** The longest of a series of waits, and the wall-clock time (ms) it began. */
export class LongestWait {
  /** The longest wait so far, ms. */
  ms = 0;
  /** When it began (wall clock, ms since the epoch); 0 before any. */
  at = 0;

  /** Records a wait of `ms` that began at wall-clock `at`. */
  record(ms: number, at: number): void {
    if (ms > this.ms) { this.ms = ms; this.at = at; }
  }
}

/** The longest silence between events: each {@link mark} closes the interval since the previous one. */
export class LongestSilence {
  private readonly longest = new LongestWait();
  private lastMono: number | undefined;
  private lastWall = 0;

  /** An event at monotonic time `mono` (ms) and wall-clock time `wall` (ms). */
  mark(mono: number, wall: number): void {
    if (this.lastMono !== undefined) this.longest.record(mono - this.lastMono, this.lastWall);
    this.lastMono = mono;
    this.lastWall = wall;
  }

  /** The longest silence (ms, to 0.1) and when it began, counting the one still open at `mono` if given. */
  result(mono?: number): { gapMs: number; gapAt: number } {
    const w = new LongestWait();
    w.record(this.longest.ms, this.longest.at);
    if (mono !== undefined && this.lastMono !== undefined) w.record(mono - this.lastMono, this.lastWall);
    return { gapMs: round1(w.ms), gapAt: w.at };
  }
}

/** The longest run of `true` in a row. */
export function longestRun(flags: readonly boolean[]): number {
  let best = 0;
  let run = 0;
  for (const f of flags) {
    run = f ? run + 1 : 0;
    best = Math.max(best, run);
  }
  return best;
}
