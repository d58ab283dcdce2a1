/**
 * @module tools/report-kit/format — pure: how the report writes its numbers, one way everywhere:
 * seconds with 2 decimals, MiB with 1, ratios with 3, and a dash for what is not there.
 */

/** What the report writes for a number that is not there. */
export const NO_VALUE = '—';

/** Milliseconds as seconds with 2 decimals ("14.20"). */
export function seconds(ms: number | undefined): string {
  return ms === undefined || !Number.isFinite(ms) ? NO_VALUE : (ms / 1000).toFixed(2);
}

/** Bytes as MiB with 1 decimal ("667.6"). */
export function mebibytes(bytes: number | undefined): string {
  return bytes === undefined || !Number.isFinite(bytes) ? NO_VALUE : (bytes / 2 ** 20).toFixed(1);
}

/** A ratio with 3 decimals and a times sign ("0.067×"). */
export function ratio(value: number | undefined): string {
  return value === undefined || !Number.isFinite(value) ? NO_VALUE : `${value.toFixed(3)}×`;
}

/** A count as a plain integer, or a dash. */
export function count(n: number | undefined): string {
  return n === undefined || !Number.isFinite(n) ? NO_VALUE : String(Math.round(n));
}
