/**
 * @module test/support/fuzz — what every fuzz campaign shares: a fixed seed and a run count, so the
 * campaign in `npm test` is the same on every run; FERRY_FUZZ_RUNS and FERRY_FUZZ_SEED make a
 * longer or another one (`FERRY_FUZZ_RUNS=1000000 node --test 'src/**\/*.fuzz.test.ts'`).
 */
import { FerryError, type ErrorCode } from '../../src/core/errors.ts';

function envInt(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < 1) throw new Error(`${name}=${raw}: expected a positive integer`);
  return n;
}

/** Runs of a full campaign: 10,000 by default, FERRY_FUZZ_RUNS for a longer one. */
export const FUZZ_RUNS = envInt('FERRY_FUZZ_RUNS', 10_000);

/** The seed of every campaign: fixed, so a failure in CI replays; FERRY_FUZZ_SEED picks another. */
export const FUZZ_SEED = envInt('FERRY_FUZZ_SEED', 18);

/** Runs of a property that costs more per run (files, sockets): `share` of a full campaign, at least 1. */
export function fuzzRuns(share = 1): number {
  return Math.max(1, Math.round(FUZZ_RUNS * share));
}

/** fast-check's options for a campaign of `runs` runs with the fixed seed. */
export function fuzzOptions(runs: number): { seed: number; numRuns: number } {
  return { seed: FUZZ_SEED, numRuns: runs };
}

/** Rethrows anything but a FerryError with one of `codes`: a refusal must be a registered error, never a crash. */
export function expectRefusal(err: unknown, codes: readonly ErrorCode[], what: string): FerryError {
  if (err instanceof FerryError && codes.includes(err.code)) return err;
  const shown = err instanceof FerryError ? `${err.code}: ${err.message}` : err instanceof Error ? (err.stack ?? err.message) : String(err);
  throw new Error(`${what}: expected a FerryError with ${codes.join(' or ')}, got ${shown}`, { cause: err });
}
