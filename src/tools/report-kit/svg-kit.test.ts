import { test } from 'node:test';
import assert from 'node:assert/strict';
import { niceTicks, tickLabel } from './svg-kit.ts';

test('axis ticks are round numbers covering the data', () => {
  assert.deepEqual(niceTicks(14.2), [0, 5, 10, 15]);
  assert.deepEqual(niceTicks(1068, 4), [0, 500, 1000, 1500]);
  assert.deepEqual(niceTicks(0.95), [0, 0.2, 0.4, 0.6, 0.8, 1]);
  assert.deepEqual(niceTicks(20), [0, 5, 10, 15, 20]);
  assert.deepEqual(niceTicks(0), [0, 0.2, 0.4, 0.6, 0.8, 1], 'an empty panel still has an axis');
  assert.equal(tickLabel(0.4, niceTicks(0.95)), '0.4');
  assert.equal(tickLabel(1000, niceTicks(1068, 4)), '1000');
});
