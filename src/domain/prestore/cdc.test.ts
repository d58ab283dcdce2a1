import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { ContentChunker, chunkStream } from './cdc.ts';

const SIZES = { min: 1024, avg: 4096, max: 16384 };

async function blocksOf(data: Buffer, pieces: number): Promise<Buffer[]> {
  const step = Math.ceil(data.length / pieces);
  const parts = Array.from({ length: pieces }, (_, i) => data.subarray(i * step, (i + 1) * step));
  const out: Buffer[] = [];
  for await (const b of chunkStream(parts, SIZES)) out.push(b);
  return out;
}

void test('blocks reassemble the input and respect min and max', async () => {
  const data = randomBytes(300_000);
  const blocks = await blocksOf(data, 7);
  assert.deepEqual(Buffer.concat(blocks), data);
  for (const b of blocks.slice(0, -1)) assert.ok(b.length >= SIZES.min && b.length <= SIZES.max, `block of ${b.length}`);
  assert.ok(blocks.length > 10, 'random data is cut into many blocks');
});

void test('cut points do not depend on how the stream was split', async () => {
  const data = randomBytes(200_000);
  const a = (await blocksOf(data, 1)).map((b) => b.length);
  const b = (await blocksOf(data, 13)).map((b) => b.length);
  assert.deepEqual(a, b);
});

void test('an insertion changes the blocks around it only', async () => {
  const data = randomBytes(400_000);
  const edited = Buffer.concat([data.subarray(0, 200_000), Buffer.from('inserted bytes'), data.subarray(200_000)]);
  const before = new Set((await blocksOf(data, 3)).map((b) => b.toString('base64')));
  const after = await blocksOf(edited, 5);
  const shared = after.filter((b) => before.has(b.toString('base64'))).length;
  assert.ok(shared >= after.length - 3, `${shared} of ${after.length} blocks shared`);
});

void test('constant input is cut at max', () => {
  const c = new ContentChunker(SIZES);
  const blocks = [...c.push(Buffer.alloc(50_000)), ...c.flush()];
  assert.deepEqual(blocks.slice(0, -1).map((b) => b.length), [16384, 16384, 16384]);
});
