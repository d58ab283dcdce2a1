import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { PageStore } from './page-store.ts';
import { PAGE, ZERO_PAGE, pageAddresses } from '../../domain/pages/page-delta.ts';
import { isCode } from '../../../test/support/errors.ts';

const tmp = () => mkdtempSync(path.join(os.tmpdir(), 'ferry-store-'));

test('pages arrive by stream in arbitrary chunks, are addressed here, and rebuild a file in any order, zeros included', async () => {
  const dir = tmp();
  try {
    const pages = randomBytes(PAGE * 5);
    const store = PageStore.create();
    // chunks that cut pages in odd places
    const cuts = [pages.subarray(0, 100), pages.subarray(100, PAGE * 2 + 7), pages.subarray(PAGE * 2 + 7)];
    await pipeline(Readable.from(cuts), store.sink());
    assert.deepEqual(store.counts, { held: 5, received: 5 });
    const a = pageAddresses(pages);
    const order = [a[3], ZERO_PAGE, a[0], a[0], a[4], a[1], a[2]] as string[];
    await store.rebuild({ files: [{ name: 'pages-1.img', pages: order }] }, dir);
    const out = readFileSync(path.join(dir, 'pages-1.img'));
    const expect = Buffer.concat([pages.subarray(3 * PAGE, 4 * PAGE), Buffer.alloc(PAGE), pages.subarray(0, PAGE), pages.subarray(0, PAGE), pages.subarray(4 * PAGE), pages.subarray(PAGE, 2 * PAGE), pages.subarray(2 * PAGE, 3 * PAGE)]);
    assert.ok(out.equals(expect));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a duplicate page is held once; the zero page is always held and never stored', () => {
  const store = PageStore.create();
  const p = randomBytes(PAGE);
  store.putPages(Buffer.concat([p, p, Buffer.alloc(PAGE)]));
  assert.deepEqual(store.counts, { held: 1, received: 3 });
  assert.ok(store.has(ZERO_PAGE));
});

test('a stream that ends mid-page fails and says so', async () => {
  const store = PageStore.create();
  await assert.rejects(pipeline(Readable.from([randomBytes(PAGE + 10)]), store.sink()), isCode('FERRY_ERR_PROTOCOL', /10 bytes into a page/));
});

test('a recipe naming a page that never arrived fails before any file is written', async () => {
  const dir = tmp();
  try {
    const store = PageStore.create();
    const p = randomBytes(PAGE);
    store.putPages(p);
    const fake = pageAddresses(randomBytes(PAGE))[0] as string;
    await assert.rejects(store.rebuild({ files: [{ name: 'pages-1.img', pages: [...pageAddresses(p), fake] }] }, dir), isCode('FERRY_ERR_INTEGRITY'));
    assert.equal(existsSync(path.join(dir, 'pages-1.img')), false);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a page whose content differs from what the sender claims cannot be smuggled in: the store addresses what arrived', () => {
  const store = PageStore.create();
  const real = randomBytes(PAGE);
  const claimed = pageAddresses(randomBytes(PAGE))[0] as string;
  store.putPages(real);
  assert.equal(store.has(claimed), false);
  assert.equal(store.has(pageAddresses(real)[0] as string), true);
});
