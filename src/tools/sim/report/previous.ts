/**
 * @module tools/sim/report/previous — pure: the numbers of the report a new one replaces (the same
 * scenario's JSON that was there before), kept in the new report and printed beside its own, so
 * a rerun — after the migration cost model is refitted, say — shows what moved.
 */
import { count } from '../../report-kit/format.ts';
import { fixed, small } from './format.ts';
import type { PolicyRun, PreviousRun } from './types.ts';

/** A metric compared with the previous run: its key in `perPolicy`, how the report names and writes it. */
export interface ComparedMetric {
  key: string;
  label: string;
  format: (v: number | undefined) => string;
  /** Compared only when some policy ran jobs. */
  jobsOnly?: boolean;
}

/** The metrics compared, in order: what a scheduler saves and what its migrations cost. */
export const COMPARED_METRICS: readonly ComparedMetric[] = [
  { key: 'energyKWh', label: 'energy kWh', format: (v) => fixed(v, 2) },
  { key: 'meanActiveHosts', label: 'mean active hosts', format: (v) => fixed(v, 2) },
  { key: 'hostsOn', label: 'hosts on', format: count },
  { key: 'migrations', label: 'migrations', format: count },
  { key: 'meanMigrationS', label: 'mean migration s', format: (v) => fixed(v, 2) },
  { key: 'meanDowntimeS', label: 'mean downtime s', format: (v) => fixed(v, 2) },
  { key: 'slatahPercent', label: 'SLATAH %', format: (v) => fixed(v, 3) },
  { key: 'pdmPercent', label: 'PDM %', format: small },
  { key: 'slavPercent', label: 'SLAV %', format: small },
  { key: 'meanJobCompletionS', label: 'mean completion s', format: (v) => fixed(v, 1), jobsOnly: true },
];

/** The metrics compared for these runs (job metrics only when some ran jobs). */
export function comparedMetrics(runs: readonly PolicyRun[]): ComparedMetric[] {
  const jobs = runs.some((r) => r.metrics.jobs > 0);
  return COMPARED_METRICS.filter((m) => jobs || !m.jobsOnly);
}

/**
 * What a new report of `scenario` keeps of `old` (a parsed report file): when it is a report of
 * the same scenario, its start, what its migrations were priced from, and the compared metrics
 * per policy; otherwise nothing. The old report's own `previous` is not carried on.
 */
export function previousRun(old: unknown, scenario: string): PreviousRun | undefined {
  if (typeof old !== 'object' || old === null) return undefined;
  const o = old as { kind?: unknown; scenario?: unknown; startedAt?: unknown; setup?: Record<string, unknown>; perPolicy?: unknown };
  if (o.kind !== 'ferry-sim' || o.scenario !== scenario || typeof o.perPolicy !== 'object' || o.perPolicy === null) return undefined;
  const perPolicy: PreviousRun['perPolicy'] = {};
  for (const [policy, values] of Object.entries(o.perPolicy as Record<string, Record<string, unknown>>)) {
    const kept = COMPARED_METRICS.flatMap((m) => (typeof values?.[m.key] === 'number' ? [[m.key, values[m.key] as number] as const] : []));
    perPolicy[policy] = Object.fromEntries(kept);
  }
  const calibration = o.setup?.migrationCalibration;
  return { startedAt: typeof o.startedAt === 'string' ? o.startedAt : 'unknown', ...(typeof calibration === 'string' ? { migrationCalibration: calibration } : {}), perPolicy };
}
