/**
 * @module test/support/data-link-arbitraries — the fast-check arbitraries the data-link fuzz campaigns
 * share (issue 18): frames (random and compressible payloads, every type, both encodings), ways to
 * damage an encoded stream (bit flips, truncation, forged lengths, spliced and deleted bytes), ways
 * to cut it into socket chunks, and tree entries, well-formed or hostile (`..`, absolute paths,
 * symlinks out of the target and files below them).
 */
import fc from 'fast-check';
import { FrameType, type FrameTypeCode } from '../../src/adapters/data-link/frame.ts';
import type { EntryMeta } from '../../src/adapters/data-link/messages.ts';

/** The frame size limit the campaigns decode with; forged lengths go up to twice it, and beyond. */
export const FUZZ_FRAME_BYTES = 1 << 16;

/** Every frame type. */
export const FRAME_TYPES = Object.values(FrameType);

/** Payloads: random bytes, and repeated patterns that zstd shrinks (so both encodings occur). */
export const payloadArb = fc.oneof(
  fc.uint8Array({ maxLength: 600 }).map((a) => Buffer.from(a)),
  fc.tuple(fc.uint8Array({ minLength: 1, maxLength: 8 }), fc.integer({ min: 1, max: 400 })).map(([unit, n]) => Buffer.concat(Array.from({ length: n }, () => Buffer.from(unit)))),
);

/** One frame to encode. */
export interface FrameSpec {
  type: FrameTypeCode;
  payload: Buffer;
  compression: 'none' | 'zstd';
}

/** A frame of any type with a random payload, compressed or not. */
export const frameArb: fc.Arbitrary<FrameSpec> = fc.record({ type: fc.constantFrom(...FRAME_TYPES), payload: payloadArb, compression: fc.constantFrom('none' as const, 'zstd' as const) });

/** Sizes to cut a stream at. */
export const chunkSizes = fc.array(fc.integer({ min: 1, max: 700 }), { maxLength: 12 });

/** Cuts a stream into chunks at the given sizes (the rest as one last chunk). */
export function cut(stream: Buffer, sizes: readonly number[]): Buffer[] {
  const out: Buffer[] = [];
  let at = 0;
  for (const size of sizes) {
    if (at >= stream.length) break;
    out.push(stream.subarray(at, at + size));
    at += size;
  }
  if (at < stream.length) out.push(stream.subarray(at));
  return out;
}

/** One way to damage an encoded stream. */
export type Mutation =
  | { kind: 'flip'; at: number; bit: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'length'; frame: number; field: 6 | 10; value: number }
  | { kind: 'overwrite'; at: number; byte: number }
  | { kind: 'insert'; at: number; bytes: Uint8Array }
  | { kind: 'delete'; at: number; n: number };

/** A mutation; `at` is taken modulo the stream's length, `frame` modulo its frame count. */
export const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('length' as const), frame: fc.nat(3), field: fc.constantFrom(6 as const, 10 as const), value: fc.oneof(fc.nat(2 * FUZZ_FRAME_BYTES), fc.integer({ min: 0, max: 0xffff_ffff })) }),
  fc.record({ kind: fc.constant('overwrite' as const), at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 64 }) }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), n: fc.integer({ min: 1, max: 64 }) }),
);

/** Applies a mutation; `starts` are the offsets of the frames in the stream. */
export function mutate(stream: Buffer, starts: readonly number[], m: Mutation): Buffer {
  const at = 'at' in m ? m.at % (stream.length + 1) : 0;
  switch (m.kind) {
    case 'flip': {
      const out = Buffer.from(stream);
      if (at < out.length) out[at] = (out[at] ?? 0) ^ (1 << m.bit);
      return out;
    }
    case 'truncate':
      return stream.subarray(0, at);
    case 'length': {
      const out = Buffer.from(stream);
      const field = (starts[m.frame % starts.length] ?? 0) + m.field;
      if (field + 4 <= out.length) out.writeUInt32BE(m.value, field);
      return out;
    }
    case 'overwrite': {
      const out = Buffer.from(stream);
      if (at < out.length) out[at] = m.byte;
      return out;
    }
    case 'insert':
      return Buffer.concat([stream.subarray(0, at), m.bytes, stream.subarray(at)]);
    case 'delete':
      return Buffer.concat([stream.subarray(0, at), stream.subarray(at + m.n)]);
  }
}

