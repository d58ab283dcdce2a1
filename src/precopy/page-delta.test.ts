import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { PAGE, ZERO_PAGE, pageAddress, pageAddresses, pagesToSend, rebuild, recipeOf, RebuildError } from './page-delta.ts';

/** A receiver's page store. */
function store() {
  const m = new Map<string, Uint8Array>();
  return {
    has: (a: string) => m.has(a),
    get: (a: string) => m.get(a),
    put: (p: Uint8Array) => m.set(pageAddress(p), Uint8Array.from(p)),
    size: () => m.size,
  };
}

function page(buf: Uint8Array, i: number): Uint8Array {
  return buf.subarray(i * PAGE, Math.min(buf.length, (i + 1) * PAGE));
}

test('zero pages are never sent and rebuild as zeros', () => {
  const buf = Buffer.alloc(PAGE * 4);
  randomBytes(PAGE).copy(buf, PAGE * 2);
  const addrs = pageAddresses(buf);
  assert.equal(addrs[0], ZERO_PAGE);
  const s = store();
  const send = pagesToSend(addrs, s.has);
  assert.deepEqual(send, [2]);
  for (const i of send) s.put(page(buf, i));
  assert.deepEqual(rebuild(recipeOf(buf), s.get), buf);
});

test('the same content twice is sent once; a page the receiver holds is not sent', () => {
  const p = randomBytes(PAGE);
  const q = randomBytes(PAGE);
  const buf = Buffer.concat([p, q, p, p]);
  const s = store();
  s.put(q);
  assert.deepEqual(pagesToSend(pageAddresses(buf), s.has), [0]);
});

test('a page that flips back to old content costs nothing in the next round', () => {
  const s = store();
  const v1 = randomBytes(PAGE * 3);
  for (const i of pagesToSend(pageAddresses(v1), s.has)) s.put(page(v1, i));
  const v2 = Buffer.from(v1);
  randomBytes(PAGE).copy(v2, PAGE);
  assert.deepEqual(pagesToSend(pageAddresses(v2), s.has), [1], 'round 2 sends the changed page');
  for (const i of pagesToSend(pageAddresses(v2), s.has)) s.put(page(v2, i));
  const v3 = Buffer.from(v1);
  assert.deepEqual(pagesToSend(pageAddresses(v3), s.has), [], 'round 3: back to v1, all held');
  assert.deepEqual(rebuild(recipeOf(v3), s.get), v3);
});

test('every page dirty every round: everything is sent every round', () => {
  const s = store();
  for (let r = 0; r < 3; r++) {
    const buf = randomBytes(PAGE * 8);
    const send = pagesToSend(pageAddresses(buf), s.has);
    assert.equal(send.length, 8);
    for (const i of send) s.put(page(buf, i));
    assert.deepEqual(rebuild(recipeOf(buf), s.get), buf);
  }
});

test('a short last page and an empty file rebuild exactly', () => {
  const s = store();
  const buf = randomBytes(PAGE * 2 + 100);
  for (const i of pagesToSend(pageAddresses(buf), s.has)) s.put(page(buf, i));
  assert.deepEqual(rebuild(recipeOf(buf), s.get), buf);
  assert.deepEqual(rebuild(recipeOf(Buffer.alloc(0)), s.get), Buffer.alloc(0));
});

test('a missing or wrong page is refused, never rebuilt into a bad image', () => {
  const buf = randomBytes(PAGE * 2);
  const r = recipeOf(buf);
  assert.throws(() => rebuild(r, () => undefined), RebuildError);
  assert.throws(() => rebuild(r, () => randomBytes(PAGE)), /does not match/);
  const tampered = { ...r, sha256: '0'.repeat(64) };
  const s = store();
  s.put(page(buf, 0));
  s.put(page(buf, 1));
  assert.throws(() => rebuild(tampered, s.get), /digest/);
});
