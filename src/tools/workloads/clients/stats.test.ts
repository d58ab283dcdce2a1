/** @module tools/workloads/clients/stats.test — percentiles, the longest wait and silence, runs in a row. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LongestSilence, LongestWait, latencySummary, longestRun, percentile } from './stats.ts';

void test('percentile is nearest-rank; latencySummary sorts and rounds', () => {
  const v = Array.from({ length: 100 }, (_, i) => i + 1);
  assert.equal(percentile(v, 50), 50);
  assert.equal(percentile(v, 99), 99);
  assert.equal(percentile(v, 100), 100);
  assert.equal(percentile(v, 0), 1);
  assert.equal(percentile([], 50), 0);
  assert.deepEqual(latencySummary([3.14159, 1, 2, 1000.06]), { p50Ms: 2, p99Ms: 1000.1, maxMs: 1000.1 });
  assert.deepEqual(latencySummary([]), { p50Ms: 0, p99Ms: 0, maxMs: 0 });
});

void test('LongestWait keeps the first of equal longest waits and when it began', () => {
  const w = new LongestWait();
  w.record(5, 100);
  w.record(9, 200);
  w.record(9, 300);
  w.record(1, 400);
  assert.deepEqual([w.ms, w.at], [9, 200]);
});

void test('LongestSilence measures between marks, and optionally the silence still open', () => {
  const s = new LongestSilence();
  assert.deepEqual(s.result(50), { gapMs: 0, gapAt: 0 });
  s.mark(0, 1000);
  s.mark(10, 1010);
  s.mark(260, 1260);
  s.mark(270, 1270);
  assert.deepEqual(s.result(), { gapMs: 250, gapAt: 1010 });
  assert.deepEqual(s.result(900), { gapMs: 630, gapAt: 1270 });
});

void test('longestRun counts true in a row', () => {
  assert.equal(longestRun([]), 0);
  assert.equal(longestRun([false, true, true, false, true, true, true, false]), 3);
  assert.equal(longestRun([true, true]), 2);
});
