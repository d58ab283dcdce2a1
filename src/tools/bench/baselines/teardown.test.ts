/** @module tools/bench/baselines/teardown.test — undo steps run newest first, all of them, once; failures are kept, never swallowed. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FerryError } from '../../../core/errors.ts';
import { joinProblems, Teardown, withTeardown } from './teardown.ts';

const ok = (effect: () => void) => (): Promise<void> => { effect(); return Promise.resolve(); };
const fail = (err: Error) => (): Promise<never> => Promise.reject(err);
/** A result as a baseline returns it. */
type Result = { totalMs: number; problem?: string };

void test('steps run newest first, each once, past a failing one', async () => {
  const t = new Teardown();
  const order: string[] = [];
  t.add('a', ok(() => order.push('a')));
  t.add('b', fail(new Error('busy')));
  t.add('c', ok(() => order.push('c')));
  assert.deepEqual(await t.run(), ['b: busy']);
  assert.deepEqual(order, ['c', 'a']);
  assert.deepEqual(await t.run(), [], 'a second run does nothing');
});

void test('a successful body returns its result, with cleanup failures added to its problem', async () => {
  const clean = await withTeardown((t) => {
    t.add('dir', ok(() => undefined));
    return Promise.resolve<Result>({ totalMs: 7 });
  });
  assert.deepEqual(clean, { totalMs: 7 });
  const r = await withTeardown((t) => {
    t.add('daemon 42', fail(new FerryError('FERRY_ERR_TESTBED', 'still there')));
    return Promise.resolve<Result>({ totalMs: 7, problem: 'heartbeat empty' });
  });
  assert.deepEqual(r, { totalMs: 7, problem: 'heartbeat empty; cleanup: daemon 42: still there' });
});

void test('problems join into one line, or none', () => {
  assert.equal(joinProblems(undefined, ''), undefined);
  assert.equal(joinProblems('a', undefined, 'b'), 'a; b');
});

void test('a failed body is rethrown after cleanup, with its code and the cleanup failures', async () => {
  let cleaned = false;
  await assert.rejects(withTeardown((t) => {
    t.add('container', ok(() => { cleaned = true; }));
    return Promise.reject(new FerryError('FERRY_ERR_CHECKPOINT', 'dump failed'));
  }), (err: FerryError) => err.code === 'FERRY_ERR_CHECKPOINT' && err.message === 'dump failed');
  assert.equal(cleaned, true);
  await assert.rejects(withTeardown((t) => {
    t.add('dir', fail(new Error('EBUSY')));
    return Promise.reject(new FerryError('FERRY_ERR_RESTORE', 'restore failed'));
  }), (err: FerryError) => err.code === 'FERRY_ERR_RESTORE' && /restore failed; cleanup also failed: dir: EBUSY/.test(err.message));
});
