/**
 * @module domain/prestore/cdc — pure: content-defined chunking (a gear rolling hash, as in
 * FastCDC). Cut points depend on the bytes around them, not on their offset, so a change in
 * one file of an archive changes the blocks around it only and the rest dedupe in the store:
 * what makes a periodic protection incremental.
 */
import { createHash } from 'node:crypto';

/** Sizes of the blocks a chunker cuts, in bytes. */
export interface ChunkSizes {
  min: number;
  /** A power of two: the average block is about this much beyond `min`. */
  avg: number;
  max: number;
}

/** Blocks of 256 KiB to 8 MiB, about 1.25 MiB on average. */
export const DEFAULT_CHUNK_SIZES: ChunkSizes = { min: 256 * 1024, avg: 1024 * 1024, max: 8 * 1024 * 1024 };

/** 256 fixed pseudo-random 32-bit values, one per byte value (derived, so every host cuts alike). */
const GEAR: Uint32Array = (() => {
  const table = new Uint32Array(256);
  for (let i = 0; i < 256; i++) table[i] = createHash('sha256').update(`ferry-gear-${i}`).digest().readUInt32LE(0);
  return table;
})();

/** Cuts a byte stream into content-defined blocks. */
export class ContentChunker {
  private readonly sizes: ChunkSizes;
  private readonly mask: number;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private hash = 0;

  constructor(sizes: ChunkSizes = DEFAULT_CHUNK_SIZES) {
    if (sizes.avg & (sizes.avg - 1) || sizes.min > sizes.max) throw new RangeError('chunk sizes: avg must be a power of two and min <= max');
    this.sizes = sizes;
    this.mask = (sizes.avg - 1) >>> 0;
  }

  /** Feeds bytes; returns the blocks they completed. */
  push(bytes: Buffer): Buffer[] {
    const out: Buffer[] = [];
    let start = 0;
    for (let i = 0; i < bytes.length; i++) {
      this.hash = ((this.hash << 1) + (GEAR[bytes[i] as number] as number)) >>> 0;
      const len = this.pendingBytes + (i + 1 - start);
      if ((len >= this.sizes.min && (this.hash & this.mask) === 0) || len >= this.sizes.max) {
        this.pending.push(bytes.subarray(start, i + 1));
        out.push(this.take());
        start = i + 1;
      }
    }
    if (start < bytes.length) {
      this.pending.push(bytes.subarray(start));
      this.pendingBytes += bytes.length - start;
    }
    return out;
  }

  /** The last, possibly short, block (none when nothing is pending). */
  flush(): Buffer[] {
    return this.pendingBytes ? [this.take()] : [];
  }

  private take(): Buffer {
    const block = Buffer.concat(this.pending);
    this.pending = [];
    this.pendingBytes = 0;
    this.hash = 0;
    return block;
  }
}

/** Cuts a whole async byte stream into blocks. */
export async function* chunkStream(source: AsyncIterable<Buffer | Uint8Array | string> | Iterable<Buffer | Uint8Array | string>, sizes?: ChunkSizes): AsyncGenerator<Buffer> {
  const chunker = new ContentChunker(sizes);
  for await (const piece of source) {
    yield* chunker.push(typeof piece === 'string' ? Buffer.from(piece) : Buffer.from(piece.buffer, piece.byteOffset, piece.byteLength));
  }
  yield* chunker.flush();
}
