import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isCode } from '../../../test/support/errors.ts';
import { sha256Hex } from './digest.ts';
import { decodeManifest, encodeManifest } from './manifest-envelope.ts';

test('a manifest envelope is one header line with the SHA-256 and length, then the body; any damage is FERRY_ERR_INTEGRITY', () => {
  const body = Buffer.from('{"objects":[]}\nsecond line');
  const stored = encodeManifest(body);
  assert.equal(stored.toString().split('\n')[0], `ferry-manifest v1 ${sha256Hex(body)} ${body.length}`);
  assert.ok(decodeManifest(stored, 'manifest m').equals(body));
  assert.equal(decodeManifest(encodeManifest(Buffer.alloc(0)), 'm').length, 0);
  const bad = [stored.subarray(0, -1), Buffer.concat([stored, Buffer.from(' ')]), Buffer.from(stored.toString().replace('v1', 'v2')), body, Buffer.alloc(200, 'x')];
  for (const raw of bad) assert.throws(() => decodeManifest(raw, 'manifest m'), isCode('FERRY_ERR_INTEGRITY', /manifest m is corrupted/));
});
