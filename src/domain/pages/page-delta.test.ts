import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { PAGE, ZERO_PAGE, pageAddress, pageAddresses } from './page-delta.ts';

test('a page is named by its content: equal pages share an address, a zero page has the zero address', () => {
  const p = randomBytes(PAGE);
  const buf = Buffer.concat([p, Buffer.alloc(PAGE), p, p.subarray(0, 100)]);
  const a = pageAddresses(buf);
  assert.equal(a.length, 4);
  assert.equal(a[0], a[2]);
  assert.equal(a[1], ZERO_PAGE);
  assert.equal(a[3], pageAddress(p.subarray(0, 100)));
  assert.notEqual(a[0], a[3]);
});
