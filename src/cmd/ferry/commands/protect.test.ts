import assert from 'node:assert/strict';
import { test } from 'node:test';
import { keepFlag, protectAction } from './protect.ts';
import { pointFlag } from './recover.ts';
import { isCode } from '../../../../test/support/errors.ts';

void test('ferry protect: the flags choose one action', () => {
  assert.equal(protectAction(undefined, { host: 'h1', list: true }), 'list');
  assert.equal(protectAction('web', { host: 'h1', list: true }), 'points');
  assert.equal(protectAction('web', { host: 'h1', stop: true }), 'stop');
  assert.equal(protectAction('web', { host: 'h1', once: true }), 'once');
  assert.equal(protectAction('web', { host: 'h1', every: '2s', keep: '5' }), 'start');
});

void test('ferry protect: contradictory or incomplete flags are refused', () => {
  assert.throws(() => protectAction('web', { host: 'h1', stop: true, once: true }), isCode('FERRY_ERR_INVALID_INPUT', /one of/));
  assert.throws(() => protectAction(undefined, { host: 'h1' }), isCode('FERRY_ERR_INVALID_INPUT', /name the container/));
  assert.throws(() => protectAction('web', { host: 'h1', stop: true, every: '2s' }), isCode('FERRY_ERR_INVALID_INPUT', /--every/));
});

void test('--keep and --point take whole numbers of at least 1', () => {
  assert.equal(keepFlag('3'), 3);
  assert.equal(keepFlag(undefined), undefined);
  assert.throws(() => keepFlag('0'), isCode('FERRY_ERR_INVALID_INPUT', /--keep/));
  assert.equal(pointFlag('12'), 12);
  assert.throws(() => pointFlag('latest'), isCode('FERRY_ERR_INVALID_INPUT', /--point/));
});
