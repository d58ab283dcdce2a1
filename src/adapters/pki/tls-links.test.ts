/**
 * Both links over the cluster PKI, with real certificates from `ferry pki`'s code and Node's TLS
 * 1.3 on 127.0.0.1: the control API lets an operator in and tells the handler who called, keeps
 * the destination's routes for agents, and refuses plain HTTP, no certificate, another CA's, an
 * expired and a revoked one (the list re-read without a restart), each with a FerryError that
 * names why and no handler reached; a client refuses a server another CA signed. The data link
 * carries an agent's session and refuses everyone else with an ERROR frame before any root is
 * mapped.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import tls from 'node:tls';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { FerryError } from '../../core/errors.ts';
import { certSubject, type PeerIdentity } from '../../domain/pki/cert-subject.ts';
import { ControlClient } from '../http-api/client.ts';
import { startControlServer, type ControlServer } from '../http-api/server.ts';
import { connectDataLink, createDataLinkServer, type DataLinkServer } from '../data-link/data-link.ts';
import { FrameDecoder, FrameType } from '../data-link/frame.ts';
import { initCa, issueCert, revokeCert, rotateCert } from './cluster-pki.ts';
import { loadTlsIdentity, type TlsIdentity } from './tls-identity.ts';
import { refusalOf } from '../../../test/support/errors.ts';

const H1: PeerIdentity = { role: 'agent', name: 'h1' };
const H2: PeerIdentity = { role: 'agent', name: 'h2' };
const ALICE: PeerIdentity = { role: 'operator', name: 'alice' };
let dir = '';
let otherDir = '';
let control: ControlServer;
let data: DataLinkServer;
const handled: string[] = [];
const mapped: string[] = [];
const id = (who: PeerIdentity, d = dir): TlsIdentity => loadTlsIdentity(d, who);

before(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'ferry-tls-'));
  otherDir = await mkdtemp(path.join(tmpdir(), 'ferry-tls-other-'));
  await initCa(dir);
  await initCa(otherDir);
  for (const s of [certSubject('agent', 'h1', ['127.0.0.1']), certSubject('agent', 'h2', ['127.0.0.1']), certSubject('operator', 'alice'), certSubject('operator', 'mallory'), certSubject('operator', 'late')]) await issueCert(dir, s);
  await issueCert(dir, certSubject('operator', 'old'), { days: -1 });
  await issueCert(otherDir, certSubject('operator', 'alice'));
  await issueCert(otherDir, certSubject('agent', 'h2', ['127.0.0.1']));
  const server = id(H2);
  control = await startControlServer({
    host: '127.0.0.1', port: 0, token: undefined, maxRequestBytes: 4096,
    tls: { identity: server, roles: ['controller', 'operator'] },
    routes: [
      { method: 'GET', path: '/v1/who', handler: ({ peer }) => (handled.push('who'), { peer }) },
      { method: 'POST', path: '/v1/incoming', roles: ['agent'], handler: ({ peer }) => (handled.push('incoming'), { peer }) },
    ],
  });
  data = await createDataLinkServer({
    host: '127.0.0.1', port: 0, tls: server, linkTimeoutMs: 5000,
    authorize: (hello) => {
      if (hello.ticket !== 'ticket-1') throw new FerryError('FERRY_ERR_AUTH', 'no such ticket');
      return { target: (root) => (mapped.push(root), { kind: 'stream', sink: () => new Writable({ write: (_c, _e, done) => done() }) }) };
    },
  });
});

after(async () => {
  await control?.close();
  await data?.close();
  await rm(dir, { recursive: true, force: true });
  await rm(otherDir, { recursive: true, force: true });
});

/** `n` bytes as a stream. */
async function* bytes(n: number): AsyncIterable<Uint8Array> {
  yield await Promise.resolve(Buffer.alloc(n, 7));
}

const url = (): string => `https://127.0.0.1:${control.address.port}`;

test('an operator is let in and the handler knows who called; an agent may call only the destination routes', async () => {
  const before = handled.length;
  assert.deepEqual(await new ControlClient(url(), { tls: id(ALICE) }).call('GET', '/v1/who'), { peer: ALICE });
  assert.deepEqual(await new ControlClient(url(), { tls: id(H1) }).call('POST', '/v1/incoming', {}), { peer: H1 });
  const wrongRole = await refusalOf(new ControlClient(url(), { tls: id(H1) }).call('GET', '/v1/who'));
  assert.equal(wrongRole.code, 'FERRY_ERR_FORBIDDEN');
  assert.match(wrongRole.message, /ferry:\/\/agent\/h1 may not call GET \/v1\/who \(it admits controller, operator\)/);
  const operatorMigrates = await refusalOf(new ControlClient(url(), { tls: id(ALICE) }).call('POST', '/v1/incoming', {}));
  assert.equal(operatorMigrates.code, 'FERRY_ERR_FORBIDDEN');
  assert.equal(handled.length, before + 2);
});

