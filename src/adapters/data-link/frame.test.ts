import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { FerryError } from '../../core/errors.ts';
import { encodeFrame, encodeJsonFrame, flipPayloadByte, frameJson, FrameDecoder, FrameType, HEADER_BYTES, FLAG_ZSTD, type Frame } from './frame.ts';
import { isCode } from '../../../test/support/errors.ts';

const MAX = 1 << 20;

function decodeAll(bytes: Buffer, max = MAX): Frame[] {
  return new FrameDecoder({ maxFrameBytes: max }).push(bytes);
}

void test('a frame round-trips, compressed and not', () => {
  const text = Buffer.from('ferry '.repeat(10_000));
  const noise = randomBytes(50_000);
  for (const compression of ['zstd', 'none'] as const) {
    for (const payload of [text, noise, Buffer.alloc(0)]) {
      const frames = decodeAll(encodeFrame(FrameType.DATA, payload, { compression, level: 1 }));
      assert.equal(frames.length, 1);
      assert.equal(frames[0]?.type, FrameType.DATA);
      assert.deepEqual(frames[0]?.payload, payload);
    }
  }
});

void test('zstd is used only when it shrinks the payload', () => {
  const text = encodeFrame(FrameType.DATA, Buffer.alloc(100_000, 7), { compression: 'zstd' });
  assert.equal(text.readUInt8(4) & FLAG_ZSTD, FLAG_ZSTD);
  assert.ok(text.length < 1000);
  const noise = encodeFrame(FrameType.DATA, randomBytes(4096), { compression: 'zstd' });
  assert.equal(noise.readUInt8(4) & FLAG_ZSTD, 0);
  assert.equal(noise.length, HEADER_BYTES + 4096);
});

void test('JSON frames carry their value', () => {
  const [frame] = decodeAll(encodeJsonFrame(FrameType.HELLO, { migrationId: 'm1', ticket: 't' }));
  assert.ok(frame);
  assert.deepEqual(frameJson(frame), { migrationId: 'm1', ticket: 't' });
  const [bad] = decodeAll(encodeFrame(FrameType.ENTRY, Buffer.from('{nope')));
  assert.ok(bad);
  assert.throws(() => frameJson(bad), isCode('FERRY_ERR_PROTOCOL', /frame 0 \(ENTRY\)/));
});

void test('frames split at every byte, or merged, decode the same', () => {
  const payloads = [Buffer.from('a'.repeat(300)), randomBytes(200), Buffer.alloc(0), Buffer.from('{"x":1}')];
  const stream = Buffer.concat(payloads.map((p, i) => encodeFrame(i === 3 ? FrameType.END : FrameType.DATA, p, { compression: 'zstd' })));
  const merged = decodeAll(stream);
  assert.deepEqual(merged.map((f) => f.payload), payloads);
  assert.deepEqual(merged.map((f) => f.index), [0, 1, 2, 3]);
  for (let cut = 1; cut < stream.length; cut += 7) {
    const decoder = new FrameDecoder({ maxFrameBytes: MAX });
    const got = [...decoder.push(stream.subarray(0, cut)), ...decoder.push(stream.subarray(cut))];
    assert.deepEqual(got.map((f) => f.payload), payloads, `split at ${cut}`);
    assert.equal(decoder.pendingBytes, 0);
  }
  const byteByByte = new FrameDecoder({ maxFrameBytes: MAX });
  const got: Frame[] = [];
  for (let i = 0; i < stream.length; i++) got.push(...byteByByte.push(stream.subarray(i, i + 1)));
  assert.deepEqual(got.map((f) => f.payload), payloads);
  assert.equal(got.reduce((n, f) => n + f.wireBytes, 0), stream.length);
});

void test('a corrupted payload byte anywhere is an integrity error naming the frame', () => {
  const original = Buffer.from('integrity matters; '.repeat(40));
  for (const compression of ['none', 'zstd'] as const) {
    const first = encodeFrame(FrameType.DATA, Buffer.from('ok'), { compression });
    const good = encodeFrame(FrameType.DATA, original, { compression });
    let harmless = 0;
    for (let at = HEADER_BYTES; at < good.length; at++) {
      const bad = Buffer.from(good);
      bad[at] = (bad[at] ?? 0) ^ 0x01;
      try {
        const frames = decodeAll(Buffer.concat([first, bad]));
        // A zstd header bit that does not alter the output (e.g. its window size) is
        // harmless: the checksum guards the raw bytes, and those came out intact.
        assert.deepEqual(frames[1]?.payload, original, `${compression} byte ${at}`);
        harmless++;
      } catch (err) {
        isCode('FERRY_ERR_INTEGRITY', /^frame 1 \(DATA, 760 bytes\)/)(err);
      }
    }
    assert.ok(harmless <= (compression === 'none' ? 0 : 3), `${harmless} undetected flips`);
  }
});

