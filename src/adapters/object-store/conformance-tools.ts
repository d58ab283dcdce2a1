/** @module adapters/object-store/conformance-tools — the conformance cases of the batch tools: garbage collection, resumable upload, parallel fetch. */
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { isCode } from '../../../test/support/errors.ts';
import { withStore, type MakeStore } from './conformance-fixture.ts';
import { sha256Hex } from './digest.ts';
import { collectGarbage, type ReferencesOf } from './gc.ts';
import type { Digest, ObjectStore } from './object-store.ts';
import { fetchAll, uploadMissing } from './upload.ts';

const HOUR = 3_600_000;
/** Test manifests are JSON {objects: [digest...]}. */
const referencesOf: ReferencesOf = (_name, body) => (JSON.parse(body.toString()) as { objects: Digest[] }).objects;
const manifest = (objects: Digest[]) => Buffer.from(JSON.stringify({ objects }));

/** A store that counts calls (and can act on them) and delegates everything to `inner`. */
function spy(inner: ObjectStore, hooks: { onPut?(n: number): void; getDelayMs?: number } = {}) {
  const counts = { puts: 0, gets: 0, inFlight: 0, maxInFlight: 0 };
  const store: ObjectStore = {
    where: inner.where,
    check: () => inner.check(),
    put: (bytes) => {
      hooks.onPut?.(++counts.puts);
      return inner.put(bytes);
    },
    has: (digests) => inner.has(digests),
    get: async (digest) => {
      counts.gets++;
      counts.maxInFlight = Math.max(counts.maxInFlight, ++counts.inFlight);
      try {
        await sleep(hooks.getDelayMs ?? 0);
        return await inner.get(digest);
      } finally {
        counts.inFlight--;
      }
    },
    list: () => inner.list(),
    delete: (digest) => inner.delete(digest),
    putManifest: (name, body) => inner.putManifest(name, body),
    getManifest: (name) => inner.getManifest(name),
    listManifests: (prefix) => inner.listManifests(prefix),
    deleteManifest: (name) => inner.deleteManifest(name),
  };
  return { store, counts };
}

/** Registers the cases of gc.ts and upload.ts. */
export function toolCases(make: MakeStore): void {
  it('GC deletes unreferenced objects past the grace period, keeps referenced and young ones', () => withStore(make, async ({ store }) => {
    const [a, b, c] = await Promise.all([randomBytes(100), randomBytes(200), randomBytes(300)].map((x) => store.put(x)));
    await store.putManifest('ct/1', manifest([a!.digest]));
    const young = await collectGarbage(store, referencesOf, { graceMs: HOUR });
    assert.deepEqual([young.kept, young.deleted], [3, 0], 'young objects must survive: their manifest may not be written yet');
    const old = await collectGarbage(store, referencesOf, { graceMs: HOUR, now: Date.now() + 2 * HOUR });
    assert.deepEqual([old.kept, old.deleted, old.deletedBytes], [1, 2, 500]);
    assert.deepEqual(await store.has([a!.digest, b!.digest, c!.digest]), new Set([a!.digest]));
  }));

  it('GC stops and deletes nothing when a manifest is corrupted or cannot be understood', () => withStore(make, async ({ store, corruptManifest }) => {
    const { digest } = await store.put(randomBytes(50));
    await store.putManifest('ct/ok', manifest([]));
    await store.putManifest('ct/bad', manifest([digest]));
    await corruptManifest('ct/bad', Buffer.from('{"objects": []}'));
    const later = { graceMs: 0, now: Date.now() + HOUR };
    await assert.rejects(collectGarbage(store, referencesOf, later), isCode('FERRY_ERR_INTEGRITY', /ct\/bad/));
    await store.putManifest('ct/bad', Buffer.from('not json'));
    await assert.rejects(collectGarbage(store, referencesOf, later), isCode('FERRY_ERR_INTEGRITY', /ct\/bad/));
    assert.deepEqual(await store.has([digest]), new Set([digest]));
  }));

  it('uploadMissing stores only what is missing; after an abort, a second call puts only the rest', () => withStore(make, async ({ store }) => {
    const blobs: Buffer[] = Array.from({ length: 30 }, (_, i) => randomBytes(1000 + i));
    blobs.push(blobs[3] as Buffer);
    const digests = blobs.map((b) => sha256Hex(b));
    const abort = new AbortController();
    const counted = spy(store, { onPut: (n) => { if (n === 8) abort.abort(); } });
    await assert.rejects(uploadMissing(counted.store, blobs, { concurrency: 4, signal: abort.signal, batchCount: 10 }), { name: 'AbortError' });
    const storedSet = await store.has(digests);
    const stored = storedSet.size;
    const missingBytes = blobs.slice(0, 30).filter((_, i) => !storedSet.has(digests[i] as Digest)).reduce((n, b) => n + b.length, 0);
    assert.ok(stored >= 8 && stored < 30, `stored ${stored} before the abort took effect`);
    counted.counts.puts = 0;
    const again = await uploadMissing(counted.store, blobs, { concurrency: 4, batchCount: 10 });
    assert.equal(counted.counts.puts, 30 - stored, 'the second call put an object that was already stored');
    assert.deepEqual(again.digests, digests);
    assert.deepEqual([again.uploaded, again.skipped], [30 - stored, 31 - (30 - stored)]);
    assert.equal(again.uploadedBytes, missingBytes);
    assert.equal((await store.has(digests)).size, 30);
    const none = await uploadMissing(counted.store, (async function* () { for (const blob of blobs) yield await Promise.resolve(blob); })(), { concurrency: 2 });
    assert.deepEqual([none.uploaded, none.skipped, none.uploadedBytes], [0, 31, 0]);
  }));

  it('fetchAll fetches each distinct object once, several at a time, verified', () => withStore(make, async ({ store, corrupt }) => {
    const blobs = Array.from({ length: 12 }, (_, i) => randomBytes(500 + i));
    const digests = (await Promise.all(blobs.map((b) => store.put(b)))).map((r) => r.digest);
    const counted = spy(store, { getDelayMs: 20 });
    const seen = new Map<Digest, Buffer>();
    const totals = await fetchAll(counted.store, [...digests, ...digests.slice(0, 4)], { concurrency: 4, onObject: (d, bytes) => { seen.set(d, bytes); } });
    assert.deepEqual(totals, { fetched: 12, bytes: blobs.reduce((n, b) => n + b.length, 0) });
    assert.equal(counted.counts.gets, 12);
    assert.ok(counted.counts.maxInFlight > 1 && counted.counts.maxInFlight <= 4, `max in flight ${counted.counts.maxInFlight}`);
    digests.forEach((d, i) => assert.ok(seen.get(d)?.equals(blobs[i] as Buffer)));
    await corrupt(digests[5] as Digest, randomBytes(505));
    await assert.rejects(fetchAll(store, digests, { concurrency: 3, onObject: () => undefined }), isCode('FERRY_ERR_INTEGRITY', new RegExp(digests[5] as Digest)));
  }));
}
