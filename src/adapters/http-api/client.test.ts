import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { startControlServer, type ControlServer } from './server.ts';
import { ControlClient } from './client.ts';
import { isCode } from '../../../test/support/errors.ts';

let server: ControlServer;
let url: string;

before(async () => {
  server = await startControlServer({
    host: '127.0.0.1',
    port: 0,
    token: undefined,
    maxRequestBytes: 1024,
    routes: [
      { method: 'GET', path: '/v1/health', handler: () => ({ ok: true }) },
      // A step that takes far longer than any deadline below.
      { method: 'POST', path: '/v1/slow', handler: () => sleep(10_000, {}, { ref: false }) },
      { method: 'GET', path: '/v1/silent', handler: () => ({ ndjson: (async function* () { yield { i: 1 }; await sleep(10_000, undefined, { ref: false }); yield { i: 2 }; })() }) },
    ],
  });
  url = `http://127.0.0.1:${server.address.port}`;
});
after(() => server.close());

test('a call past its deadline to a live agent is FERRY_ERR_PEER_TIMEOUT, naming the call and the config key', async () => {
  const client = new ControlClient(url, { token: undefined }, 200, 'agent', 'migration.requestTimeoutMs');
  await assert.rejects(client.call('POST', '/v1/slow', {}), isCode('FERRY_ERR_PEER_TIMEOUT', /answers \/v1\/health but did not answer POST \/v1\/slow within 200 ms \(config migration\.requestTimeoutMs\)/));
  await assert.rejects(client.call('POST', '/v1/slow', {}, { ms: 150, key: 'deadlines.criuRestoreMs' }), isCode('FERRY_ERR_PEER_TIMEOUT', /within 150 ms \(config deadlines\.criuRestoreMs\)/));
  assert.equal(await client.alive(), true);
});

test('a stream that goes silent past its idle limit is FERRY_ERR_PEER_TIMEOUT while the agent answers /v1/health', async () => {
  const got: unknown[] = [];
  const client = new ControlClient(url, { token: undefined });
  await assert.rejects((async () => { for await (const item of client.stream('/v1/silent', 300)) got.push(item); })(), isCode('FERRY_ERR_PEER_TIMEOUT', /sent nothing on GET \/v1\/silent for 300 ms/));
  assert.deepEqual(got, [{ i: 1 }]);
});

test('an agent that is gone, or whose stream breaks, is FERRY_ERR_AGENT_UNREACHABLE', async () => {
  assert.equal(await new ControlClient('http://127.0.0.1:1', { token: undefined }).alive(), false);
  await assert.rejects(new ControlClient('http://127.0.0.1:1', { token: undefined }, 2000).call('GET', '/v1/health'), isCode('FERRY_ERR_AGENT_UNREACHABLE'));
  // A server that sends one line and then drops the connection.
  const cut = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/x-ndjson' });
    res.write('{"i":1}\n');
    setTimeout(() => res.socket?.destroy(), 50);
  });
  await new Promise<void>((resolve) => cut.listen(0, '127.0.0.1', resolve));
  try {
    const client = new ControlClient(`http://127.0.0.1:${(cut.address() as AddressInfo).port}`, { token: undefined });
    await assert.rejects((async () => { const got: unknown[] = []; for await (const item of client.stream('/v1/x', 5000)) got.push(item); })(), isCode('FERRY_ERR_AGENT_UNREACHABLE', /did not answer GET \/v1\/x/));
  } finally {
    cut.closeAllConnections();
    cut.close();
  }
});

test('a long call to a peer that stops answering /v1/health ends as FERRY_ERR_AGENT_UNREACHABLE well before its deadline', async () => {
  // The call is accepted and never answered; /v1/health answers once, then hangs (as a cut link looks).
  let healthCalls = 0;
  const raw = http.createServer((req) => {
    if (req.url === '/v1/health' && ++healthCalls === 1) req.socket.end('HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\n{}');
  });
  await new Promise<void>((resolve) => raw.listen(0, '127.0.0.1', resolve));
  try {
    const client = new ControlClient(`http://127.0.0.1:${(raw.address() as AddressInfo).port}`, {}, 60_000, 'destination agent', undefined, { livenessEveryMs: 200 });
    const started = Date.now();
    await assert.rejects(client.call('POST', '/v1/restore', {}, 60_000), isCode('FERRY_ERR_AGENT_UNREACHABLE', /stopped answering \/v1\/health while POST \/v1\/restore was in progress/));
    assert.ok(Date.now() - started < 15_000, `noticed after ${Date.now() - started} ms, not at the 60 s deadline`);
    assert.ok(healthCalls >= 3, 'one answered probe, then two missed ones');
  } finally {
    raw.closeAllConnections();
    raw.close();
  }
});
