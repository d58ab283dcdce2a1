import { test } from 'node:test';
import assert from 'node:assert/strict';
import { simMarkdown } from './markdown.ts';
import { SIM_FIXTURE, SIM_FIXTURE_JOBS } from './fixture.test-data.ts';

/** The report's lines, to find rows by their start. */
function lines(md: string): string[] {
  return md.split('\n');
}

test('the title, the machine and the setup come first', () => {
  const md = simMarkdown(SIM_FIXTURE);
  assert.match(md, /^# ferry sim: tiny\n\nFour hosts, a handful of containers, two hours\.\n/);
  assert.ok(md.includes('Run 2026-11-22T10:00:00.000Z on 8 × Test CPU, Node v24.9.0.'));
  assert.ok(md.includes('Setup: hosts: 4, containers: 6, hours: 2, tickS: 300, migration: precopy.'));
  assert.ok(md.endsWith('\n') && !md.endsWith('\n\n'));
});

test('the policies table has every metric of each run, written with its own precision', () => {
  const md = lines(simMarkdown(SIM_FIXTURE));
  assert.ok(md.includes('| policy | energy kWh | mean active hosts | mean awake hosts | node-hours awake | hosts on | max awake | migrations | mean migration s | mean downtime s | wakes | SLATAH % | PDM % | SLAV % | CPU served |'));
  assert.ok(md.includes('| spread | 12.50 | 4.00 | 4.00 | 8.0 | 4 | 4 | 0 | 0.00 | 0.00 | 0 | 0.500 | 0 | 0 | 0.9995 |'));
  assert.ok(md.includes('| elastic | 10.00 | 2.50 | 3.00 | 6.0 | 4 | 4 | 3 | 12.50 | 0.42 | 1 | 1.250 | 0.0123 | 0.000154 | 0.9987 |'));
  assert.ok(md.includes('- **elastic**: node colours, consolidation by migration, sleep'));
});

test('job columns appear only when some policy ran jobs', () => {
  const without = simMarkdown(SIM_FIXTURE);
  for (const word of ['jobs done', 'mean completion', 'makespan', 'unplaced']) assert.ok(!without.includes(word), word);
  const md = lines(simMarkdown(SIM_FIXTURE_JOBS));
  const elastic = md.find((l) => l.startsWith('| elastic | 10.00 |'));
  assert.ok(elastic?.endsWith('| 0.9987 | 2/2 | 130.0 | 330.0 |'), elastic);
  assert.ok(md.some((l) => l.includes('| CPU served | jobs done | mean completion s | makespan s |')));
});

test('ratios are against the first policy; a ratio over zero is a dash', () => {
  const md = lines(simMarkdown(SIM_FIXTURE));
  assert.ok(md.includes('## Against spread'));
  assert.ok(md.includes('| policy | energy ÷ spread | mean active hosts ÷ spread | mean awake hosts ÷ spread | node-hours awake ÷ spread | hosts on ÷ spread | migrations ÷ spread | SLAV ÷ spread |'));
  assert.ok(md.includes('| elastic | 0.800× | 0.625× | 0.750× | 0.750× | 1.000× | — | — |'));
  assert.ok(md.includes('| spread | 1.000× | 1.000× | 1.000× | 1.000× | 1.000× | — | — |'));
  const jobs = lines(simMarkdown(SIM_FIXTURE_JOBS)).find((l) => l.startsWith('| elastic | 0.800×'));
  assert.ok(jobs?.endsWith('| 1.083× | 1.100× |'), jobs);
  assert.ok(!simMarkdown({ ...SIM_FIXTURE, runs: SIM_FIXTURE.runs.slice(0, 1) }).includes('## Against'), 'one policy, nothing to compare');
});

test('targets say met or not, with the source; a missed one shows ✗', () => {
  const md = lines(simMarkdown(SIM_FIXTURE));
  assert.ok(md.includes('1 of 2 met.'));
  assert.ok(md.includes('| elastic | energyKWh | ≤ 11 | 10 | ✓ | issue 6 |'));
  assert.ok(md.includes('| elastic | migrations | ≤ 2 | 3 | ✗ | issue 6 |'));
});

test('derived numbers, references beside ours, calibration errors, notes and wall time', () => {
  const md = lines(simMarkdown(SIM_FIXTURE));
  assert.ok(md.includes('| policy | energyVsSpread |'));
  assert.ok(md.includes('| elastic | 0.8 |'));
  assert.ok(md.includes('| reference | metric | published | ours: spread | ours: elastic | source |'));
  assert.ok(md.includes('| CloudSim LR-MMT 1.2 | energyKWh | 35.37 | 12.5 | 10 | Beloglazov & Buyya 2012 |'));
  assert.ok(md.includes('| CloudSim LR-MMT 1.2 | migrations | 3359 | 0 | 3 | Beloglazov & Buyya 2012 |'));
  assert.ok(md.includes('| precopy | stream 1024 MiB | 14.20 | 15.62 | +10.0 % | 0.50 | 0.45 | -10.0 % |'));
  assert.ok(md.includes('- One PlanetLab day only \\| not ten.'));
  assert.ok(md.includes('- Hosts are &lt;HP ProLiant> G4 and G5.'));
  assert.ok(md.includes('| spread | 0.50 | 2.00 | 14400× |'));
  assert.ok(md.includes('| elastic | 0.25 | 2.00 | 28800× |'));
});

test('empty sections are left out', () => {
  const md = simMarkdown({ ...SIM_FIXTURE, derived: {}, targets: [], references: [], calibration: [], notes: [] });
  for (const h of ['## Derived', '## Targets', '## Published references', '## Migration cost model calibration', '## Notes']) assert.ok(!md.includes(h), h);
  assert.ok(md.includes('## Wall time'));
});
