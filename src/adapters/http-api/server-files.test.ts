/** @module adapters/http-api/server-files.test — public static files are served without the token, API paths never; server-sent events are framed. */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startControlServer, type ControlServer } from './server.ts';
import { newToken } from './auth.ts';

const token = newToken();
let server: ControlServer;
let url: string;

before(async () => {
  server = await startControlServer({
    host: '127.0.0.1', port: 0, token, maxRequestBytes: 1024,
    routes: [{ method: 'GET', path: '/v1/sse', handler: () => ({ sse: (async function* () { yield await Promise.resolve({ event: 'nodes', data: { n: 1 } }); yield { event: 'event', data: 'x' }; })() }) }],
    files: (p) => Promise.resolve(p === '/' || p === '/v1/secret' || p === '/metrics' ? { body: Buffer.from('<p>page</p>'), contentType: 'text/html; charset=utf-8' } : undefined),
  });
  url = `http://127.0.0.1:${server.address.port}`;
});
after(() => server.close());

test('the page is served without the token, with its type and a restrictive policy', async () => {
  const res = await fetch(`${url}/`);
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'text/html; charset=utf-8');
  assert.match(res.headers.get('content-security-policy') ?? '', /default-src 'self'/);
  assert.equal(await res.text(), '<p>page</p>');
});

test('API paths and unknown files still need the token', async () => {
  for (const p of ['/v1/secret', '/metrics', '/other.js', '/v1/sse']) assert.equal((await fetch(`${url}${p}`)).status, 401, p);
});

test('server-sent events carry each message as event and JSON data', async () => {
  const res = await fetch(`${url}/v1/sse`, { headers: { authorization: `Bearer ${token}` } });
  assert.match(res.headers.get('content-type') ?? '', /^text\/event-stream/);
  assert.equal(await res.text(), 'event: nodes\ndata: {"n":1}\n\nevent: event\ndata: "x"\n\n');
});
