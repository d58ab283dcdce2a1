/**
 * @module domain/migration/eta — how long the first copy of a migration has left, pure: the bytes
 * the source expected at preflight (memory, writable layer, volumes), the bytes read so far,
 * and the pace, a moving average of the read rate between progress events. Pre-copy rounds
 * after the first resend changed pages, so the ETA covers the first copy only; past it, there
 * is none (the stop rule decides the rest).
 */

/** The read rate, smoothed. */
export interface Pace {
  /** When, and how many bytes had been read, at the last sample that moved the average. */
  at: number;
  bytes: number;
  /** Bytes per second, smoothed. */
  bps: number;
  /** When the first sample came. */
  since: number;
}

/** Samples closer than this are folded into the next one (ms). */
const MIN_STEP_MS = 250;
/** Weight of the newest sample in the moving average. */
const SMOOTHING = 0.3;
/** No ETA before the pace has this much history (ms): the first samples are the slow start of a copy. */
const SETTLE_MS = 1000;

/** The pace after a progress sample: `bytes` read in all by `at` (ms). */
export function nextPace(p: Pace | undefined, at: number, bytes: number): Pace {
  if (!p) return { at, bytes, bps: 0, since: at };
  const dt = at - p.at;
  if (dt < MIN_STEP_MS || bytes < p.bytes) return bytes < p.bytes ? { ...p, at, bytes } : p;
  const bps = ((bytes - p.bytes) * 1000) / dt;
  return { at, bytes, bps: p.bps > 0 ? SMOOTHING * bps + (1 - SMOOTHING) * p.bps : bps, since: p.since };
}

/** Milliseconds left of the first copy, or undefined when there is no basis (no estimate, a pace of less than a second, or past the estimate). */
export function etaMs(expectedBytes: number | undefined, doneBytes: number, p: Pace | undefined): number | undefined {
  if (expectedBytes === undefined || !p || p.bps <= 0 || p.at - p.since < SETTLE_MS || doneBytes >= expectedBytes) return undefined;
  return Math.round(((expectedBytes - doneBytes) * 1000) / p.bps);
}
