import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseBeats, continuity } from './counter-image.ts';

test('a continuous log reports its ends and longest silence', () => {
  const c = continuity(parseBeats('1 10000\n2 10100\n3 10950\n4 11050\n'));
  assert.deepEqual(c, { continuous: true, first: 1, last: 4, longestGapMs: 850 });
});

test('a reset, a repeat and a skip all break continuity, naming the line', () => {
  assert.equal(continuity(parseBeats('1 1\n2 1.1\n1 1.2\n')).continuous, false);
  assert.match(continuity(parseBeats('1 1\n2 1.1\n2 1.2\n')).problem ?? '', /line 3: 2 follows 2/);
  assert.equal(continuity(parseBeats('1 1\n2 1.1\n4 1.2\n')).continuous, false);
  assert.equal(continuity(parseBeats('5 1\n6 1.1\n')).continuous, false);
  assert.equal(continuity([]).continuous, false);
});
