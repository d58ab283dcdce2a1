/** @module tools/bench/baselines/types — what the benchmark runner hands a baseline, and what a baseline hands back. */
import type { Cluster } from '../../testbed/index.ts';

/** One baseline run: which workload to start where, and where to move it. */
export interface BaselineInput {
  /** A running test bed (loadCluster()). */
  cluster: Cluster;
  /** Source host name, e.g. 'h1'. */
  from: string;
  /** Destination host name, e.g. 'h2'. */
  to: string;
  /** A Docker image present on the source dockerd, e.g. 'ferry/counter:2'. */
  image: string;
  /** Name of the workload container (the same on both hosts). */
  name: string;
  /** Environment of the workload, `KEY=value` each. */
  env: string[];
  /** Absolute path, inside the container, of the workload's heartbeat log. */
  heartbeatPath: string;
  /** How long the workload runs before the migration starts, ms. */
  warmupMs: number;
}

/** What one baseline run measured. */
export interface BaselineResult {
  /** From the start of the migration (after warm-up) to the container running on the destination, ms. */
  totalMs: number;
  /** From the start of the freeze (checkpoint) to the container running on the destination, ms. */
  frozenMs: number;
  /** Bytes the source host sent on its test-bed link over the migration (its veth's tx counter). */
  wireBytes: number;
  /** Named phase durations, ms. */
  phases: Record<string, number>;
  /** The heartbeat log as read from the restored container, ~1.5 s after the restore. */
  heartbeat: string;
  /** Resident memory plus writable-layer bytes of the workload when the migration started. */
  footprintBytes?: number;
  /** What is off about a run that still completed (e.g. cleanup left something), in words. */
  problem?: string;
}

/** A baseline: starts the workload on the source, migrates it, reads the heartbeat, removes what it made. */
export type Baseline = (input: BaselineInput) => Promise<BaselineResult>;

/** How long after the restore the heartbeat is read, ms. */
export const HEARTBEAT_SETTLE_MS = 1500;
