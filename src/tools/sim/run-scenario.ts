/**
 * @module tools/sim/run-scenario — `ferry sim compare`'s engine: one scenario, every policy it
 * names, one after the other on the same hosts, workload and migration cost model, then the
 * derived numbers (completion time vs spread), the targets checked, and the report.
 */
import { cpus } from 'node:os';
import { performance } from 'node:perf_hooks';
import { policyByName, type Policy } from '../../domain/scheduler/index.ts';
import { calibrationReport } from './cost-calibration.ts';
import type { PolicyRun, SimReport, TargetResult } from './report/types.ts';
import type { SimMetrics } from './sim-accounts.ts';
import type { Scenario } from './scenario.ts';
import { simulate, type SimDecision } from './simulation.ts';
import { calibrationFiles, prepareScenario } from './workload.ts';

/** Options of a run. */
export interface RunOptions {
  /** Policies to run instead of the scenario's. */
  policies?: readonly Policy[];
  /** Each decision as it happens. */
  onDecision?: (policy: string, d: SimDecision) => void;
  /** Called after each policy's run. */
  onRun?: (run: PolicyRun) => void;
}

/** Runs every policy of the scenario and builds the report. */
export async function runScenario(s: Scenario, o: RunOptions = {}): Promise<SimReport> {
  const startedAt = new Date().toISOString();
  const { hosts, containers, intervalS, params, calibration, price } = await prepareScenario(s);
  const strategy = s.migration.strategy;
  const policies = o.policies ?? s.policies.map(policyByName);
  const runs: PolicyRun[] = [];
  for (const policy of policies) {
    const t0 = performance.now();
    const r = simulate({
      hosts, workload: containers, policy, params, tickMs: s.tickS * 1000, durationMs: s.durationS * 1000,
      demandStepMs: (s.demandStepS ?? intervalS) * 1000, slowdown: s.slowdown,
      price,
      ...(o.onDecision ? { onDecision: (d: SimDecision) => o.onDecision!(policy.name, d) } : {}),
    });
    const run: PolicyRun = { policy: policy.name, description: policy.description, metrics: r.metrics, timeline: r.timeline, wallS: Math.round(performance.now() - t0) / 1000 };
    o.onRun?.(run);
    runs.push(run);
  }
  const derived = deriveNumbers(runs);
  return {
    kind: 'ferry-sim', scenario: s.name, description: s.description, startedAt,
    machine: { node: process.version, cpuModel: cpus()[0]?.model ?? 'unknown', cpus: cpus().length },
    setup: {
      hosts: hosts.length, containers: containers.length, maxSimulatedHours: s.durationS / 3600, tickS: s.tickS, demandStepS: s.demandStepS ?? intervalS,
      migrationStrategy: strategy, migrationCalibration: calibrationFiles(s).join(' + '), slowdown: s.slowdown, workload: s.workload.kind,
    },
    perPolicy: Object.fromEntries(runs.map((r) => [r.policy, { ...scalars(r.metrics), ...derived[r.policy] }])),
    runs, derived, targets: checkTargets(s, runs, derived), references: s.references,
    calibration: calibrationReport(calibration).filter((p) => p.fitted).map((p) => ({
      strategy: p.input.strategy, case: p.case, measuredTotalS: p.measured.totalMs / 1000, predictedTotalS: round(p.predicted.totalMs / 1000),
      measuredDowntimeS: p.measured.downtimeMs / 1000, predictedDowntimeS: round(p.predicted.downtimeMs / 1000),
    })),
    notes: s.notes,
  };
}

/** The numeric fields of the metrics. */
function scalars(m: SimMetrics): Record<string, number> {
  return Object.fromEntries(Object.entries(m).filter((e): e is [string, number] => typeof e[1] === 'number'));
}

function round(x: number): number {
  return Math.round(x * 100) / 100;
}

/** Per policy: completion time and energy relative to spread (when spread ran). */
export function deriveNumbers(runs: readonly PolicyRun[]): Record<string, Record<string, number>> {
  const spread = runs.find((r) => r.policy === 'spread');
  const out: Record<string, Record<string, number>> = {};
  for (const r of runs) {
    const d: Record<string, number> = {};
    if (spread && spread.metrics.meanJobCompletionS > 0 && r.metrics.jobsDone > 0) {
      d.completionTimeRatioVsSpread = Math.round((r.metrics.meanJobCompletionS / spread.metrics.meanJobCompletionS) * 10_000) / 10_000;
      d.makespanRatioVsSpread = Math.round((r.metrics.makespanS / spread.metrics.makespanS) * 10_000) / 10_000;
    }
    if (spread && spread.metrics.energyKWh > 0) d.energyRatioVsSpread = Math.round((r.metrics.energyKWh / spread.metrics.energyKWh) * 10_000) / 10_000;
    out[r.policy] = d;
  }
  return out;
}

/** Each target of the scenario against the runs. */
export function checkTargets(s: Pick<Scenario, 'targets'>, runs: readonly PolicyRun[], derived: Record<string, Record<string, number>>): TargetResult[] {
  return s.targets.map((t) => {
    const run = runs.find((r) => r.policy === t.policy);
    const m = run?.metrics as unknown as Record<string, unknown> | undefined;
    const raw = derived[t.policy]?.[t.metric] ?? m?.[t.metric];
    const actual = typeof raw === 'number' ? raw : Number.NaN;
    const met = Number.isFinite(actual) && (t.op === '<=' ? actual <= t.value : actual >= t.value);
    return { policy: t.policy, metric: t.metric, op: t.op, value: t.value, actual, met, source: t.source };
  });
}