/** The offsets at which encoded frames start once concatenated. */
export function frameStarts(encoded: readonly Buffer[]): number[] {
  const starts: number[] = [];
  let at = 0;
  for (const frame of encoded) {
    starts.push(at);
    at += frame.length;
  }
  return starts;
}

/** A sha256 in hex. */
export const hex64 = fc.stringMatching(/^[0-9a-f]{64}$/);

/** A well-formed entry of every kind but whiteout. */
export const validEntry: fc.Arbitrary<EntryMeta> = fc.oneof(
  fc.record({ path: fc.constantFrom('.', 'a', 'a/b', 'etc/passwd'), kind: fc.constant('dir' as const), mode: fc.integer({ min: 0, max: 0o7777 }), uid: fc.nat(), gid: fc.nat(), mtimeMs: fc.double({ noNaN: true, noDefaultInfinity: true }), opaque: fc.option(fc.boolean(), { nil: undefined }) }),
  fc.record({ path: fc.constantFrom('f', 'a/f'), kind: fc.constant('file' as const), mode: fc.integer({ min: 0, max: 0o7777 }), uid: fc.nat(), gid: fc.nat(), mtimeMs: fc.integer(), size: fc.nat() }),
  fc.record({ path: fc.constantFrom('l', 'a/l'), kind: fc.constant('symlink' as const), mode: fc.constant(0o777), uid: fc.nat(), gid: fc.nat(), mtimeMs: fc.integer(), target: fc.constantFrom('/etc/passwd', '../..', 'x') }),
).map((e) => Object.fromEntries(Object.entries(e).filter(([, v]) => v !== undefined)) as EntryMeta);

/** Entry paths, harmless and hostile: below symlinks, `..`, absolute, doubled slashes. */
export const ENTRY_NAMES = ['a', 'b', 'a/b', 'a/b/c', 'l', 'l/x', 'a/l', 'a/l/x', 'l/l', '..', '../outside/x', '/abs', 'a/../x', 'a//b', './a'];
/** Where a hostile symlink points: the sibling outside the target, the root, or inside; `OUTSIDE` stands for an absolute path the campaign substitutes. */
export const LINK_TARGETS = ['../outside', '../../outside', '/', 'a', '.', '..', 'OUTSIDE'];

/** One entry of a tree with, for a file, its content and whether its checksum will be right. */
export interface EntryStep {
  meta: EntryMeta;
  data?: Buffer;
  goodSum: boolean;
}

/** Entries with hostile names and targets; a file's announced size is off by one a third of the time each way. */
export const stepArb: fc.Arbitrary<EntryStep> = fc.record({
  path: fc.constantFrom(...ENTRY_NAMES),
  kind: fc.constantFrom('dir' as const, 'file' as const, 'symlink' as const),
  target: fc.constantFrom(...LINK_TARGETS),
  data: fc.uint8Array({ maxLength: 16 }),
  extra: fc.integer({ min: -1, max: 1 }),
  goodSum: fc.boolean(),
}).map(({ path: p, kind, target, data, extra, goodSum }) => {
  const meta: EntryMeta = { path: p, kind, mode: kind === 'symlink' ? 0o777 : 0o755, uid: 0, gid: 0, mtimeMs: 1_700_000_000_000 };
  if (kind === 'symlink') meta.target = target;
  if (kind !== 'file') return { meta, goodSum };
  meta.size = Math.max(0, data.length + extra);
  return { meta, data: Buffer.from(data), goodSum };
});
