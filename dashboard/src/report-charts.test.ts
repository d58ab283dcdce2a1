/** @module dashboard/report-charts.test — a migration page's charts from a report. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { MigrationReport } from '../../src/domain/migration/report.ts';
import { precopyMove, prestoreMove } from '../../src/services/metrics/reports.test-data.ts';
import { frozenSegments, roundBars, stack } from './report-charts.ts';

test('the frozen time splits into its parts, what is not accounted for as other', () => {
  const r: MigrationReport = { ...precopyMove(), freezeMs: 100, checkpointMs: 400, restoreMs: 900, phases: [{ phase: 'transfer', ms: 600 }] };
  assert.deepEqual(frozenSegments(r).map((p) => [p.name, p.value]), [['freeze', 100], ['dump', 400], ['transfer', 600], ['restore', 900], ['other', 500]]);
  delete r.frozenMs;
  assert.deepEqual(frozenSegments(r), []);
});

test('a stack lays the parts end to end in proportion', () => {
  const s = stack([{ name: 'a', value: 1 }, { name: 'b', value: 0 }, { name: 'c', value: 3 }], 400);
  assert.deepEqual(s.map((x) => [x.x, x.w]), [[0, 100], [100, 0], [100, 300]]);
  assert.deepEqual(stack([{ name: 'a', value: 0 }], 400).map((x) => x.w), [0]);
});

test('pre-copy rounds, then the frozen final round; none for pre-storage', () => {
  const r = precopyMove();
  r.precopy = { ...(r.precopy as NonNullable<typeof r.precopy>), final: { dumpPages: 50000, sentPages: 1200, files: 0, deleted: 0, rawBytes: 1, wireBytes: 2, ms: 300 } };
  const bars = roundBars(r);
  assert.deepEqual(bars.map((b) => [b.label, b.sentPages, b.frozen]), [['1', 40000, false], ['2', 9000, false], ['3', 8800, false], ['final', 1200, true]]);
  assert.deepEqual(roundBars(prestoreMove()), []);
});
