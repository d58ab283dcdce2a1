/**
 * Fuzzing the data-link framing and its JSON messages (issue 18) with fast-check, fixed seed:
 * valid frames round-trip however the stream is cut; random bytes, truncated streams, bit flips,
 * forged lengths and spliced bytes are refused with a FerryError — never a crash, a hang or a
 * buffer beyond one frame — and a frame that does decode carries exactly the payload the sender
 * hashed. FERRY_FUZZ_RUNS=1000000 makes a longer campaign.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type * as z from 'zod';
import { FerryError, type ErrorCode } from '../../core/errors.ts';
import { encodeFrame, encodeJsonFrame, frameJson, FrameDecoder, FrameType, HEADER_BYTES, type Frame } from './frame.ts';
import { checkEntryShape, EntryEndSchema, EntryMetaSchema, ErrorPayloadSchema, HelloAckSchema, HelloSchema, parsePayload, StreamBeginSchema, StreamEndSchema, TransferSummarySchema, type EntryMeta } from './messages.ts';
import { safeRelativePath } from './path-guard.ts';
import { expectRefusal, fuzzOptions, fuzzRuns } from '../../../test/support/fuzz.ts';
import { chunkSizes, cut, frameArb, frameStarts, FRAME_TYPES as TYPES, FUZZ_FRAME_BYTES as MAX, hex64, mutate, mutationArb, validEntry, type FrameSpec as Spec } from '../../../test/support/data-link-arbitraries.ts';

const DECODE_CODES: readonly ErrorCode[] = ['FERRY_ERR_PROTOCOL', 'FERRY_ERR_INTEGRITY', 'FERRY_ERR_TOO_LARGE'];
let framesFed = 0;

/**
 * Feeds chunks; checks that every push either completes frames or throws a decode FerryError
 * (the same one forever after), and that no more than one frame is ever held back.
 */
function feed(decoder: FrameDecoder, chunks: readonly Buffer[], max: number): { frames: Frame[]; error?: FerryError } {
  const frames: Frame[] = [];
  let error: FerryError | undefined;
  for (const chunk of chunks) {
    try {
      frames.push(...decoder.push(chunk));
      assert.equal(error, undefined, 'a push after a violation must fail too');
      assert.ok(decoder.pendingBytes < HEADER_BYTES + max, `${decoder.pendingBytes} bytes held back`);
    } catch (err) {
      if (err instanceof assert.AssertionError) throw err;
      const refusal = expectRefusal(err, DECODE_CODES, 'decoding');
      if (error) assert.equal(refusal, error, 'after a violation the decoder repeats it');
      error = refusal;
      assert.equal(decoder.pendingBytes, 0, 'a failed decoder drops its buffer');
    }
  }
  return error ? { frames, error } : { frames };
}

void test('fuzz: valid frames round-trip however the stream is cut', () => {
  fc.assert(
    fc.property(fc.array(frameArb, { minLength: 1, maxLength: 4 }), chunkSizes, (specs: Spec[], sizes) => {
      const stream = Buffer.concat(specs.map((s) => encodeFrame(s.type, s.payload, { compression: s.compression })));
      const decoder = new FrameDecoder({ maxFrameBytes: MAX });
      const { frames, error } = feed(decoder, cut(stream, sizes), MAX);
      assert.equal(error, undefined);
      assert.deepEqual(frames.map((f) => [f.type, f.payload, f.index]), specs.map((s, i) => [s.type, s.payload, i]));
      assert.equal(frames.reduce((n, f) => n + f.wireBytes, 0), stream.length);
      assert.equal(decoder.pendingBytes, 0);
      framesFed += specs.length;
    }),
    fuzzOptions(fuzzRuns()),
  );
});

void test('fuzz: JSON frames carry any JSON value', () => {
  fc.assert(
    fc.property(fc.jsonValue(), fc.constantFrom(FrameType.HELLO, FrameType.ENTRY, FrameType.STREAM_END), (value, type) => {
      const [frame] = new FrameDecoder({ maxFrameBytes: MAX }).push(encodeJsonFrame(type, value, { compression: 'zstd' }));
      assert.ok(frame);
      assert.equal(JSON.stringify(frameJson(frame)), JSON.stringify(value));
      framesFed++;
    }),
    fuzzOptions(fuzzRuns(0.2)),
  );
});

