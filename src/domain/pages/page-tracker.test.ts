import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PageTracker, type PageVerdict } from './page-tracker.ts';
import { PAGE, ZERO_PAGE } from './page-delta.ts';

/** Runs one round over `pages` (key -> address) and returns the verdicts and the count. */
function round(t: PageTracker, pages: Array<[number, string]>) {
  t.beginRound();
  const verdicts: PageVerdict[] = pages.map(([k, a]) => t.observe(k, a));
  return { verdicts, count: t.endRound() };
}

const content = (r: number, k: number) => `r${r}k${k}`;
const all = (r: number, n = 4) => Array.from({ length: n }, (_, k): [number, string] => [k, content(r, k)]);

test('round 1 sends every non-zero page once; zero pages and duplicates never cross', () => {
  const t = new PageTracker({ window: 3, threshold: 2 });
  const { verdicts, count } = round(t, [[0, 'a'], [1, ZERO_PAGE], [2, 'a'], [3, 'b']]);
  assert.deepEqual(verdicts, ['send', 'skip', 'skip', 'send']);
  assert.equal(count.dirtyPages, 3);
  assert.equal(count.sentPages, 2);
  assert.equal(t.heldPages, 2);
});

test('every page dirty every round: sent in round 2, deferred from round 3 on, all pending for the final round', () => {
  const t = new PageTracker({ window: 3, threshold: 2 });
  round(t, all(1));
  assert.deepEqual(round(t, all(2)).verdicts, ['send', 'send', 'send', 'send']);
  const r3 = round(t, all(3));
  assert.deepEqual(r3.verdicts, ['defer', 'defer', 'defer', 'defer']);
  assert.equal(r3.count.deferredPages, 4);
  assert.equal(r3.count.pendingBytes, 4 * PAGE);
  // the final round needs each page's new content once
  assert.equal(t.needFinal(content(3, 0)), true);
  assert.equal(t.needFinal(content(3, 0)), false);
});

test('without deferral (T = 0) every dirty page is sent every round', () => {
  const t = new PageTracker({ window: 3, threshold: 0 });
  for (let r = 1; r <= 5; r++) assert.deepEqual(round(t, all(r)).verdicts, ['send', 'send', 'send', 'send']);
});

test('nothing dirty: a quiet round sends nothing and predicts an empty final round', () => {
  const t = new PageTracker({ window: 3, threshold: 2 });
  round(t, all(1));
  const quiet = round(t, all(1));
  assert.deepEqual(quiet.verdicts, ['skip', 'skip', 'skip', 'skip']);
  assert.deepEqual([quiet.count.dirtyPages, quiet.count.sentPages, quiet.count.pendingBytes], [0, 0, 0]);
});

test('a page that flips back to old content is dirty but not sent again', () => {
  const t = new PageTracker({ window: 3, threshold: 0 });
  round(t, [[0, 'A']]);
  assert.deepEqual(round(t, [[0, 'B']]).verdicts, ['send']);
  const back = round(t, [[0, 'A']]);
  assert.deepEqual(back.verdicts, ['skip']);
  assert.equal(back.count.dirtyPages, 1);
  assert.equal(t.needFinal('A'), false);
});

test('a deferred page that cools down is sent once its history falls below T', () => {
  const t = new PageTracker({ window: 2, threshold: 2 });
  round(t, [[0, 'a']]);
  round(t, [[0, 'b']]); // changed once: sent
  assert.deepEqual(round(t, [[0, 'c']]).verdicts, ['defer']); // changed in 2 of 2
  const r4 = round(t, [[0, 'c']]); // unchanged: 1 of the last 2 rounds
  assert.deepEqual(r4.verdicts, ['send']);
  assert.equal(r4.count.pendingPages, 0);
});

test('pending bytes count an old deferred page that did not change this round', () => {
  const t = new PageTracker({ window: 3, threshold: 2 });
  round(t, [[0, 'a'], [1, 'x']]);
  round(t, [[0, 'b'], [1, 'x']]);
  round(t, [[0, 'c'], [1, 'x']]); // key 0 deferred
  const r = round(t, [[0, 'c'], [1, 'y']]); // key 0 still hot (2 of 3) and lacking; key 1 dirty once, sent
  assert.deepEqual(r.verdicts, ['defer', 'send']);
  assert.equal(r.count.pendingBytes, 2 * PAGE);
});
