import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canMove, resolveUnfinished, destinationWord, destinationAbortable, SOURCE_PHASES } from './phases.ts';

test('the forward path is the patent order and nothing skips a step', () => {
  const path = ['preflight', 'stage', 'stop', 'transfer', 'restore', 'verify', 'commit', 'done'] as const;
  for (let i = 0; i + 1 < path.length; i++) assert.ok(canMove(path[i]!, path[i + 1]!), `${path[i]} -> ${path[i + 1]}`);
  assert.equal(canMove('stage', 'transfer'), false);
  assert.equal(canMove('preflight', 'done'), false);
  assert.equal(canMove('verify', 'stage'), false);
});

test('every non-terminal phase but rollback itself can start a rollback; terminal phases move nowhere', () => {
  for (const p of SOURCE_PHASES) {
    const expected = !['done', 'rolled-back', 'rolling-back', 'in-doubt'].includes(p);
    assert.equal(canMove(p, 'rolling-back'), expected, p);
  }
  for (const to of SOURCE_PHASES) {
    assert.equal(canMove('done', to), false);
    assert.equal(canMove('rolled-back', to), false);
  }
});

test('rollback ends rolled back or in doubt; in doubt resolves either way', () => {
  assert.ok(canMove('rolling-back', 'rolled-back'));
  assert.ok(canMove('rolling-back', 'in-doubt'));
  assert.equal(canMove('rolling-back', 'done'), false);
  assert.ok(canMove('in-doubt', 'rolled-back'));
  assert.ok(canMove('in-doubt', 'done'));
});

test('before restore the source rolls back without asking the destination', () => {
  for (const p of ['preflight', 'stage', 'stop', 'transfer'] as const) {
    assert.equal(resolveUnfinished(p).action, 'rollback', p);
    assert.equal(resolveUnfinished(p, 'unreachable').action, 'rollback', p);
  }
});

test('after restore the source never thaws while the destination may run a copy', () => {
  for (const p of ['restore', 'verify', 'commit', 'in-doubt'] as const) {
    assert.equal(resolveUnfinished(p, 'unreachable').action, 'wait', p);
    assert.equal(resolveUnfinished(p).action, 'wait', p);
    assert.equal(resolveUnfinished(p, 'aborted').action, 'rollback', p);
    assert.equal(resolveUnfinished(p, 'unknown').action, 'rollback', p);
    assert.equal(resolveUnfinished(p, 'committed').action, 'finish-commit', p);
  }
  assert.equal(resolveUnfinished('restore', 'running-uncommitted').action, 'abort-destination-then-rollback');
  assert.equal(resolveUnfinished('verify', 'running-uncommitted').action, 'abort-destination-then-rollback');
  assert.equal(resolveUnfinished('commit', 'running-uncommitted').action, 'finish-commit');
});

test('terminal records need nothing', () => {
  assert.equal(resolveUnfinished('done').action, 'none');
  assert.equal(resolveUnfinished('rolled-back', 'committed').action, 'none');
});

test('the destination speaks from its record', () => {
  assert.equal(destinationWord(undefined), 'unknown');
  assert.equal(destinationWord('prepared'), 'unknown');
  assert.equal(destinationWord('restored'), 'running-uncommitted');
  assert.equal(destinationWord('committed'), 'committed');
  assert.equal(destinationWord('aborted'), 'aborted');
  assert.equal(destinationAbortable('restored'), true);
  assert.equal(destinationAbortable('committed'), false);
});
