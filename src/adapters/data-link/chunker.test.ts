import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { rechunk, splitOnly } from './chunker.ts';

async function collect(pieces: Array<Uint8Array | string>, size: number): Promise<Buffer[]> {
  const out: Buffer[] = [];
  for await (const chunk of rechunk(Readable.from(pieces), size)) out.push(chunk);
  return out;
}

void test('small pieces are gathered into full chunks, the rest comes last', async () => {
  const out = await collect(['ab', 'cd', 'e', '', 'fgh'], 3);
  assert.deepEqual(out.map(String), ['abc', 'def', 'gh']);
});

void test('a big piece is cut into chunks, leftovers join the next piece', async () => {
  const out = await collect([Buffer.from('0123456789'), new Uint8Array([65, 66])], 4);
  assert.deepEqual(out.map(String), ['0123', '4567', '89AB']);
});

void test('exact multiples leave no empty chunk, and an empty source yields nothing', async () => {
  assert.deepEqual((await collect(['abcd', 'efgh'], 4)).map(String), ['abcd', 'efgh']);
  assert.deepEqual(await collect([], 4), []);
  assert.deepEqual(await collect(['', ''], 4), []);
});

void test('the bytes that go in come out, for any piece and chunk size', async () => {
  const data = Buffer.from(Array.from({ length: 1000 }, (_, i) => i % 251));
  for (const pieceSize of [1, 7, 64, 999, 1000]) {
    for (const chunkSize of [1, 10, 128, 1000, 4096]) {
      const pieces: Buffer[] = [];
      for (let at = 0; at < data.length; at += pieceSize) pieces.push(data.subarray(at, at + pieceSize));
      const out = await collect(pieces, chunkSize);
      assert.ok(Buffer.concat(out).equals(data));
      assert.ok(out.slice(0, -1).every((c) => c.length === chunkSize));
    }
  }
});

test('splitOnly passes each piece on at once, cut to the chunk size, never holding bytes for the next piece', async () => {
  const out: number[] = [];
  for await (const c of splitOnly(Readable.from([Buffer.alloc(10, 1), Buffer.alloc(0), Buffer.alloc(3, 2)]), 4)) out.push(c.length);
  assert.deepEqual(out, [4, 4, 2, 3]);
});
