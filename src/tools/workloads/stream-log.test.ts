import { test } from 'node:test';
import assert from 'node:assert/strict';
import { continuity } from './heartbeat.ts';
import { parseStreamBeats, parseStreamVerifies } from './stream-log.ts';

test('stream heartbeat lines carry the beat, its time and the memory checksum', () => {
  const beats = parseStreamBeats('1 1700000000000 00000000deadbeef\n2 1700000000050 0123456789abcdef\n');
  assert.deepEqual(beats, [
    { n: 1, atMs: 1700000000000, checksum: '00000000deadbeef' },
    { n: 2, atMs: 1700000000050, checksum: '0123456789abcdef' },
  ]);
  assert.equal(continuity(beats).continuous, true);
});

test('a torn or foreign line is left out, so continuity reports the gap', () => {
  const beats = parseStreamBeats('1 100 00000000deadbeef\n2 150 0000000\n3 200 00000000deadbeef\n4 2');
  assert.deepEqual(beats.map((b) => b.n), [1, 3]);
  assert.match(continuity(beats).problem ?? '', /3 follows 1/);
});

test('verify lines: ok only when the workload says so and the checksums agree', () => {
  const text = [
    'verify 12 00000000deadbeef 00000000deadbeef ok',
    'verify 40 00000000deadbeef 00000000deadbeee MISMATCH',
    'verify 41 00000000deadbeef 00000000deadbeee ok',
    'verify 42 short short ok',
    '',
  ].join('\n');
  assert.deepEqual(parseStreamVerifies(text), [
    { n: 12, checksum: '00000000deadbeef', recomputed: '00000000deadbeef', ok: true },
    { n: 40, checksum: '00000000deadbeef', recomputed: '00000000deadbeee', ok: false },
    { n: 41, checksum: '00000000deadbeef', recomputed: '00000000deadbeee', ok: false },
  ]);
  assert.deepEqual(parseStreamVerifies(''), []);
});