void test('fuzz: random bytes are refused with a decode error or wait for more, never crash', () => {
  // Half the streams start like a header so the later checks are reached, not only the magic.
  const bytesArb = fc.oneof(
    fc.uint8Array({ maxLength: 300 }),
    fc.tuple(fc.uint8Array({ maxLength: 4 }), fc.uint8Array({ maxLength: 300 })).map(([head, rest]) => Uint8Array.from([0x46, 0x59, 1, ...head, ...rest])),
  );
  fc.assert(
    fc.property(bytesArb, chunkSizes, fc.integer({ min: 0, max: MAX }), (bytes, sizes, max) => {
      const { frames } = feed(new FrameDecoder({ maxFrameBytes: max }), cut(Buffer.from(bytes), sizes), max);
      framesFed++;
      // A random payload matches a random sha256 only by accident: nothing may decode.
      assert.equal(frames.length, 0);
    }),
    fuzzOptions(fuzzRuns()),
  );
});

void test('fuzz: mutated streams never crash, and a frame that decodes carries the payload that was sent', () => {
  fc.assert(
    fc.property(fc.array(frameArb, { minLength: 1, maxLength: 4 }), fc.array(mutationArb, { minLength: 1, maxLength: 3 }), chunkSizes, (specs: Spec[], mutations, sizes) => {
      const encoded = specs.map((s) => encodeFrame(s.type, s.payload, { compression: s.compression }));
      const starts = frameStarts(encoded);
      let stream: Buffer = Buffer.concat(encoded);
      for (const m of mutations) stream = mutate(stream, starts, m);
      const { frames } = feed(new FrameDecoder({ maxFrameBytes: MAX }), cut(stream, sizes), MAX);
      framesFed += specs.length;
      // The header is not checksummed (a flipped type decodes as another type, a deleted frame shifts
      // the rest), the payload is: whatever decodes is a payload that was sent, byte for byte.
      for (const f of frames) assert.ok(specs.some((s) => s.payload.equals(f.payload)), `frame ${f.index} decoded with a payload that was not sent`);
    }),
    fuzzOptions(fuzzRuns()),
  );
});

void test('fuzz: a header announcing more than the limit is refused as soon as it is complete, before any payload is buffered', () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: MAX }), fc.integer({ min: 1, max: 0xffff_ffff }), fc.boolean(), fc.constantFrom(...TYPES), (max, excess, onWire, type) => {
      const announced = Math.min(0xffff_ffff, max + excess);
      const header = encodeFrame(type, Buffer.alloc(0)).subarray(0, HEADER_BYTES);
      header.writeUInt32BE(onWire ? announced : 0, 6);
      header.writeUInt32BE(onWire ? 0 : announced, 10);
      header.writeUInt8(onWire ? 0 : 1, 4);
      const decoder = new FrameDecoder({ maxFrameBytes: max });
      assert.deepEqual(decoder.push(header.subarray(0, HEADER_BYTES - 1)), []);
      assert.throws(() => decoder.push(header.subarray(HEADER_BYTES - 1)), (err) => expectRefusal(err, ['FERRY_ERR_TOO_LARGE'], 'oversized header') instanceof FerryError);
      assert.equal(decoder.pendingBytes, 0);
      framesFed++;
    }),
    fuzzOptions(fuzzRuns(0.2)),
  );
});

