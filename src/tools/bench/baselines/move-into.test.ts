/** @module tools/bench/baselines/move-into.test — staged entries move into the target, replacing what is there, leaving the rest. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { moveInto } from './move-into.ts';

void test('entries move, same names are replaced, others stay, the source is emptied', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'ferry-move-'));
  try {
    const from = path.join(dir, 'stage');
    const to = path.join(dir, 'upper');
    await mkdir(path.join(from, 'data'), { recursive: true });
    await writeFile(path.join(from, 'data', 'counter.log'), 'new');
    await writeFile(path.join(from, 'top'), 'file');
    await mkdir(path.join(to, 'data'), { recursive: true });
    await writeFile(path.join(to, 'data', 'stale'), 'old');
    await writeFile(path.join(to, 'keep'), 'kept');
    await moveInto(from, to);
    assert.deepEqual((await readdir(to)).sort(), ['data', 'keep', 'top']);
    assert.deepEqual(await readdir(path.join(to, 'data')), ['counter.log'], 'a staged directory replaces the old one whole');
    assert.equal(await readFile(path.join(to, 'keep'), 'utf8'), 'kept');
    assert.deepEqual(await readdir(from), []);
    await moveInto(from, path.join(dir, 'fresh', 'checkpoints', 'cp'));
    assert.deepEqual(await readdir(path.join(dir, 'fresh', 'checkpoints')), ['cp'], 'the target is created');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
