/**
 * What fuzzing the control API found (issue 18; src/apps/agent/routes.fuzz.test.ts), each with the
 * exact input: a request target that does not parse as a URL was a 500 FERRY_ERR_INTERNAL; a
 * chunked body refused past the limit left the keep-alive connection open and broken, so the
 * client's next request failed with ECONNRESET; a request Node's parser refuses (headers beyond
 * 16 KiB, garbage) was answered without a JSON FerryError.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { startControlServer, type ControlServer } from './server.ts';

const token = 'f'.repeat(64);
let server: ControlServer;
let agent: http.Agent;

before(async () => {
  server = await startControlServer({ host: '127.0.0.1', port: 0, token, maxRequestBytes: 65536, routes: [{ method: 'POST', path: '/v1/echo', handler: () => ({ ok: true }) }] });
  agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
});
after(async () => {
  agent.destroy();
  await server.close();
});

/** One request over the shared keep-alive connection. */
function send(method: string, path: string, headers: Record<string, string>, body?: Buffer): Promise<{ status: number; headers: http.IncomingHttpHeaders; json: { error?: { code: string } } }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: server.address.port, method, path, headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, json: JSON.parse(Buffer.concat(chunks).toString('utf8')) as { error?: { code: string } } }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const auth = { authorization: `Bearer ${token}` };

void test('a request target that is not a URL ("//host" with a bad host) is invalid input, not an internal error', async () => {
  const got = await send('GET', '//i%16}Oy%7FH7/v1//power/..', auth);
  assert.equal(got.status, 400);
  assert.equal(got.json.error?.code, 'FERRY_ERR_INVALID_INPUT');
  assert.equal((await send('GET', '//i%16}Oy%7FH7/v1//power/..', {})).status, 401);
});

void test('a chunked body refused past the limit closes its connection, so the next request on a keep-alive agent works', async () => {
  const big = await send('POST', '/v1/echo', { ...auth, 'transfer-encoding': 'chunked' }, Buffer.alloc(200_000, 0x61));
  assert.equal(big.status, 413);
  assert.equal(big.json.error?.code, 'FERRY_ERR_TOO_LARGE');
  assert.equal(big.headers.connection, 'close');
  assert.equal((await send('POST', '/v1/echo', {}, Buffer.from('{}'))).status, 401);
  assert.deepEqual((await send('POST', '/v1/echo', auth, Buffer.from('{}'))).json, { ok: true });
});

void test('headers beyond the parser\'s limit, and a request that is not HTTP, get a JSON FerryError too', async () => {
  const long = await send('GET', `/v1/migrations/${'x'.repeat(20_000)}`, auth);
  assert.equal(long.status, 413);
  assert.equal(long.json.error?.code, 'FERRY_ERR_TOO_LARGE');
  const raw = await new Promise<string>((resolve, reject) => {
    const socket = net.connect(server.address.port, '127.0.0.1', () => socket.end('\x16\x03\x01 not http\r\n\r\n'));
    let text = '';
    socket.on('data', (c: Buffer) => (text += c.toString('utf8')));
    socket.on('end', () => resolve(text));
    socket.on('error', reject);
  });
  assert.match(raw, /^HTTP\/1\.1 400 Bad Request\r\n/);
  assert.equal((JSON.parse(raw.slice(raw.indexOf('\r\n\r\n') + 4)) as { error: { code: string } }).error.code, 'FERRY_ERR_INVALID_INPUT');
});

void test('a HEAD request the parser refuses gets the status without a body, so the client reads a clean answer', async () => {
  const got = await new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: server.address.port, method: 'HEAD', path: '/v1/health', headers: { 'x-big': 'y'.repeat(17_408) } }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString('utf8')));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
  assert.deepEqual(got, { status: 413, body: '' });
});
