import assert from 'node:assert/strict';
import { test } from 'node:test';
import { beyondKeep, choosePoint, nextSequence, pointsOf } from './points.ts';
import { isCode } from '../../../test/support/errors.ts';

const NAMES = ['images/abc', 'protect/web/00000002', 'protect/web/00000010', 'protect/web/00000001', 'protect/web2/00000099', 'protect/web/junk', 'protect/web/2'];

void test('points are read from manifest names of that container only, by number', () => {
  assert.deepEqual(pointsOf('web', NAMES).map((p) => p.sequence), [1, 2, 10]);
  assert.deepEqual(pointsOf('web2', NAMES).map((p) => p.name), ['protect/web2/00000099']);
  assert.deepEqual(pointsOf('db', NAMES), []);
});

void test('a recovery takes the latest point, or the one asked for', () => {
  assert.equal(choosePoint('web', NAMES, 's3').sequence, 10);
  assert.equal(choosePoint('web', NAMES, 's3', 2).name, 'protect/web/00000002');
});

void test('no point, or an unknown one, is FERRY_ERR_STORE_MISSING naming the container and the store', () => {
  assert.throws(() => choosePoint('db', NAMES, 'dir /x'), isCode('FERRY_ERR_STORE_MISSING', /no protection point of db in dir \/x/));
  assert.throws(() => choosePoint('web', NAMES, 'dir /x', 3), isCode('FERRY_ERR_STORE_MISSING', /point 3 of web .* 1, 2, 10/));
});

void test('the next point follows the highest stored one, and never goes back', () => {
  assert.equal(nextSequence('web', NAMES), 11);
  assert.equal(nextSequence('db', NAMES), 1);
  assert.equal(nextSequence('web', NAMES, 20), 20);
});

void test('points beyond keep are the oldest', () => {
  assert.deepEqual(beyondKeep('web', NAMES, 1).map((p) => p.sequence), [1, 2]);
  assert.deepEqual(beyondKeep('web', NAMES, 3), []);
  assert.throws(() => beyondKeep('web', NAMES, 0), isCode('FERRY_ERR_INVALID_INPUT'));
});
