import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { isCode } from '../../../test/support/errors.ts';
import { listAll, objectStoreConformance } from './conformance.ts';
import { sha256Hex } from './digest.ts';
import { DirectoryStore } from './directory-store.ts';
import { collectGarbage } from './gc.ts';

const temps: string[] = [];
const tmp = () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ferry-dirstore-'));
  temps.push(dir);
  return dir;
};
after(() => { for (const dir of temps) rmSync(dir, { recursive: true, force: true }); });

objectStoreConformance('directory', () => {
  const root = tmp();
  const store = new DirectoryStore(root);
  return Promise.resolve({
    store,
    corrupt: (digest, bytes) => writeFile(store.objectPath(digest), bytes),
    corruptManifest: (name, stored) => writeFile(store.manifestPath(name), stored),
    cleanup: () => rm(root, { recursive: true, force: true }),
  });
});

describe('DirectoryStore', () => {
  it('keeps objects at objects/ab/<digest> and manifests at manifests/<name, / as +>', async () => {
    const root = tmp();
    const store = new DirectoryStore(root);
    const { digest } = await store.put(Buffer.from('hello'));
    assert.ok(lstatSync(path.join(root, 'objects', digest.slice(0, 2), digest)).isFile());
    await store.putManifest('web/1', Buffer.from('{}'));
    assert.deepEqual(readdirSync(path.join(root, 'manifests')), ['web+1']);
  });

  it('ignores temporary files of interrupted writes in list(); GC removes them once past the grace period', async () => {
    const root = tmp();
    const store = new DirectoryStore(root);
    const { digest } = await store.put(Buffer.from('kept'));
    await store.putManifest('m', Buffer.from(JSON.stringify([digest])));
    const fan = path.join(root, 'objects', digest.slice(0, 2));
    const leftovers = [path.join(fan, `.tmp~${digest.slice(0, 16)}-deadbeef`), path.join(root, 'manifests', '.tmp~m-deadbeef')];
    for (const file of leftovers) writeFileSync(file, 'half a write');
    assert.deepEqual((await listAll(store)).map((o) => o.digest), [digest]);
    assert.deepEqual(await store.listManifests(''), ['m']);
    const refs = (_: string, body: Buffer) => JSON.parse(body.toString()) as string[];
    assert.equal((await collectGarbage(store, refs, { graceMs: 60_000 })).swept, 0, 'a young temporary file may be a write under way');
    const old = new Date(Date.now() - 3_600_000);
    for (const file of leftovers) utimesSync(file, old, old);
    const result = await collectGarbage(store, refs, { graceMs: 60_000 });
    assert.deepEqual(result, { kept: 1, deleted: 0, deletedBytes: 0, swept: 2 });
    for (const file of leftovers) assert.equal(existsSync(file), false);
  });

  it('a symbolic link planted at objects/ab or manifests/ cannot lead a write out of the root', async () => {
    const root = tmp();
    const outside = tmp();
    const store = new DirectoryStore(root);
    let bytes = randomBytes(32);
    while (!sha256Hex(bytes).startsWith('ab')) bytes = randomBytes(32);
    mkdirSync(path.join(root, 'objects'));
    symlinkSync(outside, path.join(root, 'objects', 'ab'));
    await assert.rejects(store.put(bytes), isCode('FERRY_ERR_STORE_BUCKET', /objects\/ab/));
    await assert.rejects(store.delete(sha256Hex(bytes)), isCode('FERRY_ERR_STORE_BUCKET'));
    symlinkSync(outside, path.join(root, 'manifests'));
    await assert.rejects(store.putManifest('m', Buffer.from('{}')), isCode('FERRY_ERR_STORE_BUCKET', /manifests/));
    await assert.rejects(store.deleteManifest('m'), isCode('FERRY_ERR_STORE_BUCKET'));
    await assert.rejects(store.check(), isCode('FERRY_ERR_STORE_BUCKET'));
    assert.deepEqual(readdirSync(outside), []);
    assert.ok(lstatSync(path.join(root, 'objects', 'ab')).isSymbolicLink());
  });

  it('an object file that is a symbolic link is not followed on read', async () => {
    const root = tmp();
    const store = new DirectoryStore(root);
    const target = path.join(tmp(), 'elsewhere');
    writeFileSync(target, 'secret');
    const digest = sha256Hex(Buffer.from('secret'));
    mkdirSync(path.dirname(store.objectPath(digest)), { recursive: true });
    symlinkSync(target, store.objectPath(digest));
    await assert.rejects(store.get(digest), isCode('FERRY_ERR_INTEGRITY', new RegExp(digest)));
  });

  it('check() and every call name the root when it is missing, a file or not writable (FERRY_ERR_STORE_BUCKET)', async () => {
    const base = tmp();
    const missing = new DirectoryStore(path.join(base, 'nope'));
    await assert.rejects(missing.check(), isCode('FERRY_ERR_STORE_BUCKET', /nope/));
    await assert.rejects(missing.put(Buffer.from('x')), isCode('FERRY_ERR_STORE_BUCKET', /nope/));
    await assert.rejects(listAll(missing), isCode('FERRY_ERR_STORE_BUCKET', /nope/));
    await assert.rejects(missing.get(sha256Hex(Buffer.from('x'))), isCode('FERRY_ERR_STORE_BUCKET', /nope/));
    await assert.rejects(missing.getManifest('m'), isCode('FERRY_ERR_STORE_BUCKET', /nope/));
    assert.deepEqual(await missing.listManifests('').catch((e: unknown) => (e as { code: string }).code), 'FERRY_ERR_STORE_BUCKET');
    assert.equal(existsSync(path.join(base, 'nope')), false, 'ferry must not create the root');
    writeFileSync(path.join(base, 'file'), 'x');
    const file = new DirectoryStore(path.join(base, 'file'));
    await assert.rejects(file.check(), isCode('FERRY_ERR_STORE_BUCKET', /file.*not a directory/));
    await assert.rejects(file.putManifest('m', Buffer.from('x')), isCode('FERRY_ERR_STORE_BUCKET', /file/));
    if (process.getuid?.() !== 0) {
      const ro = path.join(base, 'ro');
      mkdirSync(ro);
      chmodSync(ro, 0o555);
      await assert.rejects(new DirectoryStore(ro).check(), isCode('FERRY_ERR_STORE_BUCKET', /not writable/));
    }
  });
});
