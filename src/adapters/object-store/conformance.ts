/**
 * @module adapters/object-store/conformance — the one suite every ObjectStore implementation runs (the
 * directory store in its unit test, S3 on Ceph RGW in test/integration), so that no
 * implementation can drift from another: objects, manifests, bad input, and the batch tools
 * (garbage collection, resumable upload, parallel fetch) on top of them.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { isCode } from '../../../test/support/errors.ts';
import { sha256Hex } from './digest.ts';
import { encodeManifest } from './manifest-envelope.ts';
import { MAX_MANIFEST_BYTES, MAX_OBJECT_BYTES, type Digest, type ObjectStore } from './object-store.ts';
import { toolCases } from './conformance-tools.ts';
import { withStore, type MakeStore } from './conformance-fixture.ts';

/** Registers the conformance suite for one implementation under `label`. */
export function objectStoreConformance(label: string, make: MakeStore): void {
  describe(`ObjectStore conformance: ${label}`, () => {
    objectCases(make);
    manifestCases(make);
    badInputCases(make);
    toolCases(make);
  });
}

function objectCases(make: MakeStore): void {
  it('check() passes; put then get returns the bytes, under their SHA-256 (empty object too)', () => withStore(make, async ({ store }) => {
    await store.check();
    for (const bytes of [randomBytes(100_000), Buffer.alloc(0), Buffer.from('x')]) {
      const { digest, uploaded } = await store.put(bytes);
      assert.equal(digest, sha256Hex(bytes));
      assert.equal(uploaded, true);
      assert.ok((await store.get(digest)).equals(bytes));
    }
  }));

  it('put is idempotent: the same bytes again store nothing and are listed once', () => withStore(make, async ({ store }) => {
    const bytes = randomBytes(5000);
    const first = await store.put(bytes);
    const second = await store.put(Buffer.from(bytes));
    assert.deepEqual(second, { digest: first.digest, uploaded: false });
    const listed = await listAll(store);
    assert.deepEqual(listed.map((o) => o.digest), [first.digest]);
  }));

  it('has() answers the stored subset (absent, repeated and no digests)', () => withStore(make, async ({ store }) => {
    const a = (await store.put(randomBytes(10))).digest;
    const b = (await store.put(randomBytes(11))).digest;
    const absent = sha256Hex(randomBytes(12));
    assert.deepEqual(await store.has([a, absent, b, a]), new Set([a, b]));
    assert.deepEqual(await store.has([absent]), new Set());
    assert.deepEqual(await store.has([]), new Set());
    // many digests at once (S3 answers these from a listing instead of one HEAD each)
    const many = [...Array.from({ length: 1100 }, (_, i) => sha256Hex(Buffer.from(`absent ${i}`))), b, a];
    assert.deepEqual(await store.has(many), new Set([a, b]));
  }));

  it('get() of an object whose stored bytes changed is FERRY_ERR_INTEGRITY naming the digest', () => withStore(make, async ({ store, corrupt }) => {
    const bytes = randomBytes(4096);
    const { digest } = await store.put(bytes);
    const flipped = Buffer.from(bytes);
    flipped[100] = (flipped[100] as number) ^ 1;
    await corrupt(digest, flipped);
    await assert.rejects(store.get(digest), isCode('FERRY_ERR_INTEGRITY', new RegExp(digest)));
    await corrupt(digest, bytes.subarray(0, 1000));
    await assert.rejects(store.get(digest), isCode('FERRY_ERR_INTEGRITY', new RegExp(digest)));
  }));

  it('get() of an absent object is FERRY_ERR_STORE_MISSING naming the digest', () => withStore(make, async ({ store }) => {
    const absent = sha256Hex(randomBytes(8));
    await assert.rejects(store.get(absent), isCode('FERRY_ERR_STORE_MISSING', new RegExp(absent)));
  }));

  it('list() shows every object with its size and when it was stored, and no manifest', () => withStore(make, async ({ store }) => {
    const started = Date.now();
    const sizes = [1, 300, 70_000];
    const digests = [];
    for (const size of sizes) digests.push((await store.put(randomBytes(size))).digest);
    await store.putManifest('not-an-object', Buffer.from('{}'));
    const listed = await listAll(store);
    assert.deepEqual(listed.map((o) => [o.digest, o.bytes]).sort(), digests.map((d, i) => [d, sizes[i]]).sort());
    for (const object of listed) {
      assert.ok(object.modified instanceof Date);
      // second granularity and a server clock: allow a little either way
      assert.ok(Math.abs(object.modified.getTime() - started) < 120_000, `modified ${object.modified.toISOString()}`);
    }
  }));

  it('delete() removes an object; deleting an absent one is no error', () => withStore(make, async ({ store }) => {
    const keep = (await store.put(randomBytes(20))).digest;
    const gone = (await store.put(randomBytes(21))).digest;
    await store.delete(gone);
    await store.delete(gone);
    await store.delete(sha256Hex(randomBytes(3)));
    assert.deepEqual(await store.has([keep, gone]), new Set([keep]));
    await assert.rejects(store.get(gone), isCode('FERRY_ERR_STORE_MISSING'));
  }));
}

