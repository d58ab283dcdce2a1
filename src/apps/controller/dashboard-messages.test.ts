/** @module apps/controller/dashboard-messages.test — a migration's live view from its source agent's events. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyEvent, startView } from './dashboard-messages.ts';
import { newReport, finishReport } from '../../domain/migration/report.ts';

test('phases accumulate, progress sums the roots, the end adds the report', () => {
  const roots = new Map<string, { raw: number; wire: number }>();
  let v = startView({ id: 'm1', container: 'c', to: 'h2', phase: 'preflight', updatedAt: 1000 }, 'h1');
  v = applyEvent(v, { type: 'phase', phase: 'preflight', at: 1001 }, roots);
  assert.equal(v.phases.length, 1, 'a repeated phase is not news');
  v = applyEvent(v, { type: 'phase', phase: 'stage', at: 1100 }, roots);
  v = applyEvent(v, { type: 'progress', root: 'memory', rawBytes: 100, wireBytes: 50, at: 1200 }, roots);
  v = applyEvent(v, { type: 'progress', root: 'rootfs', rawBytes: 10, wireBytes: 10, at: 1250 }, roots);
  v = applyEvent(v, { type: 'progress', root: 'memory', rawBytes: 200, wireBytes: 90, at: 1300 }, roots);
  assert.deepEqual([v.rawBytes, v.wireBytes], [210, 100]);
  assert.deepEqual(v.phases.map((p) => p.phase), ['preflight', 'stage']);
  v = applyEvent(v, { type: 'phase', phase: 'done', at: 1400 }, roots);
  const r = newReport({ migrationId: 'm1', container: 'c', from: 'h1', to: 'h2', strategy: 'precopy' }, 1000);
  r.frozenMs = 42;
  finishReport(r, 'migrated', 1500);
  v = applyEvent(v, { type: 'end', report: r }, roots);
  assert.equal(v.outcome, 'migrated');
  assert.equal(v.phase, 'migrated');
  assert.equal(v.frozenMs, 42);
  assert.equal(v.strategy, 'precopy');
  assert.deepEqual(v.phases.map((p) => p.phase), ['preflight', 'stage', 'done']);
});

test('the source\'s estimate and the pace of progress give an ETA, which the end clears; the end carries the report', () => {
  const roots = new Map<string, { raw: number; wire: number }>();
  let v = startView({ id: 'm1', container: 'c', to: 'h2', phase: 'preflight', updatedAt: 0 }, 'h1');
  v = applyEvent(v, { type: 'estimate', bytes: 100_000, at: 0 }, roots);
  v = applyEvent(v, { type: 'progress', root: 'memory', rawBytes: 0, wireBytes: 0, at: 0 }, roots);
  v = applyEvent(v, { type: 'progress', root: 'memory', rawBytes: 10_000, wireBytes: 5_000, at: 1000 }, roots);
  assert.equal(v.etaMs, 9000);
  const r = newReport({ migrationId: 'm1', container: 'c', from: 'h1', to: 'h2', strategy: 'stop-copy' }, 0);
  finishReport(r, 'migrated', 2000);
  v = applyEvent(v, { type: 'end', report: r }, roots);
  assert.equal(v.etaMs, undefined);
  assert.equal(v.report, r);
});

test('a pre-copy round counts, with its pages', () => {
  const roots = new Map<string, { raw: number; wire: number }>();
  let v = startView({ id: 'm1', container: 'c', to: 'h2', phase: 'precopy', updatedAt: 0 }, 'h1');
  v = applyEvent(v, { type: 'round', round: { round: 2, dirtyPages: 10, deferredPages: 3, sentPages: 7, pendingPages: 3, files: 0, deleted: 0, rawBytes: 1, wireBytes: 1, ms: 40, bandwidthBps: 1 }, at: 5 }, roots);
  assert.equal(v.rounds, 2);
  assert.deepEqual(v.lastRound, { sentPages: 7, deferredPages: 3, ms: 40 });
});
