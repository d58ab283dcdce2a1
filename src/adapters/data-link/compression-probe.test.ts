import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CompressionProbe } from './compression-probe.ts';

test('after a frame that does not compress, the next frames skip compression, then it tries again', () => {
  const p = new CompressionProbe({ backoff: 2 });
  assert.equal(p.shouldTry(), true);
  p.record(10, 20); // a tiny frame that grew says nothing
  assert.equal(p.shouldTry(), true);
  p.record(1 << 20, (1 << 20) - 1);
  assert.deepEqual([p.shouldTry(), p.shouldTry(), p.shouldTry()], [false, false, true]);
  p.record(1 << 20, 300_000); // compressible again: keep trying
  assert.deepEqual([p.shouldTry(), p.shouldTry()], [true, true]);
});