function manifestCases(make: MakeStore): void {
  it('manifests: put, get, list by prefix (sorted), overwrite, delete; "a" and "a/b" coexist', () => withStore(make, async ({ store }) => {
    const names = ['c/2', 'a/b', 'c/1', 'a', 'b.x', 'c-d', 'c/1/deep'];
    for (const name of names) await store.putManifest(name, Buffer.from(`body of ${name}`));
    for (const name of names) assert.equal((await store.getManifest(name))?.toString(), `body of ${name}`);
    assert.deepEqual(await store.listManifests(''), [...names].sort());
    assert.deepEqual(await store.listManifests('c/'), ['c/1', 'c/1/deep', 'c/2']);
    assert.deepEqual(await store.listManifests('a'), ['a', 'a/b']);
    assert.deepEqual(await store.listManifests('zzz'), []);
    await store.putManifest('a', Buffer.alloc(0));
    assert.equal((await store.getManifest('a'))?.length, 0);
    await store.deleteManifest('c/1');
    await store.deleteManifest('c/1');
    assert.equal(await store.getManifest('c/1'), undefined);
    assert.deepEqual(await store.listManifests('c/'), ['c/1/deep', 'c/2']);
    assert.equal(await store.getManifest('never-written'), undefined);
  }));

  it('overwriting a manifest is atomic: concurrent readers see a whole old or new body, never part of one', () => withStore(make, async ({ store }) => {
    const bodies = [Buffer.alloc(300_000, 'A'), Buffer.alloc(7_000, 'B'), Buffer.alloc(120_000, 'C')];
    await store.putManifest('busy', bodies[0] as Buffer);
    let writing = true;
    let reads = 0;
    const writer = (async () => {
      try {
        for (let i = 1; i <= 45; i++) await store.putManifest('busy', bodies[i % 3] as Buffer);
      } finally {
        writing = false;
      }
    })();
    const reader = async () => {
      while (writing) {
        const body = await store.getManifest('busy');
        assert.ok(body && bodies.some((b) => b.equals(body)), `a reader saw ${body?.length} bytes that are no whole body`);
        reads++;
      }
    };
    await Promise.all([writer, reader(), reader(), reader()]);
    assert.ok(reads > 0);
  }));

  it('a corrupted, truncated, extended or header-less manifest is FERRY_ERR_INTEGRITY naming it', () => withStore(make, async ({ store, corruptManifest }) => {
    const body = Buffer.from(JSON.stringify({ objects: [sha256Hex(Buffer.from('x'))] }));
    await store.putManifest('m/1', body);
    const stored = encodeManifest(body);
    const flipped = Buffer.from(stored);
    flipped[flipped.length - 3] = (flipped[flipped.length - 3] as number) ^ 4;
    const variants = [stored.subarray(0, stored.length - 5), flipped, Buffer.concat([stored, Buffer.from('x')]), body, Buffer.alloc(0), stored.subarray(0, 20)];
    for (const raw of variants) {
      await corruptManifest('m/1', raw);
      await assert.rejects(store.getManifest('m/1'), isCode('FERRY_ERR_INTEGRITY', /m\/1/));
    }
  }));
}

function badInputCases(make: MakeStore): void {
  it('bad digests and manifest names are FERRY_ERR_INVALID_INPUT, before anything is touched', () => withStore(make, async ({ store }) => {
    const good = sha256Hex(Buffer.from('good'));
    const digests = ['../x', '../../etc/passwd', good.toUpperCase(), good.slice(1), `${good}0`, `${good.slice(0, 62)}/.`, '', 'g'.repeat(64)];
    for (const digest of digests) {
      await assert.rejects(store.get(digest), isCode('FERRY_ERR_INVALID_INPUT'), digest);
      await assert.rejects(store.delete(digest), isCode('FERRY_ERR_INVALID_INPUT'), digest);
      await assert.rejects(store.has([good, digest]), isCode('FERRY_ERR_INVALID_INPUT'), digest);
    }
    const names = ['../x', 'a//b', '/abs', '', 'a/', '.', '..', 'a/../b', 'a/./b', 'a b', 'a\\b', 'é', 'x'.repeat(241), 'a\nb', '~x'];
    for (const name of names) {
      await assert.rejects(store.putManifest(name, Buffer.from('{}')), isCode('FERRY_ERR_INVALID_INPUT'), name);
      await assert.rejects(store.getManifest(name), isCode('FERRY_ERR_INVALID_INPUT'), name);
      await assert.rejects(store.deleteManifest(name), isCode('FERRY_ERR_INVALID_INPUT'), name);
    }
    await assert.rejects(store.listManifests('a b'), isCode('FERRY_ERR_INVALID_INPUT'));
    assert.deepEqual(await store.listManifests(''), []);
    assert.deepEqual(await listAll(store), []);
  }));

  it('an object or manifest beyond the limits is FERRY_ERR_TOO_LARGE', () => withStore(make, async ({ store }) => {
    const big = Buffer.alloc(Math.max(MAX_OBJECT_BYTES, MAX_MANIFEST_BYTES) + 1);
    await assert.rejects(store.put(big.subarray(0, MAX_OBJECT_BYTES + 1)), isCode('FERRY_ERR_TOO_LARGE'));
    await assert.rejects(store.putManifest('big', big.subarray(0, MAX_MANIFEST_BYTES + 1)), isCode('FERRY_ERR_TOO_LARGE'));
    assert.deepEqual(await listAll(store), []);
  }));
}

/** Every object a store lists. */
export async function listAll(store: ObjectStore): Promise<Array<{ digest: Digest; bytes: number; modified: Date }>> {
  const out = [];
  for await (const object of store.list()) out.push(object);
  return out;
}
