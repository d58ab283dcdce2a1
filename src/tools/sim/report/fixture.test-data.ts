/**
 * @module tools/sim/report/fixture.test-data — a small hand-made report for the report writer's
 * tests: spread then elastic over two simulated hours, one target met and one missed.
 */
import type { SimMetrics, TimelinePoint } from '../sim-accounts.ts';
import type { PolicyRun, SimReport } from './types.ts';

/** Metrics with no jobs; the tests' changes on top. */
function metrics(over: Partial<SimMetrics>): SimMetrics {
  return {
    simulatedHours: 2, energyKWh: 0, meanActiveHosts: 0, meanAwakeHosts: 0, nodeHoursAwake: 0, hostsOn: 0, maxAwakeHosts: 0,
    migrations: 0, meanMigrationS: 0, meanDowntimeS: 0, wakes: 0, slatahPercent: 0, pdmPercent: 0, slavPercent: 0, cpuServedRatio: 1,
    jobs: 0, jobsDone: 0, jobCompletionS: [], meanJobCompletionS: 0, makespanS: 0, unplaced: 0, ...over,
  };
}

/** A timeline every half hour: active hosts and migrations so far at 0, 0.5, 1, 1.5 and 2 h. */
function timeline(active: number[], migrations: number[]): TimelinePoint[] {
  return active.map((a, i) => ({ t: i * 1800, awake: a, active: a, watts: a * 100, migrations: migrations[i] ?? 0 }));
}

const SPREAD: PolicyRun = {
  policy: 'spread', description: 'least-allocated scoring, no rebalancing', wallS: 0.5,
  metrics: metrics({ energyKWh: 12.5, meanActiveHosts: 4, meanAwakeHosts: 4, nodeHoursAwake: 8, hostsOn: 4, maxAwakeHosts: 4, slatahPercent: 0.5, cpuServedRatio: 0.9995 }),
  timeline: timeline([4, 4, 4, 4, 4], [0, 0, 0, 0, 0]),
};

const ELASTIC: PolicyRun = {
  policy: 'elastic', description: 'node colours, consolidation by migration, sleep', wallS: 0.25,
  metrics: metrics({
    energyKWh: 10, meanActiveHosts: 2.5, meanAwakeHosts: 3, nodeHoursAwake: 6, hostsOn: 4, maxAwakeHosts: 4, migrations: 3, meanMigrationS: 12.5,
    meanDowntimeS: 0.42, wakes: 1, slatahPercent: 1.25, pdmPercent: 0.0123, slavPercent: 0.000154, cpuServedRatio: 0.9987,
  }),
  timeline: timeline([4, 3, 2, 2, 2], [0, 1, 3, 3, 3]),
};

/** The report. */
export const SIM_FIXTURE: SimReport = {
  kind: 'ferry-sim',
  scenario: 'tiny',
  perPolicy: {},
  description: 'Four hosts, a handful of containers, two hours.',
  startedAt: '2026-11-22T10:00:00.000Z',
  machine: { node: 'v24.9.0', cpuModel: 'Test CPU', cpus: 8 },
  setup: { hosts: 4, containers: 6, hours: 2, tickS: 300, migration: 'precopy' },
  runs: [SPREAD, ELASTIC],
  derived: { spread: { energyVsSpread: 1 }, elastic: { energyVsSpread: 0.8 } },
  targets: [
    { policy: 'elastic', metric: 'energyKWh', op: '<=', value: 11, actual: 10, met: true, source: 'issue 6' },
    { policy: 'elastic', metric: 'migrations', op: '<=', value: 2, actual: 3, met: false, source: 'issue 6' },
  ],
  references: [{ name: 'CloudSim LR-MMT 1.2', source: 'Beloglazov & Buyya 2012', values: { energyKWh: 35.37, migrations: 3359 } }],
  calibration: [{ strategy: 'precopy', case: 'stream 1024 MiB', measuredTotalS: 14.2, predictedTotalS: 15.62, measuredDowntimeS: 0.5, predictedDowntimeS: 0.45 }],
  notes: ['One PlanetLab day only | not ten.', 'Hosts are <HP ProLiant> G4 and G5.'],
};

/** The report with jobs: each policy ran two jobs. */
export const SIM_FIXTURE_JOBS: SimReport = {
  ...SIM_FIXTURE,
  runs: SIM_FIXTURE.runs.map((r, i) => ({
    ...r,
    metrics: { ...r.metrics, jobs: 2, jobsDone: 2, jobCompletionS: [100, 140 + i * 20], meanJobCompletionS: 120 + i * 10, makespanS: 300 + i * 30 },
  })),
};
