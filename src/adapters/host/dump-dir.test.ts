import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chooseDumpDir, dumpRoot, removeStaleDumps, tmpfsFits } from './dump-dir.ts';

test('tmpfs takes a dump when it has room for the memory twice over plus 1 GiB', () => {
  assert.equal(tmpfsFits(3 * 2 ** 30, 2 ** 30), true);
  assert.equal(tmpfsFits(3 * 2 ** 30 - 1, 2 ** 30), false);
});

test('one root per agent state directory; none when tmpfs dumps are off', () => {
  assert.notEqual(dumpRoot('/dev/shm/ferry', '/a'), dumpRoot('/dev/shm/ferry', '/b'));
  assert.equal(dumpRoot('', '/a'), '');
});

test('a root that is not tmpfs falls back to the given directory; stale dumps are removed, open ones kept', async () => {
  const root = await mkdtemp(path.join(tmpdir(), 'ferry-dump-dir-'));
  try {
    const onDisk = (await import('node:fs/promises')).statfs;
    const fs = await onDisk(root);
    const chosen = await chooseDumpDir(root, 'm-1', 1 << 20, '/fallback');
    assert.equal(chosen, fs.type === 0x01021994 ? path.join(root, 'm-1') : '/fallback');
    await mkdir(path.join(root, 'm-2'));
    await mkdir(path.join(root, 'm-3'));
    assert.deepEqual((await removeStaleDumps(root, new Set(['m-3']))).sort(), (fs.type === 0x01021994 ? ['m-1', 'm-2'] : ['m-2']));
    assert.deepEqual(await readdir(root), ['m-3']);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});
