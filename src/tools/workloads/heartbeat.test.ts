import { test } from 'node:test';
import assert from 'node:assert/strict';
import { beatRate, lazyWindowPace, parseBeats, type Beat } from './heartbeat.ts';

test('beat rate counts beats per second between the first and the last line', () => {
  assert.equal(beatRate(parseBeats('1 1000\n2 1050\n3 1100\n21 2000\n')), 20);
  assert.equal(beatRate(parseBeats('7 1000\n')), 0);
  assert.equal(beatRate([]), 0);
});

test('extra fields after the time are ignored', () => {
  assert.deepEqual(parseBeats('1 1000 00000000deadbeef\n'), [{ n: 1, atMs: 1000 }]);
});

void test('lazy window pace: beats per second after the resume over the pace at the start', () => {
  // 20 beats/s for 6 s, a 2 s silence (the freeze), then 10 beats/s for 1 s (the window), then 20 again.
  const beats: Beat[] = [];
  let n = 1;
  let at = 0;
  for (; at < 6000; at += 50) beats.push({ n: n++, atMs: at });
  at += 2000;
  for (const end = at + 1000; at < end; at += 100) beats.push({ n: n++, atMs: at });
  for (const end = at + 3000; at < end; at += 50) beats.push({ n: n++, atMs: at });
  const pace = lazyWindowPace(beats, 1000) ?? 0;
  assert.ok(pace > 0.45 && pace < 0.6, `pace ${pace}`);
  assert.equal(lazyWindowPace([], 1000), undefined);
});
