import assert from 'node:assert/strict';
import { chmod, mkdir, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, test } from 'node:test';
import { TreeCache, treeSignature } from './tree-cache.ts';

let dir: string;
const chain = { blocks: ['b'.repeat(64)], bytes: 10, uploadedBytes: 10 };

before(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'ferry-tree-cache-'));
  await mkdir(path.join(dir, 'sub'));
  await writeFile(path.join(dir, 'sub', 'file'), 'one');
});

after(async () => {
  await rm(dir, { recursive: true, force: true });
});

void test('the signature of an untouched tree is stable; content, mode, names and restored mtimes all change it', async () => {
  const first = await treeSignature(dir);
  assert.equal((await treeSignature(dir)).signature, first.signature);
  assert.equal(first.entries, 3);
  const changes: Array<() => Promise<void>> = [
    () => writeFile(path.join(dir, 'sub', 'file'), 'two'),
    () => chmod(path.join(dir, 'sub', 'file'), 0o600),
    () => writeFile(path.join(dir, 'new'), ''),
    // Same size, mtime set back: only the ctime tells.
    async () => { await writeFile(path.join(dir, 'sub', 'file'), 'six'); await utimes(path.join(dir, 'sub', 'file'), 1, 1); },
  ];
  let last = first.signature;
  for (const change of changes) {
    await sleep(5);
    await change();
    const now = (await treeSignature(dir)).signature;
    assert.notEqual(now, last);
    last = now;
  }
});

void test('a chain is reused only for the signature it was recorded with, and never for a tree changed just before the freeze', async () => {
  const cache = new TreeCache();
  const sig = await treeSignature(dir);
  cache.record(dir, sig, chain, Date.now());
  assert.equal(cache.reuse(dir, sig), undefined, 'changed within the last seconds: not recorded');
  cache.record(dir, sig, chain, sig.newestCtimeMs + 10_000);
  assert.deepEqual(cache.reuse(dir, sig), { ...chain, uploadedBytes: 0 });
  assert.equal(cache.reuse(dir, { ...sig, signature: 'other' }), undefined);
  cache.clear();
  assert.equal(cache.reuse(dir, sig), undefined);
});
