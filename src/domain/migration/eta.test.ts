import assert from 'node:assert/strict';
import { test } from 'node:test';
import { etaMs, nextPace } from './eta.ts';

const MiB = 1048576;

test('a steady 10 MiB/s with 50 of 100 MiB read leaves 5 s', () => {
  let p = nextPace(undefined, 0, 0);
  for (let s = 1; s <= 5; s++) p = nextPace(p, s * 1000, s * 10 * MiB);
  assert.equal(p.bps, 10 * MiB);
  assert.equal(etaMs(100 * MiB, 50 * MiB, p), 5000);
});

test('samples closer than 250 ms wait for the next one; a change of pace moves the average by 30 %', () => {
  let p = nextPace(nextPace(undefined, 0, 0), 1000, 10 * MiB);
  assert.equal(nextPace(p, 1100, 11 * MiB), p);
  p = nextPace(p, 2000, 30 * MiB);
  assert.equal(p.bps, 0.3 * 20 * MiB + 0.7 * 10 * MiB);
});

test('no ETA without an estimate, before a second of pace, or once the first copy is past the estimate', () => {
  assert.equal(etaMs(10 * MiB, MiB, nextPace(nextPace(undefined, 0, 0), 500, MiB)), undefined, 'half a second of pace');
  const p = nextPace(nextPace(undefined, 0, 0), 1000, MiB);
  assert.equal(etaMs(undefined, 0, p), undefined);
  assert.equal(etaMs(10 * MiB, 0, nextPace(undefined, 0, 0)), undefined);
  assert.equal(etaMs(10 * MiB, 12 * MiB, p), undefined);
});

test('a counter that starts again (a new round) restarts from its sample and keeps the pace', () => {
  const p = nextPace(nextPace(undefined, 0, 0), 1000, 10 * MiB);
  const q = nextPace(p, 1500, 2 * MiB);
  assert.deepEqual(q, { at: 1500, bytes: 2 * MiB, bps: 10 * MiB, since: 0 });
});
