/**
 * @module tools/sim/report/columns — pure: which metrics the report's policy table shows, how each
 * is written, which are compared against the first policy, and when a column is left out (job
 * columns when no policy ran jobs, unplaced when everything was placed).
 */
import { count } from '../../report-kit/format.ts';
import type { SimMetrics } from '../sim-accounts.ts';
import { fixed, small } from './format.ts';
import type { PolicyRun } from './types.ts';

/** One column of the policies table. */
export interface MetricColumn {
  /** Short name, used for the ratio column too ("energy ÷ spread"). */
  name: string;
  /** Unit appended to the name in the header, if any. */
  unit?: string;
  cell: (m: SimMetrics) => string;
  /** The value compared against the first policy; absent when a ratio says nothing. */
  ratio?: (m: SimMetrics) => number;
  /** Whether the column is shown for these runs; always when absent. */
  shown?: (runs: readonly PolicyRun[]) => boolean;
}

const anyJobs = (runs: readonly PolicyRun[]): boolean => runs.some((r) => r.metrics.jobs > 0);

/** The policies table's columns, in order. */
export const METRIC_COLUMNS: readonly MetricColumn[] = [
  { name: 'energy', unit: 'kWh', cell: (m) => fixed(m.energyKWh, 2), ratio: (m) => m.energyKWh },
  { name: 'mean active hosts', cell: (m) => fixed(m.meanActiveHosts, 2), ratio: (m) => m.meanActiveHosts },
  { name: 'mean awake hosts', cell: (m) => fixed(m.meanAwakeHosts, 2), ratio: (m) => m.meanAwakeHosts },
  { name: 'node-hours awake', cell: (m) => fixed(m.nodeHoursAwake, 1), ratio: (m) => m.nodeHoursAwake },
  { name: 'hosts on', cell: (m) => count(m.hostsOn), ratio: (m) => m.hostsOn },
  { name: 'max awake', cell: (m) => count(m.maxAwakeHosts) },
  { name: 'migrations', cell: (m) => count(m.migrations), ratio: (m) => m.migrations },
  { name: 'mean migration', unit: 's', cell: (m) => fixed(m.meanMigrationS, 2) },
  { name: 'mean downtime', unit: 's', cell: (m) => fixed(m.meanDowntimeS, 2) },
  { name: 'wakes', cell: (m) => count(m.wakes) },
  { name: 'SLATAH', unit: '%', cell: (m) => fixed(m.slatahPercent, 3) },
  { name: 'PDM', unit: '%', cell: (m) => small(m.pdmPercent) },
  { name: 'SLAV', unit: '%', cell: (m) => small(m.slavPercent), ratio: (m) => m.slavPercent },
  { name: 'CPU served', cell: (m) => fixed(m.cpuServedRatio, 4) },
  { name: 'jobs done', cell: (m) => `${m.jobsDone}/${m.jobs}`, shown: anyJobs },
  { name: 'mean completion', unit: 's', cell: (m) => fixed(m.meanJobCompletionS, 1), ratio: (m) => m.meanJobCompletionS, shown: anyJobs },
  { name: 'makespan', unit: 's', cell: (m) => fixed(m.makespanS, 1), ratio: (m) => m.makespanS, shown: anyJobs },
  { name: 'unplaced', cell: (m) => count(m.unplaced), shown: (runs) => runs.some((r) => r.metrics.unplaced > 0) },
];

/** The columns shown for these runs. */
export function shownColumns(runs: readonly PolicyRun[]): MetricColumn[] {
  return METRIC_COLUMNS.filter((c) => c.shown?.(runs) ?? true);
}

/** A column's header: its name and unit. */
export function columnHeader(c: MetricColumn): string {
  return c.unit ? `${c.name} ${c.unit}` : c.name;
}