/** Every schema of the link with a valid value to mutate. */
const SCHEMAS: Array<{ name: string; schema: z.ZodType; valid: fc.Arbitrary<Record<string, unknown>> }> = [
  { name: 'EntryMeta', schema: EntryMetaSchema, valid: validEntry },
  { name: 'Hello', schema: HelloSchema, valid: fc.record({ migrationId: fc.string({ minLength: 1, maxLength: 40 }), ticket: fc.string({ maxLength: 48 }) }) },
  { name: 'EntryEnd', schema: EntryEndSchema, valid: fc.record({ sha256: hex64 }) },
  { name: 'StreamBegin', schema: StreamBeginSchema, valid: fc.record({ root: fc.constantFrom('rootfs', 'checkpoint', 'vol-a'), kind: fc.constantFrom('tree', 'stream') }) },
  { name: 'StreamEnd', schema: StreamEndSchema, valid: fc.record({ entries: fc.nat(), rawBytes: fc.nat(), sha256: hex64 }) },
  { name: 'TransferSummary', schema: TransferSummarySchema, valid: fc.record({ files: fc.nat(), rawBytes: fc.nat(), wireBytes: fc.nat() }) },
  { name: 'HelloAck', schema: HelloAckSchema, valid: fc.constant({ accepted: true }) },
  { name: 'ErrorPayload', schema: ErrorPayloadSchema, valid: fc.record({ code: fc.constant('FERRY_ERR_PROTOCOL'), message: fc.string() }) },
];

/** A valid message with one field replaced, removed or added, or any JSON, or bytes that are not JSON. */
function payloadFor(valid: fc.Arbitrary<Record<string, unknown>>): fc.Arbitrary<Buffer> {
  const json = fc.oneof(
    valid,
    fc.tuple(valid, fc.nat(), fc.jsonValue()).map(([v, i, x]) => {
      const keys = Object.keys(v);
      return keys.length ? { ...v, [keys[i % keys.length] ?? '']: x } : v;
    }),
    fc.tuple(valid, fc.nat()).map(([v, i]) => Object.fromEntries(Object.entries(v).filter((_, j) => j !== i % Math.max(1, Object.keys(v).length)))),
    fc.tuple(valid, fc.string({ maxLength: 8 }), fc.jsonValue()).map(([v, k, x]) => ({ ...v, [k]: x })),
    fc.jsonValue(),
  ).map((v) => Buffer.from(JSON.stringify(v) ?? 'null'));
  return fc.oneof({ weight: 5, arbitrary: json }, { weight: 1, arbitrary: fc.uint8Array({ maxLength: 64 }).map((a) => Buffer.from(a)) });
}

void test('fuzz: every message schema accepts only what it describes, and refuses the rest as a protocol error', () => {
  const arb = fc.nat(SCHEMAS.length - 1).chain((i) => payloadFor(SCHEMAS[i]?.valid ?? fc.constant({})).map((payload) => ({ i, payload })));
  fc.assert(
    fc.property(arb, ({ i, payload }) => {
      const { name, schema } = SCHEMAS[i] ?? SCHEMAS[0]!;
      const frame: Frame = { type: FrameType.ENTRY, payload, wireBytes: HEADER_BYTES + payload.length, index: 7 };
      let value: unknown;
      try {
        value = parsePayload(frame, schema);
      } catch (err) {
        assert.match(expectRefusal(err, ['FERRY_ERR_PROTOCOL'], name).message, /^frame 7 \(ENTRY\)/);
        return;
      }
      assert.ok(schema.safeParse(value).success, `${name}: parsePayload returned a value its schema refuses`);
      if (name !== 'EntryMeta') return;
      const meta = value as EntryMeta;
      try {
        checkEntryShape(meta, 7);
      } catch (err) {
        expectRefusal(err, ['FERRY_ERR_PROTOCOL'], 'checkEntryShape');
        return;
      }
      assert.equal(meta.kind === 'file', meta.size !== undefined);
      assert.equal(meta.kind === 'symlink', meta.target !== undefined);
      if (meta.path === '.') assert.equal(meta.kind, 'dir');
      else {
        try {
          safeRelativePath(meta.path);
        } catch (err) {
          expectRefusal(err, ['FERRY_ERR_UNSAFE_PATH'], 'the path guard');
        }
      }
    }),
    fuzzOptions(fuzzRuns()),
  );
});

void test('fuzz campaign size', (t) => {
  // Runs last (tests of a file run in order): valid, random and mutated frames fed above.
  assert.ok(framesFed >= fuzzRuns(), `${framesFed} frames fed`);
  t.diagnostic(`${framesFed} valid, random and mutated frames fed to the decoder`);
});
