import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canMove, resolveUnfinished, afterAbort, destinationWord, destinationAbortable, SOURCE_PHASES, DESTINATION_PHASES, type SourceFlags } from './phases.ts';

const none: SourceFlags = { restoreRequested: false, commitSent: false };
const restoring: SourceFlags = { restoreRequested: true, commitSent: false };
const committing: SourceFlags = { restoreRequested: true, commitSent: true };

test('the forward path is the patent order and nothing skips a step', () => {
  const path = ['preflight', 'stage', 'stop', 'transfer', 'restore', 'verify', 'commit', 'done'] as const;
  for (let i = 0; i + 1 < path.length; i++) assert.ok(canMove(path[i]!, path[i + 1]!), `${path[i]} -> ${path[i + 1]}`);
  assert.equal(canMove('stage', 'transfer'), false);
  // pre-copy rounds sit between stage and stop; stop-and-copy goes straight on
  assert.ok(canMove('stage', 'precopy'));
  assert.ok(canMove('precopy', 'stop'));
  assert.equal(canMove('precopy', 'transfer'), false);
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

test('rollback ends rolled back, in doubt, or done (when the destination had committed)', () => {
  assert.ok(canMove('rolling-back', 'rolled-back'));
  assert.ok(canMove('rolling-back', 'in-doubt'));
  assert.ok(canMove('rolling-back', 'done'));
  assert.ok(canMove('in-doubt', 'rolled-back'));
  assert.ok(canMove('in-doubt', 'done'));
  assert.equal(canMove('in-doubt', 'commit'), false);
});

test('before a restore was requested the source aborts and thaws, whatever the phase and the word', () => {
  for (const p of ['preflight', 'stage', 'precopy', 'stop', 'transfer', 'rolling-back'] as const) {
    assert.equal(resolveUnfinished(p, none).action, 'abort-and-thaw', p);
    assert.equal(resolveUnfinished(p, none, 'unreachable').action, 'abort-and-thaw', p);
  }
});

test('once a restore was requested, no status read ever thaws: only an abort answer may', () => {
  for (const p of ['restore', 'verify', 'commit', 'rolling-back', 'in-doubt'] as const) {
    for (const word of [undefined, 'unreachable', 'unknown', 'aborted', 'may-run'] as const) {
      assert.equal(resolveUnfinished(p, restoring, word).action, 'abort-then-decide', `${p} ${word}`);
    }
    assert.equal(resolveUnfinished(p, restoring, 'committed').action, 'finish-commit', p);
  }
});

test('a commit that had begun is finished when the destination holds a copy, never otherwise', () => {
  assert.equal(resolveUnfinished('commit', committing, 'may-run').action, 'commit');
  assert.equal(resolveUnfinished('in-doubt', committing, 'may-run').action, 'commit');
  assert.equal(resolveUnfinished('in-doubt', restoring, 'may-run').action, 'abort-then-decide', 'in doubt from verify: commit never began');
  assert.equal(resolveUnfinished('commit', committing, 'aborted').action, 'abort-then-decide');
  assert.equal(resolveUnfinished('commit', committing, 'unreachable').action, 'abort-then-decide');
});

test('an abort answer decides: aborted/unknown thaw, committed finishes, silence keeps the source frozen', () => {
  assert.equal(afterAbort('aborted'), 'thaw');
  assert.equal(afterAbort('unknown'), 'thaw');
  assert.equal(afterAbort('committed'), 'finish-commit');
  assert.equal(afterAbort('unreachable'), 'stay-frozen');
  assert.equal(afterAbort('may-run'), 'stay-frozen');
});

test('terminal records need nothing', () => {
  assert.equal(resolveUnfinished('done', committing).action, 'none');
  assert.equal(resolveUnfinished('rolled-back', restoring, 'committed').action, 'none');
});

test('the destination speaks from its record: a restore under way or an abort under way may run', () => {
  assert.equal(destinationWord(undefined), 'unknown');
  assert.equal(destinationWord('prepared'), 'unknown');
  assert.equal(destinationWord('created'), 'unknown');
  assert.equal(destinationWord('received'), 'may-run');
  assert.equal(destinationWord('restored'), 'may-run');
  assert.equal(destinationWord('aborting'), 'may-run');
  assert.equal(destinationWord('committed'), 'committed');
  assert.equal(destinationWord('aborted'), 'aborted');
  for (const p of DESTINATION_PHASES) assert.equal(destinationAbortable(p), p !== 'committed' && p !== 'aborted', p);
});
