import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { collectSink, parsePruneList, pruneTree } from './prune.ts';
import { isCode } from '../../../test/support/errors.ts';

test('prune removes files and directories below the root; paths already gone are fine', () => {
  const root = mkdtempSync(path.join(os.tmpdir(), 'ferry-prune-'));
  try {
    mkdirSync(path.join(root, 'd/e'), { recursive: true });
    writeFileSync(path.join(root, 'd/e/f'), 'x');
    writeFileSync(path.join(root, 'keep'), 'y');
    assert.equal(pruneTree(root, ['d', 'd/e/f', 'missing/too']), 1);
    assert.equal(existsSync(path.join(root, 'd')), false);
    assert.equal(existsSync(path.join(root, 'keep')), true);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('prune refuses paths that leave the root or pass through a symlink, and the root itself', () => {
  const root = mkdtempSync(path.join(os.tmpdir(), 'ferry-prune-'));
  const outside = mkdtempSync(path.join(os.tmpdir(), 'ferry-outside-'));
  try {
    writeFileSync(path.join(outside, 'precious'), 'z');
    symlinkSync(outside, path.join(root, 'link'));
    assert.throws(() => pruneTree(root, ['link/precious']), isCode('FERRY_ERR_UNSAFE_PATH'));
    assert.throws(() => pruneTree(root, ['../x']), isCode('FERRY_ERR_UNSAFE_PATH'));
    assert.throws(() => pruneTree(root, ['.']), isCode('FERRY_ERR_UNSAFE_PATH'));
    assert.equal(existsSync(path.join(outside, 'precious')), true);
    // the symlink itself may go; what it points at stays
    pruneTree(root, ['link']);
    assert.equal(existsSync(path.join(outside, 'precious')), true);
  } finally {
    rmSync(root, { recursive: true, force: true });
    rmSync(outside, { recursive: true, force: true });
  }
});

test('a prune list must be a JSON array of strings, and a collected stream is bounded', async () => {
  assert.deepEqual(parsePruneList(Buffer.from('["a","b/c"]')), ['a', 'b/c']);
  assert.throws(() => parsePruneList(Buffer.from('{"a":1}')), isCode('FERRY_ERR_PROTOCOL'));
  assert.throws(() => parsePruneList(Buffer.from('[')), isCode('FERRY_ERR_PROTOCOL'));
  let got = '';
  await pipeline(Readable.from([Buffer.from('ab'), Buffer.from('cd')]), collectSink(10, 'list', (b) => void (got = b.toString())));
  assert.equal(got, 'abcd');
  await assert.rejects(pipeline(Readable.from([Buffer.alloc(11)]), collectSink(10, 'the list', () => undefined)), isCode('FERRY_ERR_TOO_LARGE'));
});
