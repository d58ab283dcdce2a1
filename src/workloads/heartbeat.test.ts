import { test } from 'node:test';
import assert from 'node:assert/strict';
import { beatRate, parseBeats } from './heartbeat.ts';

test('beat rate counts beats per second between the first and the last line', () => {
  assert.equal(beatRate(parseBeats('1 1000\n2 1050\n3 1100\n21 2000\n')), 20);
  assert.equal(beatRate(parseBeats('7 1000\n')), 0);
  assert.equal(beatRate([]), 0);
});

test('extra fields after the time are ignored', () => {
  assert.deepEqual(parseBeats('1 1000 00000000deadbeef\n'), [{ n: 1, atMs: 1000 }]);
});
