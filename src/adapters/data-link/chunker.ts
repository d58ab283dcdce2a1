/**
 * @module adapters/data-link/chunker — regroups the pieces of a byte stream into chunks of a fixed size,
 * so a pipe's 64 KiB pieces become frames big enough to be cheap to send. Pure.
 */

function toBuffer(piece: Uint8Array | string): Buffer {
  if (typeof piece === 'string') return Buffer.from(piece);
  return Buffer.isBuffer(piece) ? piece : Buffer.from(piece.buffer, piece.byteOffset, piece.byteLength);
}

/** Yields each piece of `source` at once, cut into chunks of at most `chunkBytes` (for a stream whose pieces must not wait for the next one); never an empty one. */
export async function* splitOnly(source: AsyncIterable<Uint8Array | string>, chunkBytes: number): AsyncGenerator<Buffer> {
  for await (const piece of source) {
    const buf = toBuffer(piece);
    for (let at = 0; at < buf.length; at += chunkBytes) yield buf.subarray(at, Math.min(buf.length, at + chunkBytes));
  }
}

/** Yields `chunkBytes`-sized chunks of `source`, the last one shorter; never an empty one. */
export async function* rechunk(source: AsyncIterable<Uint8Array | string>, chunkBytes: number): AsyncGenerator<Buffer> {
  let parts: Buffer[] = [];
  let held = 0;
  for await (const piece of source) {
    const buf = toBuffer(piece);
    if (buf.length === 0) continue;
    parts.push(buf);
    held += buf.length;
    if (held < chunkBytes) continue;
    // One copy at most per input piece; slices of it go out without further copying.
    const all = parts.length === 1 ? buf : Buffer.concat(parts, held);
    let at = 0;
    for (; held - at >= chunkBytes; at += chunkBytes) yield all.subarray(at, at + chunkBytes);
    parts = at < held ? [all.subarray(at)] : [];
    held -= at;
  }
  if (held > 0) yield parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts, held);
}
