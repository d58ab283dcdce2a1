import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parsePowerHook } from './agent.ts';
import { isCode } from '../../../../test/support/errors.ts';

test('--power-hook takes a JSON array argv, program first', () => {
  assert.deepEqual(parsePowerHook('["/usr/local/bin/power", "h1"]'), ['/usr/local/bin/power', 'h1']);
  assert.throws(() => parsePowerHook('/usr/local/bin/power h1'), isCode('FERRY_ERR_INVALID_INPUT', /JSON array/));
  assert.throws(() => parsePowerHook('[]'), isCode('FERRY_ERR_INVALID_INPUT', /1 to 64 non-empty strings/));
  assert.throws(() => parsePowerHook('["", "x"]'), isCode('FERRY_ERR_INVALID_INPUT'));
  assert.throws(() => parsePowerHook('[1]'), isCode('FERRY_ERR_INVALID_INPUT'));
});
