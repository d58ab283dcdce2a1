/** @module tools/workloads/workload-types — what a workload is (its name, image, heartbeat log and environment), shared by the catalog and the image recipes. */
import type { Beat } from './heartbeat.ts';

/** The workloads ferry can build and run. */
export type WorkloadName = 'counter' | 'stream' | 'loop' | 'compile' | 'load' | 'sockets' | 'services';

/** One workload, as a benchmark or a test uses it. */
export interface Workload {
  name: WorkloadName;
  /** What it does, in a line. */
  what: string;
  /** The image reference (built locally, never pulled). */
  image: string;
  /** The heartbeat log inside the container (in its writable layer). */
  heartbeatPath: string;
  /** Beats per second the workload aims at. */
  beatsPerSecond: number;
  /** Parses the heartbeat log. */
  parse: (text: string) => Beat[];
  /**
   * Default environment, as Engine API `Env` entries. The image carries the same as `ENV`,
   * so in a container's `Env` a later entry of the same name wins (Docker replaces image
   * variables in order; two entries of a name unknown to the image would both reach the
   * process, and getenv would take the first).
   */
  env: readonly string[];
  /** The SIGUSR1 verify log, for the workload that has one (stream). */
  verifyPath?: string;
}
