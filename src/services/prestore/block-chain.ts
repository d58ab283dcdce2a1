/**
 * @module services/prestore/block-chain — a byte stream in the object store as an ordered list of
 * content-defined blocks: stored by the store's resumable upload (blocks the store holds
 * already are not sent again, which is what makes the next protection of a barely changed
 * tree cheap), and read back in order with a few blocks fetched ahead, each verified.
 */
import { chunkStream, type ChunkSizes } from '../../domain/prestore/cdc.ts';
import type { Digest, ObjectStore } from '../../adapters/object-store/object-store.ts';
import { uploadMissing } from '../../adapters/object-store/upload.ts';

/** A stored stream. */
export interface StoredChain {
  blocks: Digest[];
  /** Bytes of the stream. */
  bytes: number;
  /** Bytes that crossed to the store now. */
  uploadedBytes: number;
}

/** Stores a stream as content-defined blocks, through the store's resumable upload (blocks it holds are not sent again). */
export async function storeStream(store: ObjectStore, source: AsyncIterable<Buffer | Uint8Array | string> | Iterable<Buffer | Uint8Array | string>, options: { concurrency?: number; sizes?: ChunkSizes } = {}): Promise<StoredChain> {
  let bytes = 0;
  const counted = async function* (): AsyncGenerator<Buffer> {
    for await (const block of chunkStream(source, options.sizes)) {
      bytes += block.length;
      yield block;
    }
  };
  const r = await uploadMissing(store, counted(), { concurrency: options.concurrency ?? 4, batchBytes: 64 * 1024 * 1024 });
  return { blocks: r.digests, bytes, uploadedBytes: r.uploadedBytes };
}

/** Reads stored blocks in order, `ahead` fetches in flight; every block is verified by the store. */
export async function* readBlocks(store: ObjectStore, blocks: readonly Digest[], ahead = 4): AsyncGenerator<Buffer> {
  const queue: Array<Promise<Buffer>> = [];
  let next = 0;
  const fill = (): void => {
    while (queue.length < ahead && next < blocks.length) {
      const p = store.get(blocks[next++] as Digest);
      p.catch(() => undefined); // awaited below, in order; this only keeps an early failure from going unhandled
      queue.push(p);
    }
  };
  fill();
  while (queue.length) {
    const block = await (queue.shift() as Promise<Buffer>);
    fill();
    yield block;
  }
}