void test('a corrupted checksum or length is caught too', () => {
  const good = encodeFrame(FrameType.DATA, Buffer.from('0123456789'.repeat(50)), { compression: 'zstd' });
  for (let at = 14; at < HEADER_BYTES; at++) {
    const bad = Buffer.from(good);
    bad[at] = (bad[at] ?? 0) ^ 0x80;
    assert.throws(() => decodeAll(bad), isCode('FERRY_ERR_INTEGRITY', /sha256 mismatch/));
  }
  const shortRaw = Buffer.from(good);
  shortRaw.writeUInt32BE(499, 10);
  assert.throws(() => decodeAll(shortRaw), isCode('FERRY_ERR_INTEGRITY', /decompress/));
  const plain = encodeFrame(FrameType.DATA, Buffer.from('abc'));
  plain.writeUInt32BE(4, 10);
  assert.throws(() => decodeAll(plain), isCode('FERRY_ERR_PROTOCOL', /wireLen 3 != rawLen 4/));
});

void test('flipPayloadByte corrupts after the checksum, so the receiver notices', () => {
  const frame = encodeFrame(FrameType.DATA, randomBytes(1000));
  flipPayloadByte(frame);
  assert.throws(() => decodeAll(frame), isCode('FERRY_ERR_INTEGRITY'));
});

void test('bad magic, version, type, flags or reserved byte is a protocol error', () => {
  const good = encodeFrame(FrameType.DATA, Buffer.from('x'));
  const cases: Array<[number, number, RegExp]> = [
    [0, 0x48, /bad magic 0x4859/],
    [2, 2, /unsupported frame version 2/],
    [3, 0x2a, /unknown frame type 0x2a/],
    [4, 0x82, /unknown flags 0x82/],
    [5, 1, /reserved header byte is 1/],
  ];
  for (const [at, value, message] of cases) {
    const bad = Buffer.from(good);
    bad[at] = value;
    assert.throws(() => decodeAll(bad), isCode('FERRY_ERR_PROTOCOL', message));
  }
  assert.throws(() => decodeAll(Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n0123456789012345678901234')), isCode('FERRY_ERR_PROTOCOL', /bad magic/));
});

void test('an oversized frame is refused from its header alone, before buffering', () => {
  const header = encodeFrame(FrameType.DATA, Buffer.alloc(2048, 1)).subarray(0, HEADER_BYTES);
  const decoder = new FrameDecoder({ maxFrameBytes: 1024 });
  assert.throws(() => decoder.push(header), isCode('FERRY_ERR_TOO_LARGE', /frame 0 \(DATA\): announces 2048 bytes on the wire, the limit is 1024/));
  // rawLen is checked too: a small zstd payload may not promise a huge expansion.
  const bomb = encodeFrame(FrameType.DATA, Buffer.alloc(1 << 20), { compression: 'zstd' });
  assert.throws(() => decodeAll(bomb, 4096), isCode('FERRY_ERR_TOO_LARGE', /1048576 bytes after decompression, the limit is 4096/));
});

void test('after one error the decoder refuses everything', () => {
  const decoder = new FrameDecoder({ maxFrameBytes: MAX });
  assert.throws(() => decoder.push(Buffer.alloc(HEADER_BYTES)), isCode('FERRY_ERR_PROTOCOL'));
  assert.throws(() => decoder.push(encodeFrame(FrameType.END, Buffer.from('{}'))), isCode('FERRY_ERR_PROTOCOL', /bad magic/));
});

void test('decode hands back the good frames before a violation, then the violation', () => {
  const decoder = new FrameDecoder({ maxFrameBytes: MAX });
  const good = encodeJsonFrame(FrameType.HELLO, { migrationId: 'm', ticket: 't' });
  const { frames, error } = decoder.decode(Buffer.concat([good, Buffer.alloc(HEADER_BYTES)]));
  assert.equal(frames.length, 1);
  assert.ok(error instanceof FerryError && error.code === 'FERRY_ERR_PROTOCOL' && /^frame 1: bad magic/.test(error.message));
});
