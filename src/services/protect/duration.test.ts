import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatDuration, parseDuration } from './duration.ts';
import { isCode } from '../../../test/support/errors.ts';

void test('durations with a unit become milliseconds', () => {
  assert.equal(parseDuration('500ms'), 500);
  assert.equal(parseDuration('30s'), 30_000);
  assert.equal(parseDuration('1.5s'), 1500);
  assert.equal(parseDuration('2m'), 120_000);
  assert.equal(parseDuration(' 1h '), 3_600_000);
});

void test('a duration without a unit, with a sign or of zero is refused with the field named', () => {
  for (const bad of ['30', '-5s', '0s', 's', '1d', '1 s', '']) {
    assert.throws(() => parseDuration(bad, '--every'), isCode('FERRY_ERR_INVALID_INPUT', /--every/));
  }
});

void test('durations read back in the unit that suits them', () => {
  assert.equal(formatDuration(850), '850 ms');
  assert.equal(formatDuration(12_345), '12.3 s');
  assert.equal(formatDuration(270_000), '4.5 min');
  assert.equal(formatDuration(7_200_000), '2.0 h');
});
