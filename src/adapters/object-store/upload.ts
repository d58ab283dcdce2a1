/**
 * @module adapters/object-store/upload — moving batches of objects: uploadMissing stores only what the store
 * lacks (so a run that was aborted, or crashed, resumes where it stopped when called again)
 * and fetchAll downloads many objects in parallel, each verified and fetched once.
 */
import { assertConcurrency, forEachBounded } from './bounded.ts';
import { assertObjectSize, sha256Hex } from './digest.ts';
import type { Digest, ObjectStore } from './object-store.ts';

/** What uploadMissing did. */
export interface UploadResult {
  /** The digest of every blob, in the order given. */
  digests: Digest[];
  /** Objects stored by this call. */
  uploaded: number;
  /** Blobs not stored by this call (the store had them, or they repeated an earlier blob). */
  skipped: number;
  /** Bytes of the objects stored by this call. */
  uploadedBytes: number;
}

/** Options of uploadMissing. */
export interface UploadOptions {
  /** Puts in flight at once. */
  concurrency: number;
  /** Stops the upload: no new put starts, those under way finish, and the call rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Blobs per has() question (default 256). */
  batchCount?: number;
  /** Bytes of blobs held at once before they are sent (default 256 MiB). */
  batchBytes?: number;
}

/** Stores the blobs the store does not have yet: digests first, has() per batch, then puts of the missing ones. */
export async function uploadMissing(store: ObjectStore, blobs: AsyncIterable<Buffer> | Iterable<Buffer>, options: UploadOptions): Promise<UploadResult> {
  assertConcurrency(options.concurrency);
  const maxCount = options.batchCount ?? 256;
  const maxBytes = options.batchBytes ?? 256 * 1024 * 1024;
  const result: UploadResult = { digests: [], uploaded: 0, skipped: 0, uploadedBytes: 0 };
  let batch: Buffer[] = [];
  let bytes = 0;
  // for await takes sync iterables too; the cast only helps the type checker see Buffer
  for await (const blob of blobs as AsyncIterable<Buffer>) {
    options.signal?.throwIfAborted();
    assertObjectSize(blob.length);
    batch.push(blob);
    bytes += blob.length;
    if (batch.length >= maxCount || bytes >= maxBytes) {
      await uploadBatch(store, batch, result, options);
      batch = [];
      bytes = 0;
    }
  }
  if (batch.length > 0) await uploadBatch(store, batch, result, options);
  return result;
}

async function uploadBatch(store: ObjectStore, batch: Buffer[], result: UploadResult, options: UploadOptions): Promise<void> {
  const digests = batch.map((blob) => sha256Hex(blob));
  result.digests.push(...digests);
  const present = await store.has([...new Set(digests)]);
  const missing = new Map<Digest, Buffer>();
  digests.forEach((digest, i) => {
    if (!present.has(digest) && !missing.has(digest)) missing.set(digest, batch[i] as Buffer);
  });
  result.skipped += batch.length - missing.size;
  await forEachBounded(missing.values(), options.concurrency, async (blob) => {
    const { uploaded } = await store.put(blob);
    if (uploaded) {
      result.uploaded++;
      result.uploadedBytes += blob.length;
    } else {
      result.skipped++;
    }
  }, options.signal);
}

/** Options of fetchAll. */
export interface FetchOptions {
  /** Gets in flight at once. */
  concurrency: number;
  /** Called once per distinct digest with its verified bytes, in completion order; awaited (it may apply back-pressure). */
  onObject(digest: Digest, bytes: Buffer): void | Promise<void>;
  /** Stops the download: no new get starts, and the call rejects with the signal's reason. */
  signal?: AbortSignal;
}

/** Downloads every distinct digest once, in parallel, each verified against its digest; returns how many objects and bytes. */
export async function fetchAll(store: ObjectStore, digests: Iterable<Digest>, options: FetchOptions): Promise<{ fetched: number; bytes: number }> {
  const totals = { fetched: 0, bytes: 0 };
  await forEachBounded(new Set(digests), options.concurrency, async (digest) => {
    const bytes = await store.get(digest);
    totals.fetched++;
    totals.bytes += bytes.length;
    await options.onObject(digest, bytes);
  }, options.signal);
  return totals;
}
