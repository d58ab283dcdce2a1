import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tokenMatches, isLoopback, checkListenPolicy, newToken } from './auth.ts';

test('only the exact bearer token passes', () => {
  const t = newToken();
  assert.equal(tokenMatches(`Bearer ${t}`, t), true);
  assert.equal(tokenMatches(`Bearer ${t}x`, t), false);
  assert.equal(tokenMatches(`bearer ${t}`, t), false);
  assert.equal(tokenMatches(t, t), false);
  assert.equal(tokenMatches(undefined, t), false);
  assert.equal(tokenMatches('Bearer ', t), false);
});

test('without a token an agent may listen on loopback only', () => {
  assert.equal(isLoopback('127.0.0.1'), true);
  assert.equal(isLoopback('127.3.2.1'), true);
  assert.equal(isLoopback('::1'), true);
  assert.equal(isLoopback('10.213.0.11'), false);
  assert.equal(isLoopback('0.0.0.0'), false);
  assert.doesNotThrow(() => checkListenPolicy('127.0.0.1', undefined));
  // Beyond loopback: TLS, or plain TCP only when asked for and then with a token.
  assert.throws(() => checkListenPolicy('10.213.0.11', newToken()), /refusing plain TCP on 10\.213\.0\.11: beyond loopback ferry speaks only TLS; .*--pki-dir/);
  assert.doesNotThrow(() => checkListenPolicy('10.213.0.11', undefined, { tls: true, plainBeyondLoopback: false }));
  const plain = { tls: false, plainBeyondLoopback: true };
  assert.throws(() => checkListenPolicy('10.213.0.11', undefined, plain), /refusing to listen on 10\.213\.0\.11 in plain TCP without a cluster token/);
  assert.throws(() => checkListenPolicy('0.0.0.0', '', plain), /FERRY_ERR_CONFIG|refusing/);
  assert.throws(() => checkListenPolicy('10.213.0.11', 'short', plain), /at least 32/);
  assert.throws(() => checkListenPolicy('10.213.0.11', 'short', { tls: true, plainBeyondLoopback: false }), /at least 32/);
  assert.doesNotThrow(() => checkListenPolicy('10.213.0.11', newToken(), plain));
});
