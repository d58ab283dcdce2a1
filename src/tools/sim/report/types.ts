/**
 * @module tools/sim/report/types — what `ferry sim` and `ferry sim compare` write: one scenario run
 * under one or more policies, side by side, with the targets the scenario sets and where each
 * landed. The JSON report is this object; the markdown and the plots are made from it.
 */
import type { SimMetrics, TimelinePoint } from '../sim-accounts.ts';

/** One policy's run of the scenario. */
export interface PolicyRun {
  policy: string;
  /** The policy's description (what it composes). */
  description: string;
  metrics: SimMetrics;
  timeline: TimelinePoint[];
  /** Wall-clock seconds the simulation took (not simulated time). */
  wallS: number;
}

/** A target a scenario sets on one metric of one policy, and whether the run met it. */
export interface TargetResult {
  policy: string;
  /** A key of SimMetrics, or a derived one such as completionTimeRatioVsSpread. */
  metric: string;
  op: '<=' | '>=';
  value: number;
  actual: number;
  met: boolean;
  /** Where the target comes from (the issue, the paper, CloudSim's published results). */
  source: string;
}

/** A reference result published elsewhere, printed next to ours (not computed here). */
export interface Reference {
  name: string;
  source: string;
  values: Record<string, number>;
}

/** The whole report. */
export interface SimReport {
  kind: 'ferry-sim';
  scenario: string;
  description: string;
  startedAt: string;
  machine: { node: string; cpuModel: string; cpus: number };
  /** Hosts, containers, simulated hours, tick, migration strategy: the setup in a few numbers. */
  setup: Record<string, string | number>;
  runs: PolicyRun[];
  /** Per policy, every scalar metric and derived number in one flat record (what scripts read). */
  perPolicy: Record<string, Record<string, number>>;
  /** Per policy, derived numbers (e.g. completionTimeRatioVsSpread). */
  derived: Record<string, Record<string, number>>;
  targets: TargetResult[];
  references: Reference[];
  /** The migration cost model's fit against the measurements it was calibrated on. */
  calibration: Array<{ strategy: string; case: string; measuredTotalS: number; predictedTotalS: number; measuredDowntimeS: number; predictedDowntimeS: number }>;
  /** Honest notes: deviations from the published setup and why. */
  notes: string[];
  /** The report this one replaced, when there was one: its numbers, printed beside these. */
  previous?: PreviousRun;
}

/** What a report keeps of the one it replaced (the same scenario's report file written before). */
export interface PreviousRun {
  startedAt: string;
  /** The results its migration cost model was fitted on, when that report names them. */
  migrationCalibration?: string;
  /** Per policy, the compared metrics (sim/report/previous). */
  perPolicy: Record<string, Record<string, number>>;
}