test('plain HTTP, no certificate, another CA\'s, an expired one: each refused with its reason, no handler reached', async () => {
  const before = handled.length;
  const plain = await refusalOf(new ControlClient(`http://127.0.0.1:${control.address.port}`, {}).call('GET', '/v1/who'));
  assert.equal(plain.code, 'FERRY_ERR_AUTH');
  assert.match(plain.message, /speaks only HTTPS \(TLS 1\.3 with a client certificate of the cluster\); call https:\/\/127\.0\.0\.1:\d+/);
  const cases: Array<[string, TlsIdentity | undefined, RegExp]> = [
    ['no certificate', undefined, /no client certificate/],
    ['another CA', { ...id(ALICE, otherDir), clientOptions: () => ({ ...id(ALICE, otherDir).clientOptions(), ca: id(ALICE).clientOptions().ca }) }, /TLS peer refused: the client certificate was not issued by this cluster's CA/],
    ['expired', id({ role: 'operator', name: 'old' }), /has expired; rotate it/],
  ];
  for (const [what, tls, reason] of cases) {
    // Without a certificate the client still trusts the cluster CA (the server is fine; the client is not).
    const client = tls ?? { ...id(ALICE), clientOptions: () => ({ ca: id(ALICE).clientOptions().ca, minVersion: 'TLSv1.3' as const }) };
    const err = await refusalOf(new ControlClient(url(), { tls: client }).call('GET', '/v1/who'));
    assert.equal(err.code, 'FERRY_ERR_AUTH', what);
    assert.match(err.message, reason, what);
  }
  assert.equal(handled.length, before);
});

test('a revoked certificate is refused from the next connection on, without restarting the server', async () => {
  const late = id({ role: 'operator', name: 'late' });
  assert.deepEqual(await new ControlClient(url(), { tls: late }).call('GET', '/v1/who'), { peer: { role: 'operator', name: 'late' } });
  const serial = new (await import('node:crypto')).X509Certificate(late.clientOptions().cert as Buffer).serialNumber;
  await revokeCert(dir, serial, 'test');
  // A fresh identity object: a new connection pool, so a new handshake.
  const err = await refusalOf(new ControlClient(url(), { tls: id({ role: 'operator', name: 'late' }) }).call('GET', '/v1/who'));
  assert.equal(err.code, 'FERRY_ERR_AUTH');
  assert.match(err.message, /is revoked/);
});

test('a client refuses a server whose certificate another CA signed', async () => {
  const impostor = await startControlServer({
    host: '127.0.0.1', port: 0, token: undefined, maxRequestBytes: 4096,
    tls: { identity: id(H2, otherDir), roles: ['operator'] },
    routes: [{ method: 'GET', path: '/v1/who', handler: () => (handled.push('impostor'), {}) }],
  });
  try {
    const err = await refusalOf(new ControlClient(`https://127.0.0.1:${impostor.address.port}`, { tls: id(ALICE) }).call('GET', '/v1/who'));
    assert.equal(err.code, 'FERRY_ERR_AUTH');
    assert.match(err.message, /is not trusted on GET \/v1\/who: its certificate (was not issued by|chains to a CA that is not) this cluster/);
    assert.ok(!handled.includes('impostor'));
  } finally {
    await impostor.close();
  }
});

test('the data link carries an agent\'s session and refuses an operator, another CA and plain TCP before mapping a root', async () => {
  const link = await connectDataLink({ host: '127.0.0.1', port: data.port, migrationId: 'm1', ticket: 'ticket-1', tls: id(H1) });
  await link.sendStream('memory', bytes(100_000));
  assert.equal((await link.finish()).rawBytes, 100_000);
  assert.deepEqual(mapped, ['memory']);

  for (const [what, tls, code, reason] of [
    ['an operator', id(ALICE), 'FERRY_ERR_FORBIDDEN', /takes sessions only from agents, not from ferry:\/\/operator\/alice/],
    ['another CA', id(H2, otherDir), 'FERRY_ERR_AUTH', /not issued by this cluster's CA|not trusted/],
  ] as const) {
    const err = await refusalOf(connectDataLink({ host: '127.0.0.1', port: data.port, migrationId: 'm1', ticket: 'ticket-1', tls }).then(async (l) => l.sendStream('memory', bytes(10))));
    assert.equal(err.code, code, what);
    assert.match(err.message, reason, what);
  }
  const plain = await refusalOf(connectDataLink({ host: '127.0.0.1', port: data.port, migrationId: 'm1', ticket: 'ticket-1' }));
  assert.equal(plain.code, 'FERRY_ERR_AUTH');
  assert.match(plain.message, /speaks only TLS 1\.3 with an agent's certificate/);
  assert.deepEqual(mapped, ['memory'], 'no refused peer got a root mapped');
});

test('a raw plain-TCP peer gets one ERROR frame on the data link and the connection closes', async () => {
  const got = await new Promise<Buffer>((resolve) => {
    const chunks: Buffer[] = [];
    const s = net.connect(data.port, '127.0.0.1', () => s.write('HELLO?'));
    s.on('data', (c: Buffer) => chunks.push(c));
    s.on('close', () => resolve(Buffer.concat(chunks)));
    s.on('error', () => undefined);
  });
  const { frames } = new FrameDecoder({ maxFrameBytes: 65536 }).decode(got);
  assert.equal(frames.length, 1);
  assert.equal(frames[0]?.type, FrameType.ERROR);
  assert.match(frames[0]?.payload.toString('utf8') ?? '', /FERRY_ERR_AUTH/);
});

test('a rotated key and certificate are taken without a restart: the server presents the new one, a client keeps working with its new one', async () => {
  const alice = id(ALICE); // loaded before the rotation, and kept
  const client = new ControlClient(url(), { tls: alice });
  assert.deepEqual(await client.call('GET', '/v1/who'), { peer: ALICE });
  const server = await rotateCert(dir, H2);
  const presented = await new Promise<string>((resolve, reject) => {
    const s = tls.connect({ host: '127.0.0.1', port: control.address.port, ...alice.clientOptions() }, () => {
      resolve(s.getPeerCertificate().serialNumber);
      s.destroy();
    });
    s.on('error', reject);
  });
  assert.equal(presented.toUpperCase(), server.issued.serial.toUpperCase(), 'the next handshake shows the rotated server certificate');
  const mine = await rotateCert(dir, ALICE);
  assert.notEqual(mine.issued.serial, mine.old);
  assert.deepEqual(await client.call('GET', '/v1/who'), { peer: ALICE }, 'the same client presents its new certificate; the old one is revoked');
});

test('closing a TLS server ends its open connections at once, a stream in progress too', async () => {
  async function* forever(): AsyncGenerator<{ event: string; data: unknown }> {
    for (;;) {
      yield { event: 'tick', data: 1 };
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  const server = await startControlServer({
    host: '127.0.0.1', port: 0, token: undefined, maxRequestBytes: 4096,
    tls: { identity: id(H2), roles: ['operator'] },
    routes: [{ method: 'GET', path: '/v1/stream', handler: () => ({ sse: forever() }) }],
  });
  const reading = new Promise<void>((resolve) => {
    const s = tls.connect({ host: '127.0.0.1', port: server.address.port, ...id(ALICE).clientOptions() }, () => s.write('GET /v1/stream HTTP/1.1\r\nhost: x\r\n\r\n'));
    s.once('data', () => resolve());
    s.on('error', () => undefined);
  });
  await reading;
  const started = performance.now();
  await server.close();
  assert.ok(performance.now() - started < 1000, `closed in ${Math.round(performance.now() - started)} ms`);
});

test('a TLS client that sends its request headers too slowly is cut off with a clear error, as on a plain server', async () => {
  const server = await startControlServer({
    host: '127.0.0.1', port: 0, token: undefined, maxRequestBytes: 4096,
    tls: { identity: id(H2), roles: ['operator'] },
    routes: [{ method: 'GET', path: '/v1/who', handler: () => ({}) }],
    headersTimeoutMs: 300,
  });
  try {
    const answer = await new Promise<string>((resolve) => {
      const s = tls.connect({ host: '127.0.0.1', port: server.address.port, ...id(ALICE).clientOptions() }, () => s.write('GET /v1/who HTTP/1.1\r\nhost: x\r\n'));
      let text = '';
      s.on('data', (d: Buffer) => (text += d.toString('latin1')));
      s.on('close', () => resolve(text));
      s.on('error', () => undefined);
    });
    assert.match(answer, /^HTTP\/1\.1 400 /);
    assert.match(answer, /the request did not arrive in time/);
  } finally {
    await server.close();
  }
});
