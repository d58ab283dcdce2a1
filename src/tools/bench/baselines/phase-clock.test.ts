/** @module tools/bench/baselines/phase-clock.test — phases are timed in whole ms, also when they fail, and add up when repeated. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PhaseClock } from './phase-clock.ts';

void test('phases and marks on a fake clock', async () => {
  let now = 1000;
  const clock = new PhaseClock(() => now);
  const advance = <T>(ms: number, outcome: () => Promise<T>) => (): Promise<T> => { now += ms; return outcome(); };
  const start = clock.mark();
  assert.equal(await clock.time('checkpoint', advance(120.4, () => Promise.resolve('done'))), 'done');
  await assert.rejects(clock.time('copy', advance(30, () => Promise.reject(new Error('cut')))));
  await clock.time('copy', advance(10, () => Promise.resolve()));
  assert.deepEqual(clock.phases, { checkpoint: 120, copy: 40 });
  assert.equal(clock.since(start), 160);
});
