import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as z from 'zod';
import { startControlServer, type ControlServer } from './server.ts';
import { ControlClient } from './client.ts';
import { newToken } from './auth.ts';
import { FerryError } from '../../core/errors.ts';
import { codeOf } from '../../../test/support/errors.ts';

const token = newToken();
let server: ControlServer;
let url: string;
let calls = 0;

before(async () => {
  server = await startControlServer({
    host: '127.0.0.1',
    port: 0,
    token,
    maxRequestBytes: 1024,
    routes: [
      { method: 'POST', path: '/v1/echo/:id', body: z.strictObject({ n: z.number().int() }), handler: ({ params, body }) => { calls++; return { id: params['id'], n: (body as { n: number }).n }; } },
      { method: 'GET', path: '/v1/fail', handler: () => { throw new FerryError('FERRY_ERR_UNKNOWN_CONTAINER', 'no container named "x" on this host'); } },
      { method: 'GET', path: '/v1/stream', handler: () => ({ ndjson: (async function* () { yield await Promise.resolve({ i: 1 }); yield { i: 2 }; })() }) },
    ],
  });
  url = `http://127.0.0.1:${server.address.port}`;
});
after(() => server.close());

test('a valid request with the token is served', async () => {
  assert.deepEqual(await new ControlClient(url, { token: token }).call('POST', '/v1/echo/abc', { n: 3 }), { id: 'abc', n: 3 });
});

test('a wrong or missing token is refused before the handler runs', async () => {
  const before = calls;
  assert.equal(await codeOf(new ControlClient(url, { token: 'x'.repeat(64) }).call('POST', '/v1/echo/a', { n: 1 })), 'FERRY_ERR_AUTH');
  assert.equal(await codeOf(new ControlClient(url, { token: undefined }).call('POST', '/v1/echo/a', { n: 1 })), 'FERRY_ERR_AUTH');
  assert.equal(calls, before);
});

test('malformed, invalid and oversized bodies are refused with the field named', async () => {
  const raw = (body: string) => fetch(`${url}/v1/echo/a`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body });
  const bad = await raw('{not json');
  assert.equal(bad.status, 400);
  assert.match(((await bad.json()) as { error: { message: string } }).error.message, /not valid JSON/);
  const wrong = await new ControlClient(url, { token: token }).call('POST', '/v1/echo/a', { n: 'three' }).catch((e: FerryError) => e);
  assert.ok(wrong instanceof FerryError);
  assert.equal(wrong.code, 'FERRY_ERR_INVALID_INPUT');
  assert.match(wrong.message, /field n/);
  assert.equal((await raw(JSON.stringify({ n: 1, pad: 'x'.repeat(2000) }))).status, 413);
  assert.equal(await codeOf(new ControlClient(url, { token: token }).call('POST', '/v1/echo/a', { n: 1, extra: true })), 'FERRY_ERR_INVALID_INPUT');
});

test('errors keep their code, message and hint across the wire; unknown routes are named', async () => {
  const err = await new ControlClient(url, { token: token }).call('GET', '/v1/fail').catch((e: FerryError) => e);
  assert.ok(err instanceof FerryError);
  assert.equal(err.code, 'FERRY_ERR_UNKNOWN_CONTAINER');
  assert.match(err.message, /no container named "x"/);
  assert.equal(await codeOf(new ControlClient(url, { token: token }).call('GET', '/v1/nothing')), 'FERRY_ERR_INVALID_INPUT');
});

test('NDJSON streams arrive as objects', async () => {
  const got: unknown[] = [];
  for await (const item of new ControlClient(url, { token: token }).stream('/v1/stream')) got.push(item);
  assert.deepEqual(got, [{ i: 1 }, { i: 2 }]);
});

test('an agent that is not there is FERRY_ERR_AGENT_UNREACHABLE', async () => {
  assert.equal(await codeOf(new ControlClient('http://127.0.0.1:1', { token: token }, 2000).call('GET', '/v1/health')), 'FERRY_ERR_AGENT_UNREACHABLE');
});
