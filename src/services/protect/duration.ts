/**
 * @module services/protect/duration — pure: durations as a user types them on the command line
 * (`500ms`, `30s`, `2m`, `1h`, also `1.5s`) into milliseconds, and back into a short text.
 */
import { FerryError } from '../../core/errors.ts';

const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Milliseconds of a duration such as `30s`; anything else is FERRY_ERR_INVALID_INPUT naming `what`. */
export function parseDuration(text: string, what = 'duration'): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(text.trim());
  if (!m) throw new FerryError('FERRY_ERR_INVALID_INPUT', `${what} "${text}" is not a duration; write a number and a unit: 500ms, 30s, 2m or 1h`);
  const ms = Math.round(Number(m[1]) * (UNIT_MS[m[2] as string] as number));
  if (ms <= 0) throw new FerryError('FERRY_ERR_INVALID_INPUT', `${what} "${text}" must be longer than 0`);
  return ms;
}

/** A short text for a duration: `850 ms`, `12.3 s`, `4.5 min`, `2.0 h`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms < 3_600_000) return `${(ms / 60_000).toFixed(1)} min`;
  return `${(ms / 3_600_000).toFixed(1)} h`;
}
