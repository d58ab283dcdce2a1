/** @module core/paths — where this checkout is on disk (the agent, the benchmarks and the simulator read files from it). */
import { resolve } from 'node:path';

/** The root of this repository checkout. */
export function repoRoot(): string {
  return resolve(import.meta.dirname, '../..');
}
