/**
 * A protection point through a directory store and back, without Docker: a fake CRIU dump
 * (page files with duplicates and zero pages, other image files) and a writable layer are
 * stored, a second point after a few pages changed uploads only those, both read back
 * byte for byte; a corrupted pack, a missing object and a truncated manifest are refused.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, readdir, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { PAGE } from '../../domain/pages/page-delta.ts';
import { storeStream } from '../prestore/block-chain.ts';
import { protectManifestName, type StateManifest } from '../prestore/state-manifest.ts';
import { archiveTree } from '../prestore/tree-archive.ts';
import { DirectoryStore } from '../../adapters/object-store/directory-store.ts';
import { isCode } from '../../../test/support/errors.ts';
import { storeDump } from './dump-store.ts';
import { PackLedger } from './pack-ledger.ts';
import { checkComplete, listPoints, readManifest, stagePoint } from './point-reader.ts';

let root: string;
let store: DirectoryStore;
const ledger = new PackLedger();
const PAGES = 3000;
const OPTIONS = { concurrency: 4, maxFileBytes: 1 << 30 };

/** Pages: random ones, a zero run, a duplicate of page 0. */
function pageFile(): Buffer {
  const b = randomBytes(PAGES * PAGE);
  b.fill(0, 100 * PAGE, 200 * PAGE);
  b.copy(b, 300 * PAGE, 0, PAGE);
  return b;
}

async function writeDump(dir: string, files: Record<string, Buffer>): Promise<void> {
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  for (const [name, bytes] of Object.entries(files)) await writeFile(path.join(dir, name), bytes);
}

/** Stores a point of the dump and upper tree; returns its manifest and the dump's upload. */
async function storePoint(sequence: number, dumpDir: string, upperDir: string) {
  const dump = await storeDump(store, ledger, dumpDir, { concurrency: 4, repackBelow: 0.5 });
  const upper = await storeStream(store, archiveTree(upperDir));
  const m: StateManifest = {
    version: 1, container: 'web', sequence, takenAt: new Date().toISOString(), frozenMs: 1,
    imageId: `sha256:${'a'.repeat(64)}`, imageRef: 'img:1', createBody: { Image: 'img:1' }, volumes: [],
    upper: upper.blocks, checkpoint: dump.checkpoint.blocks, memory: { packs: dump.packs, recipe: dump.recipe.blocks, pages: dump.pages },
    bytes: dump.bytes + upper.bytes, uploadedBytes: dump.uploadedBytes + upper.uploadedBytes,
  };
  await store.putManifest(protectManifestName('web', sequence), Buffer.from(JSON.stringify(m)));
  ledger.commit();
  return { m, dump };
}

async function assertSameFiles(a: string, b: string): Promise<void> {
  const names = (await readdir(a)).sort();
  assert.deepEqual((await readdir(b)).sort(), names);
  for (const n of names) assert.ok((await readFile(path.join(a, n))).equals(await readFile(path.join(b, n))), `${n} differs`);
}

before(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'ferry-point-'));
  await mkdir(path.join(root, 'store'));
  store = new DirectoryStore(path.join(root, 'store'));
  await store.check();
  await mkdir(path.join(root, 'upper', 'data'), { recursive: true });
  await writeFile(path.join(root, 'upper', 'data', 'log'), 'beat 1\n');
});

after(async () => {
  await rm(root, { recursive: true, force: true });
});

const pages1 = pageFile();
const pages2 = randomBytes(10 * PAGE);
let first: Awaited<ReturnType<typeof storePoint>>;

void test('a point reads back byte for byte: page files rebuilt from packs, other files and the writable layer', async () => {
  const dumpDir = path.join(root, 'dump1');
  await writeDump(dumpDir, { 'pages-1.img': pages1, 'pages-2.img': pages2, 'inventory.img': randomBytes(300), 'core-1.img': randomBytes(5000) });
  first = await storePoint(1, dumpDir, path.join(root, 'upper'));
  assert.equal(first.dump.pages, PAGES + 10);
  assert.equal(first.dump.uploadedPages, PAGES + 10 - 100 - 1, 'zero pages and the duplicate are not uploaded');
  const m = await readManifest(store, protectManifestName('web', 1));
  await checkComplete(store, protectManifestName('web', 1), m);
  const staged = await stagePoint(store, protectManifestName('web', 1), m, path.join(root, 'stage1'), OPTIONS);
  await assertSameFiles(dumpDir, staged.checkpointDir);
  assert.equal(await readFile(path.join(staged.upperDir, 'data', 'log'), 'utf8'), 'beat 1\n');
});

void test('the next point uploads only the pages that changed, and reads back as the new state', async () => {
  const changed = Buffer.from(pages1);
  randomBytes(20 * PAGE).copy(changed, 1000 * PAGE);
  const dumpDir = path.join(root, 'dump2');
  await writeDump(dumpDir, { 'pages-1.img': changed, 'pages-2.img': pages2, 'inventory.img': randomBytes(300), 'core-1.img': randomBytes(5000) });
  await writeFile(path.join(root, 'upper', 'data', 'log'), 'beat 1\nbeat 2\n');
  const second = await storePoint(2, dumpDir, path.join(root, 'upper'));
  assert.equal(second.dump.uploadedPages, 20);
  assert.ok(second.m.uploadedBytes < first.m.uploadedBytes / 10, `${second.m.uploadedBytes} vs ${first.m.uploadedBytes}`);
  const staged = await stagePoint(store, protectManifestName('web', 2), second.m, path.join(root, 'stage2'), OPTIONS);
  await assertSameFiles(dumpDir, staged.checkpointDir);
  assert.equal(await readFile(path.join(staged.upperDir, 'data', 'log'), 'utf8'), 'beat 1\nbeat 2\n');
  assert.deepEqual((await listPoints(store, 'web')).map((p) => p.sequence), [1, 2]);
});

void test('a corrupted pack is FERRY_ERR_INTEGRITY naming the point', async () => {
  const name = protectManifestName('web', 1);
  const pack = first.m.memory.packs[0] as string;
  const file = store.objectPath(pack);
  const good = await readFile(file);
  const bad = Buffer.from(good);
  bad[5000] = (bad[5000] as number) ^ 0xff;
  await writeFile(file, bad);
  await assert.rejects(stagePoint(store, name, first.m, path.join(root, 'stage3'), OPTIONS), isCode('FERRY_ERR_INTEGRITY', /point protect\/web\/00000001, page packs/));
  await writeFile(file, good);
});

void test('a missing object is FERRY_ERR_STORE_MISSING naming the point and the part, before any download', async () => {
  const name = protectManifestName('web', 1);
  const block = first.m.upper[0] as string;
  const file = store.objectPath(block);
  const good = await readFile(file);
  await rm(file);
  await assert.rejects(checkComplete(store, name, first.m), isCode('FERRY_ERR_STORE_MISSING', /protect\/web\/00000001 is incomplete: its writable-layer block 1 of 1/));
  await writeFile(file, good);
});

void test('a truncated manifest is FERRY_ERR_INTEGRITY, and the listing shows the point as unusable', async () => {
  const name = protectManifestName('web', 2);
  const file = store.manifestPath(name);
  const size = (await readFile(file)).length;
  await truncate(file, size - 10);
  await assert.rejects(readManifest(store, name), isCode('FERRY_ERR_INTEGRITY', /protect\/web\/00000002/));
  const listed = await listPoints(store, 'web');
  assert.equal(listed[1]?.error?.code, 'FERRY_ERR_INTEGRITY');
});
