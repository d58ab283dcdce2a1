/**
 * @module tools/workloads/heartbeat — reads the heartbeat logs the workloads write ("N REALTIME_MS"
 * per line, one line per beat): parsing, continuity across a migration, and the beat rate.
 */

/** One line of a heartbeat log. */
export interface Beat {
  n: number;
  /** Wall-clock time of the beat, in ms since the epoch. */
  atMs: number;
}

/** Parses a heartbeat log ("N REALTIME_MS ..." per line; further fields are ignored). */
export function parseBeats(text: string): Beat[] {
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => {
      const [n, at] = l.trim().split(/\s+/);
      return { n: Number(n), atMs: Number(at) };
    });
}

/** Continuity of a heartbeat log: no reset, no repeat, no skip; and the longest silence. */
export function continuity(beats: Beat[]): { continuous: boolean; first: number; last: number; longestGapMs: number; problem?: string } {
  let longest = 0;
  for (let i = 1; i < beats.length; i++) {
    const prev = beats[i - 1] as Beat;
    const cur = beats[i] as Beat;
    if (cur.n !== prev.n + 1) return { continuous: false, first: beats[0]?.n ?? 0, last: cur.n, longestGapMs: longest, problem: `line ${i + 1}: ${cur.n} follows ${prev.n}` };
    longest = Math.max(longest, cur.atMs - prev.atMs);
  }
  const first = beats[0]?.n ?? 0;
  if (first !== 1) return { continuous: false, first, last: beats.at(-1)?.n ?? 0, longestGapMs: longest, problem: `the log starts at ${first}, not 1` };
  return { continuous: beats.length > 0, first, last: beats.at(-1)?.n ?? 0, longestGapMs: longest };
}

/** Beats per second between the first and the last beat (0 with fewer than two beats). */
export function beatRate(beats: readonly Beat[]): number {
  const first = beats[0];
  const last = beats.at(-1);
  if (!first || !last || last.atMs <= first.atMs) return 0;
  return ((last.n - first.n) * 1000) / (last.atMs - first.atMs);
}

/**
 * The workload's pace while its memory was filled after a lazy restore, as a fraction of its
 * pace before the migration: beats per second in the `windowMs` after the longest silence
 * (the resume) over beats per second in the first `baselineMs` of the log. Undefined when
 * either span holds fewer than two beats.
 */
export function lazyWindowPace(beats: readonly Beat[], windowMs: number, baselineMs = 5000): number | undefined {
  let resume = -1;
  let longest = 0;
  for (let i = 1; i < beats.length; i++) {
    const gap = (beats[i] as Beat).atMs - (beats[i - 1] as Beat).atMs;
    if (gap > longest) [longest, resume] = [gap, i];
  }
  if (resume < 0 || !beats[0]) return undefined;
  const from = (beats[resume] as Beat).atMs;
  const start = beats[0].atMs;
  const during = beats.filter((b) => b.atMs >= from && b.atMs <= from + windowMs);
  const before = beats.filter((b) => b.atMs <= start + baselineMs);
  const rateBefore = beatRate(before);
  // A window shorter than a beat: the pace over the next beat.
  const rateDuring = during.length >= 2 ? beatRate(during) : beatRate(beats.slice(resume, resume + 2));
  return rateBefore > 0 && rateDuring > 0 ? rateDuring / rateBefore : undefined;
}
