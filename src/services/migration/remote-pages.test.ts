/** @module services/migration/remote-pages.test — a fault's want goes to the source once, again when it stays unanswered (a cut link), and never after its pages came. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FerryError } from '../../core/errors.ts';
import { PAGE } from '../../domain/pages/page-delta.ts';
import type { DumpLayout } from '../../domain/pages/page-map.ts';
import { REASK_MS, RemotePages } from './remote-pages.ts';

const VADDR = 0x10000;
const layout: DumpLayout = { lazy: new Map([[1, [{ pid: 1, vaddr: VADDR, nrPages: 4, file: 'pages-1.img', first: 0 }]]]), eager: new Map(), lazyPages: 4 };

test('a want is given once, again after REASK_MS unanswered, and no more once its page came', async () => {
  const pages = new RemotePages(layout, 60_000);
  let clock = 1000;
  const now = (): number => clock;
  const read = pages.read(1, VADDR + PAGE, 1);
  assert.ok(read instanceof Promise, 'a page not here yet is waited for');
  assert.deepEqual(await pages.takeWants(10, Infinity, now), [{ pid: 1, vaddr: VADDR + PAGE, nrPages: 1 }]);
  assert.deepEqual(await pages.takeWants(10, Infinity, now), [], 'given once: the source is pushing it');
  clock += REASK_MS - 1;
  assert.deepEqual(await pages.takeWants(10, Infinity, now), []);
  clock += 1;
  assert.deepEqual(await pages.takeWants(10, Infinity, now), [{ pid: 1, vaddr: VADDR + PAGE, nrPages: 1 }], 'unanswered: the answer or the push may have died with the link');
  pages.put({ pid: 1, vaddr: VADDR, pages: Buffer.alloc(2 * PAGE, 7) });
  assert.deepEqual(await read, Buffer.alloc(PAGE, 7));
  clock += 10 * REASK_MS;
  assert.deepEqual(await pages.takeWants(10, Infinity, now), [], 'answered: never asked again');
  assert.deepEqual(pages.read(1, VADDR, 1), Buffer.alloc(PAGE, 7), 'a page held is served at once');
});

test('a new fault wakes a waiting poll; a page that never comes fails its read; a record outside the lazy runs is refused', async () => {
  const pages = new RemotePages(layout, 50);
  const poll = pages.takeWants(60_000);
  const read = pages.read(1, VADDR, 2) as Promise<Buffer>;
  assert.deepEqual(await poll, [{ pid: 1, vaddr: VADDR, nrPages: 2 }]);
  await assert.rejects(read, (err: unknown) => err instanceof FerryError && err.code === 'FERRY_ERR_PEER_TIMEOUT' && /pageWaitMs/.test(err.message));
  assert.deepEqual(await pages.takeWants(1), [], 'a failed read wants nothing more');
  assert.throws(() => pages.put({ pid: 1, vaddr: VADDR + 4 * PAGE, pages: Buffer.alloc(PAGE) }), (err: unknown) => err instanceof FerryError && err.code === 'FERRY_ERR_PROTOCOL');
  assert.equal(pages.read(2, VADDR, 1), undefined, 'not a lazy page: the daemon serves it from the images');
});
