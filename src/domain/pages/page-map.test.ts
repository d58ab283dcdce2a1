import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FerryError } from '../../core/errors.ts';
import { PE_LAZY, PE_PARENT, PE_PRESENT, encodePagemap, parsePagemap } from './criu-pagemap.ts';
import { PageMap } from './page-map.ts';

const P = PE_PRESENT;
const L = PE_PRESENT | PE_LAZY;

test('a pagemap image reads back as written, 64-bit lengths and large addresses included', () => {
  const map = { pagesId: 7, runs: [{ vaddr: 0x7fff_f000_0000, nrPages: 3, flags: L }, { vaddr: 0x1000, nrPages: 300, flags: P }] };
  assert.deepEqual(parsePagemap(encodePagemap(map)), map);
});

test('damaged pagemaps are refused with the reason', () => {
  assert.throws(() => parsePagemap(Buffer.alloc(8)), /wrong magic/);
  const good = encodePagemap({ pagesId: 1, runs: [{ vaddr: 0x1000, nrPages: 1, flags: P }] });
  assert.throws(() => parsePagemap(good.subarray(0, good.length - 2)), (e: FerryError) => e.code === 'FERRY_ERR_PROTOCOL');
});

const recipe = { files: [{ name: 'pages-1.img', pages: ['s0', 's1', 'a0', 'a1', 'a2', 'b0'] }, { name: 'pages-2.img', pages: ['shm0', 'shm1'] }] };
// Process 10: a stack page (eager), then two lazy runs that touch each other, then an eager file page.
const pm10 = { pagesId: 1, runs: [{ vaddr: 0x7000, nrPages: 2, flags: P }, { vaddr: 0x10000, nrPages: 2, flags: L }, { vaddr: 0x12000, nrPages: 1, flags: L }, { vaddr: 0x20000, nrPages: 1, flags: P }] };

test('lookup answers by process and address, across touching runs; eager pages are the ones not marked lazy', () => {
  const map = PageMap.build(new Map([[10, pm10]]), recipe);
  assert.deepEqual(map.lookup(10, 0x10000, 3), ['a0', 'a1', 'a2']);
  assert.deepEqual(map.lookup(10, 0x11000, 1), ['a1']);
  assert.equal(map.lookup(10, 0x7000, 1), undefined, 'an eager page is not served lazily');
  assert.equal(map.lookup(10, 0x12000, 2), undefined, 'past the last lazy page');
  assert.equal(map.lookup(11, 0x10000, 1), undefined, 'an unknown process');
  assert.equal(map.lookup(10, 0x10001, 1), undefined, 'an unaligned address');
  assert.deepEqual(map.eager.get('pages-1.img'), [0, 1, 5]);
  assert.deepEqual(map.eager.get('pages-2.img'), [0, 1], 'a file no process maps (shared memory) is read whole by the restorer');
  assert.equal(map.lazyPages, 3);
});

test('a pagemap and a recipe that disagree, or a parent dump, are integrity errors', () => {
  const short = { pagesId: 1, runs: [{ vaddr: 0x1000, nrPages: 2, flags: P }] };
  assert.throws(() => PageMap.build(new Map([[10, short]]), recipe), (e: FerryError) => e.code === 'FERRY_ERR_INTEGRITY' && /counts 2 pages/.test(e.message));
  assert.throws(() => PageMap.build(new Map([[10, { pagesId: 9, runs: [] }]]), recipe), /pages-9.img/);
  assert.throws(() => PageMap.build(new Map([[10, { pagesId: 1, runs: [{ vaddr: 0x1000, nrPages: 6, flags: PE_PARENT }] }]]), recipe), /parent dump/);
});
