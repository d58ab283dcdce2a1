import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DirtyHistory } from './dirty-history.ts';

test('a page changed in T of the last k rounds is deferred; older changes fall out of the window', () => {
  const h = new DirtyHistory({ window: 3, threshold: 2 });
  h.record([1, 2]);
  assert.equal(h.isHot(1), false);
  h.record([1]);
  assert.equal(h.changeCount(1), 2);
  assert.equal(h.isHot(1), true);
  assert.equal(h.isHot(2), false);
  h.record([]);
  h.record([]);
  assert.equal(h.changeCount(1), 1, 'its round-2 change is still inside the 3-round window');
  h.record([]);
  assert.equal(h.changeCount(1), 0, 'three quiet rounds later the page has cooled');
  assert.equal(h.isHot(1), false);
});

test('adversarial: every page dirty every round — all are deferred once the threshold is met', () => {
  const h = new DirtyHistory({ window: 4, threshold: 2 });
  const all = Array.from({ length: 1000 }, (_, i) => i);
  h.record(all);
  assert.deepEqual(h.split(all).defer.length, 0, 'one round is not yet a history');
  h.record(all);
  const s = h.split(all);
  assert.equal(s.defer.length, 1000);
  assert.equal(s.send.length, 0);
});

test('adversarial: nothing dirty — nothing is hot, nothing deferred', () => {
  const h = new DirtyHistory({ window: 4, threshold: 1 });
  for (let i = 0; i < 10; i++) h.record([]);
  assert.deepEqual(h.split([]), { send: [], defer: [] });
  assert.equal(h.roundsRecorded, 10);
});

test('threshold 0 disables deferral (plain pre-copy, P.Haul-like)', () => {
  const h = new DirtyHistory({ window: 4, threshold: 0 });
  for (let i = 0; i < 5; i++) h.record([7]);
  assert.equal(h.isHot(7), false);
  assert.deepEqual(h.split([7]).send, [7]);
});

test('bad policies are refused with the numbers named', () => {
  assert.throws(() => new DirtyHistory({ window: 0, threshold: 0 }), /1\.\.30/);
  assert.throws(() => new DirtyHistory({ window: 3, threshold: 4 }), /0\.\.3, got 4/);
});
