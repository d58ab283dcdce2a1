/** @module tools/workloads/load-log.test — the load workload's log: parsing, SLA shortfall, mean, beats. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { continuity } from './heartbeat.ts';
import { meanGot, parseLoadBeats, parseLoadLog, slaShortfallSeconds } from './load-log.ts';

const LOG = 't=1 want=200 got=199\nt=2 want=200 got=150\nt=3 want=800 got=790\nt=6 want=800 got=120\nt=7 want=0 got=3\nt=8 want=8';

void test('parseLoadLog reads t, want and got, and skips a line still being written', () => {
  assert.deepEqual(parseLoadLog(LOG), [
    { t: 1, want: 200, got: 199 }, { t: 2, want: 200, got: 150 }, { t: 3, want: 800, got: 790 }, { t: 6, want: 800, got: 120 }, { t: 7, want: 0, got: 3 },
  ]);
  assert.deepEqual(parseLoadLog(''), []);
  assert.deepEqual(parseLoadLog('noise\n t=4 want=1 got=1 \n'), [{ t: 4, want: 1, got: 1 }]);
});

void test('slaShortfallSeconds counts seconds under tolerance × want, a stall line for all its seconds', () => {
  const lines = parseLoadLog(LOG);
  // t=2 (150 < 180): 1 s; t=6 follows t=3 (120 < 720): 3 s; want 0 is never short
  assert.equal(slaShortfallSeconds(lines), 4);
  assert.equal(slaShortfallSeconds(lines, 0.7), 3);
  assert.equal(slaShortfallSeconds(lines, 0), 0);
  assert.equal(slaShortfallSeconds([]), 0);
  assert.equal(slaShortfallSeconds([{ t: 5, want: 100, got: 0 }]), 1);
});

void test('meanGot weighs each line by the seconds it stands for', () => {
  assert.equal(meanGot([{ t: 1, want: 0, got: 100 }, { t: 4, want: 0, got: 300 }]), 250);
  assert.equal(meanGot([]), 0);
});

void test('as beats, a restored log is continuous and a restarted one is not', () => {
  const restored = parseLoadBeats('t=1 want=1 got=1\nt=2 want=1 got=1\nt=5 want=1 got=1\n');
  assert.deepEqual(restored, [{ n: 1, atMs: 1000 }, { n: 2, atMs: 2000 }, { n: 3, atMs: 5000 }]);
  assert.equal(continuity(restored).continuous, true);
  const restarted = parseLoadBeats('t=1 want=1 got=1\nt=2 want=1 got=1\nt=1 want=1 got=1\n');
  assert.equal(continuity(restarted).continuous, false);
});
