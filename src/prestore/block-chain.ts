/**
 * @module prestore/block-chain — a byte stream in the object store as an ordered list of
 * content-defined blocks: stored with a few uploads in flight (blocks the store holds
 * already are not sent again, which is what makes the next protection of a barely changed
 * tree cheap), and read back in order with a few blocks fetched ahead, each verified.
 */
import { asFerryError } from '../core/errors.ts';
import { chunkStream, type ChunkSizes } from './cdc.ts';
import type { Digest, ObjectStore } from '../store/object-store.ts';

/** A stored stream. */
export interface StoredChain {
  blocks: Digest[];
  /** Bytes of the stream. */
  bytes: number;
  /** Bytes that crossed to the store now. */
  uploadedBytes: number;
}

/** Stores a stream as content-defined blocks. */
export async function storeStream(store: ObjectStore, source: AsyncIterable<Buffer | Uint8Array | string> | Iterable<Buffer | Uint8Array | string>, options: { concurrency?: number; sizes?: ChunkSizes } = {}): Promise<StoredChain> {
  const concurrency = options.concurrency ?? 4;
  const blocks: Digest[] = [];
  const inFlight = new Set<Promise<void>>();
  let failure: Error | undefined;
  let bytes = 0;
  let uploadedBytes = 0;
  for await (const block of chunkStream(source, options.sizes)) {
    while (inFlight.size >= concurrency) await Promise.race(inFlight);
    if (failure) break;
    const slot = blocks.push('') - 1;
    bytes += block.length;
    const p: Promise<void> = store.put(block).then(
      ({ digest, uploaded }) => {
        blocks[slot] = digest;
        if (uploaded) uploadedBytes += block.length;
      },
      (err: unknown) => void (failure ??= asFerryError(err, 'FERRY_ERR_STORE_UNREACHABLE')),
    ).finally(() => inFlight.delete(p));
    inFlight.add(p);
  }
  await Promise.all(inFlight);
  if (failure) throw failure;
  return { blocks, bytes, uploadedBytes };
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
