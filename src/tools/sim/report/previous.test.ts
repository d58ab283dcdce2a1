import { test } from 'node:test';
import assert from 'node:assert/strict';
import { simMarkdown } from './markdown.ts';
import { previousRun } from './previous.ts';
import { SIM_FIXTURE, SIM_FIXTURE_JOBS } from './fixture.test-data.ts';
import type { SimReport } from './types.ts';

/** The fixture as an older report file: elastic migrated more, its PDM and SLAV were higher, and it priced from an older run. */
const OLDER = {
  ...SIM_FIXTURE,
  startedAt: '2026-11-21T15:13:47.799Z',
  setup: { ...SIM_FIXTURE.setup, migrationCalibration: 'bench/results/migrate-latest.json' },
  perPolicy: {
    spread: { energyKWh: 12.5, meanActiveHosts: 4, hostsOn: 4, migrations: 0, pdmPercent: 0, slavPercent: 0, wakes: 0 },
    elastic: { energyKWh: 10.4, meanActiveHosts: 2.6, hostsOn: 4, migrations: 5, meanMigrationS: 41.35, meanDowntimeS: 30.08, slatahPercent: 1.3, pdmPercent: 0.2067, slavPercent: 0.002687 },
  },
  previous: { startedAt: '2026-01-01T00:00:00.000Z', perPolicy: {} },
};

test('the previous report of the same scenario is kept: its start, its calibration, the compared metrics only', () => {
  const previous = previousRun(JSON.parse(JSON.stringify(OLDER)), 'tiny');
  assert.deepEqual(previous, {
    startedAt: '2026-11-21T15:13:47.799Z',
    migrationCalibration: 'bench/results/migrate-latest.json',
    perPolicy: {
      spread: { energyKWh: 12.5, meanActiveHosts: 4, hostsOn: 4, migrations: 0, pdmPercent: 0, slavPercent: 0 },
      elastic: { energyKWh: 10.4, meanActiveHosts: 2.6, hostsOn: 4, migrations: 5, meanMigrationS: 41.35, meanDowntimeS: 30.08, slatahPercent: 1.3, pdmPercent: 0.2067, slavPercent: 0.002687 },
    },
  });
});

test('another scenario\'s report, or no report, is no previous run', () => {
  assert.equal(previousRun(OLDER, 'other'), undefined);
  assert.equal(previousRun({ kind: 'ferry-bench-migrate', scenario: 'tiny', perPolicy: {} }, 'tiny'), undefined);
  assert.equal(previousRun(undefined, 'tiny'), undefined);
  assert.equal(previousRun('not json', 'tiny'), undefined);
});

test('the markdown puts each compared metric of the previous run beside this one, per policy', () => {
  const report: SimReport = { ...SIM_FIXTURE, setup: { ...SIM_FIXTURE.setup, migrationCalibration: 'new.json' }, previous: previousRun(OLDER, 'tiny')! };
  const md = simMarkdown(report).split('\n');
  const at = md.indexOf('## Against the previous run');
  assert.ok(at > md.indexOf('## Against spread') && at < md.indexOf('## Derived'), 'after the ratios');
  assert.ok(md.includes('The report this one replaced: run 2026-11-21T15:13:47.799Z, migrations priced from bench/results/migrate-latest.json; now 2026-11-22T10:00:00.000Z, priced from new.json.'));
  assert.ok(md.includes('| metric | spread: previous | spread: now | elastic: previous | elastic: now |'));
  assert.ok(md.includes('| energy kWh | 12.50 | 12.50 | 10.40 | 10.00 |'));
  assert.ok(md.includes('| migrations | 0 | 0 | 5 | 3 |'));
  assert.ok(md.includes('| mean downtime s | — | 0.00 | 30.08 | 0.42 |'), 'a metric the old report lacks is a dash');
  assert.ok(md.includes('| PDM % | 0 | 0 | 0.207 | 0.0123 |'));
  assert.ok(md.includes('| SLAV % | 0 | 0 | 0.00269 | 0.000154 |'));
  assert.ok(!md.some((l) => l.startsWith('| mean completion s')), 'no jobs, no completion time');
  assert.ok(simMarkdown({ ...SIM_FIXTURE_JOBS, previous: previousRun(OLDER, 'tiny')! }).includes('| mean completion s | — | 120.0 | — | 130.0 |'));
});

test('a report without a previous run has no such section, and says so when the old one named no calibration', () => {
  assert.ok(!simMarkdown(SIM_FIXTURE).includes('## Against the previous run'));
  const unnamed = previousRun({ ...OLDER, setup: { hosts: 4 } }, 'tiny')!;
  assert.ok(simMarkdown({ ...SIM_FIXTURE, previous: unnamed }).includes('The report this one replaced: run 2026-11-21T15:13:47.799Z, its report does not name what its migrations were priced from.\n'));
});
