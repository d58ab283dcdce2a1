/**
 * Fuzzing the TLS-only front door of both links (issue 18) with fast-check, fixed seed: the real
 * control server and data-link server on 127.0.0.1:0, each with the cluster PKI, take
 * connections that open with random bytes, with a TLS handshake record type followed by junk,
 * or with a real ClientHello cut short or with bytes flipped; clients leave by waiting, by a
 * half-close or by a reset. No handler is reached and no root mapped, the process sees no
 * unhandled rejection, every connection is closed by the server or the client within a
 * moment, and at the end an operator's request and an agent's data session still succeed.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import tls from 'node:tls';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import fc from 'fast-check';
import { FerryError } from '../../core/errors.ts';
import { certSubject, type PeerIdentity } from '../../domain/pki/cert-subject.ts';
import { ControlClient } from '../http-api/client.ts';
import { startControlServer, type ControlServer } from '../http-api/server.ts';
import { connectDataLink, createDataLinkServer, type DataLinkServer } from '../data-link/data-link.ts';
import { initCa, issueCert } from './cluster-pki.ts';
import { loadTlsIdentity } from './tls-identity.ts';
import { fuzzOptions, fuzzRuns } from '../../../test/support/fuzz.ts';

const H1: PeerIdentity = { role: 'agent', name: 'h1' };
const H2: PeerIdentity = { role: 'agent', name: 'h2' };
const ALICE: PeerIdentity = { role: 'operator', name: 'alice' };
/** How long a fuzz client waits for the server to close before it leaves itself, ms. */
const LINGER_MS = 30;
let dir = '';
let control: ControlServer;
let data: DataLinkServer;
const reached: string[] = [];
/** A real client's first flight to each port (its ClientHello), the seed of the mutated cases. */
let hello: Buffer = Buffer.alloc(0);

before(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'ferry-tls-fuzz-'));
  await initCa(dir);
  for (const s of [certSubject('agent', 'h1', ['127.0.0.1']), certSubject('agent', 'h2', ['127.0.0.1']), certSubject('operator', 'alice')]) await issueCert(dir, s);
  const server = loadTlsIdentity(dir, H2);
  control = await startControlServer({
    host: '127.0.0.1', port: 0, token: undefined, maxRequestBytes: 4096,
    tls: { identity: server, roles: ['operator'] },
    routes: [{ method: 'GET', path: '/v1/who', handler: ({ peer }) => (reached.push('who'), { peer }) }],
  });
  data = await createDataLinkServer({
    host: '127.0.0.1', port: 0, tls: server, linkTimeoutMs: 2000,
    authorize: (h) => {
      if (h.ticket !== 'ticket-1') throw new FerryError('FERRY_ERR_AUTH', 'no such ticket');
      return { target: (root) => (reached.push(`root ${root}`), { kind: 'stream', sink: () => new Writable({ write: (_c, _e, done) => done() }) }) };
    },
  });
  hello = await firstFlight(loadTlsIdentity(dir, ALICE).clientOptions());
});

after(async () => {
  await control?.close();
  await data?.close();
  await rm(dir, { recursive: true, force: true });
});

/** What a real TLS 1.3 client sends first (its ClientHello), caught by a plain listener. */
async function firstFlight(options: tls.ConnectionOptions): Promise<Buffer> {
  let caught: (b: Buffer) => void = () => undefined;
  const got = new Promise<Buffer>((resolve) => (caught = resolve));
  const catcher = net.createServer((s) => s.once('data', (b: Buffer) => {
    caught(b);
    s.destroy();
  }));
  await new Promise<void>((resolve) => catcher.listen(0, '127.0.0.1', resolve));
  const client = tls.connect({ ...options, host: '127.0.0.1', port: (catcher.address() as net.AddressInfo).port, servername: 'localhost' });
  client.on('error', () => undefined);
  const first = await got;
  client.destroy();
  await new Promise<void>((resolve) => catcher.close(() => resolve()));
  return first;
}

/** How a fuzz client leaves after its bytes. */
type Leave = 'wait' | 'half-close' | 'reset';

/** The opening bytes of a connection. */
const opening = fc.oneof(
  fc.uint8Array({ minLength: 1, maxLength: 600 }).map((b) => Buffer.from(b)),
  fc.uint8Array({ maxLength: 600 }).map((b) => Buffer.concat([Buffer.from([0x16]), b])),
  fc.tuple(fc.integer({ min: 1, max: 4096 }), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })), { maxLength: 6 })).map(([cut, flips]) => {
    const b = Buffer.from(hello.subarray(0, Math.min(cut, hello.length)));
    for (const [at, x] of flips) b[at % b.length] = (b[at % b.length] ?? 0) ^ x;
    return b;
  }),
);

/** Connects to `port`, writes `bytes`, then leaves as told; resolves when the connection is closed, saying by whom. */
function knock(port: number, bytes: Buffer, leave: Leave): Promise<'server' | 'client'> {
  return new Promise((resolve) => {
    let by: 'server' | 'client' = 'server';
    const s = net.connect(port, '127.0.0.1', () => {
      s.write(bytes);
      if (leave === 'half-close') s.end();
      if (leave === 'reset') {
        by = 'client';
        s.resetAndDestroy();
        return;
      }
      setTimeout(() => {
        by = 'client';
        s.destroy();
      }, LINGER_MS).unref();
    });
    s.on('data', () => undefined);
    s.on('error', () => undefined);
    s.on('close', () => resolve(by));
  });
}

test('random, TLS-typed and mutated ClientHello openings on both TLS-only ports: nothing reached, nothing crashed, both still serve', async () => {
  const rejections: unknown[] = [];
  const onRejection = (why: unknown): void => void rejections.push(why);
  process.on('unhandledRejection', onRejection);
  const closedBy = { server: 0, client: 0 };
  try {
    await fc.assert(fc.asyncProperty(fc.constantFrom('control', 'data'), opening, fc.constantFrom<Leave>('wait', 'half-close', 'reset'), async (which, bytes, leave) => {
      closedBy[await knock(which === 'control' ? control.address.port : data.port, bytes, leave)]++;
      assert.deepEqual(reached, [], 'no handler reached and no root mapped');
    }), fuzzOptions(fuzzRuns(0.1)));
  } finally {
    process.off('unhandledRejection', onRejection);
  }
  console.log(`# ${fuzzRuns(0.1)} connections: closed by the server ${closedBy.server}, by the client ${closedBy.client}; ClientHello ${hello.length} bytes`);
  assert.deepEqual(rejections, []);

  const who = await new ControlClient(`https://127.0.0.1:${control.address.port}`, { tls: loadTlsIdentity(dir, ALICE) }).call<{ peer: { name: string } }>('GET', '/v1/who');
  assert.equal(who.peer.name, 'alice', 'the control port still serves an operator');
  const link = await connectDataLink({ host: '127.0.0.1', port: data.port, migrationId: 'm1', ticket: 'ticket-1', tls: loadTlsIdentity(dir, H1) });
  await link.sendStream('memory', (async function* () { yield await Promise.resolve(Buffer.alloc(1000, 1)); })());
  assert.equal((await link.finish()).rawBytes, 1000, 'the data port still carries an agent\'s session');
  assert.deepEqual(reached, ['who', 'root memory']);
});
