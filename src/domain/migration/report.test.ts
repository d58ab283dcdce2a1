/** @module domain/migration/report.test — where the frozen time went, and how the summary says it. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addPhase, formatReport, frozenParts, newReport } from './report.ts';

function report() {
  const r = newReport({ migrationId: 'm-1', container: 'c', from: 'h1', to: 'h2', strategy: 'stop-copy' }, 0);
  for (const [p, ms] of [['preflight', 600], ['stage', 500], ['stop', 540], ['transfer', 3100], ['restore', 800]] as const) addPhase(r, p, ms);
  return r;
}

void test('no frozen time yet: no parts', () => {
  assert.equal(frozenParts(report()), undefined);
});

void test('the parts add up to the frozen time; what they do not cover is other', () => {
  const r = Object.assign(report(), { frozenMs: 4500, freezeMs: 20, checkpointMs: 515, restoreMs: 797, restoredBy: 'thin-lazy' as const, lazyWindowMs: 300 });
  assert.deepEqual(frozenParts(r), { freezeMs: 20, dumpMs: 515, transferMs: 3100, restoreMs: 797, otherMs: 68 });
  const text = formatReport(r);
  assert.match(text, /^ {2}frozen: freeze 20 ms, dump 515 ms, transfer 3100 ms, restore 797 ms, other 68 ms$/m);
  assert.match(text, /restore 797 ms thin-lazy, then 300 ms filling memory while it ran/);
});

void test('parts that overrun the frozen time leave other at 0', () => {
  assert.equal(frozenParts(Object.assign(report(), { frozenMs: 1000, checkpointMs: 900, restoreMs: 900 }))?.otherMs, 0);
});
