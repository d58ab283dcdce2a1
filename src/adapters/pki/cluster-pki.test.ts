/**
 * The cluster PKI against Node's own TLS 1.3 with client certificates: agents and operators
 * of the cluster get in and are known by role; another CA's, an expired, a revoked and a
 * missing certificate are refused. Also the files' modes, refusals and rotation.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import type { AddressInfo } from 'node:net';
import { certSubject, type PeerIdentity } from '../../domain/pki/cert-subject.ts';
import { authorisePeer } from '../../domain/pki/peer.ts';
import { bundleFor, initCa, issueCert, listCerts, readRevocationList, revokeCert, rotateCert, subjectFiles, pkiFiles } from './cluster-pki.ts';
import { loadTlsIdentity } from './tls-identity.ts';

interface Creds { key: string; cert: string }

async function creds(dir: string, who: PeerIdentity): Promise<Creds> {
  const f = subjectFiles(dir, who);
  return { key: await readFile(f.key, 'utf8'), cert: await readFile(f.cert, 'utf8') };
}

/**
 * A TLS 1.3 server open to agents and operators; answers with the peer's identity or the
 * refusal. With `reject` false the handshake completes and the handler reports the chain
 * error itself (Node's rejectUnauthorized only hangs up, so a server that wants to log why
 * must check `authorizationError` like this).
 */
async function startServer(dir: string, reject: boolean): Promise<{ server: tls.Server; port: number; handled: number[] }> {
  const handled = [0];
  const ca = await readFile(pkiFiles(dir).caCert, 'utf8');
  const server = tls.createServer({
    ...(await creds(dir, { role: 'controller', name: 'controller' })),
    ca, requestCert: true, rejectUnauthorized: reject, minVersion: 'TLSv1.3',
  }, (socket) => {
    handled[0]! += 1;
    if (!socket.authorized) {
      socket.end(JSON.stringify({ ok: false, reason: String(socket.authorizationError) }));
      return;
    }
    void readRevocationList(dir).then((list) => {
      socket.end(JSON.stringify(authorisePeer(socket.getPeerCertificate(), list, ['agent', 'operator'])));
    });
  });
  server.on('tlsClientError', () => { /* a refused handshake; the client sees it */ });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port, handled };
}

/** Connects with `client` credentials; resolves with what the server said or the error. */
function dial(port: number, ca: string, client: Creds | null): Promise<{ said?: unknown; error?: string }> {
  return new Promise((resolve) => {
    let data = '';
    const s = tls.connect({ host: '127.0.0.1', port, ca, ...(client ?? {}), minVersion: 'TLSv1.3' });
    s.setEncoding('utf8').on('data', (d: string) => { data += d; });
    s.on('end', () => resolve(data ? { said: JSON.parse(data) } : { error: 'closed' }));
    s.on('error', (err: NodeJS.ErrnoException) => resolve({ error: err.code ?? err.message }));
  });
}

test('certificates of the cluster CA pass TLS 1.3 mutual auth; others are refused', async (t) => {
  const root = await mkdtemp(path.join(tmpdir(), 'ferry-pki-'));
  t.after(() => rm(root, { recursive: true, force: true }));
  const dir = path.join(root, 'pki');
  const other = path.join(root, 'other');
  await initCa(dir);
  await initCa(other);
  await issueCert(dir, certSubject('controller', undefined, ['127.0.0.1'], ['localhost']));
  await issueCert(dir, certSubject('agent', 'h1', ['127.0.0.1', '10.0.0.11'], ['h1.example']));
  await issueCert(dir, certSubject('operator', 'alice'));
  await issueCert(dir, certSubject('agent', 'late'), { days: -1 });
  await issueCert(dir, certSubject('agent', 'gone'));
  await issueCert(other, certSubject('agent', 'h1'));
  const gone = (await listCerts(dir)).find((c) => c.peer?.name === 'gone')!;
  await revokeCert(dir, gone.serial);

  const ca = await readFile(pkiFiles(dir).caCert, 'utf8');
  const { server, port, handled } = await startServer(dir, true);
  t.after(() => server.close());

  assert.deepEqual(await dial(port, ca, await creds(dir, { role: 'agent', name: 'h1' })), { said: { ok: true, peer: { role: 'agent', name: 'h1' } } });
  assert.deepEqual(await dial(port, ca, await creds(dir, { role: 'operator', name: 'alice' })), { said: { ok: true, peer: { role: 'operator', name: 'alice' } } });
  const revoked = await dial(port, ca, await creds(dir, { role: 'agent', name: 'gone' }));
  assert.deepEqual(revoked.said, { ok: false, reason: `certificate ${gone.serial} of agent gone is revoked` });
  assert.equal(handled[0], 3);

  const strangers = [await creds(other, { role: 'agent', name: 'h1' }), await creds(dir, { role: 'agent', name: 'late' }), null];
  const refused = await Promise.all(strangers.map((c) => dial(port, ca, c)));
  assert.deepEqual(refused, [{ error: 'closed' }, { error: 'closed' }, { error: 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED' }]);
  assert.equal(handled[0], 3, 'no refused peer reached the handler');

  const lenient = await startServer(dir, false);
  t.after(() => lenient.server.close());
  const why = await Promise.all(strangers.slice(0, 2).map((c) => dial(lenient.port, ca, c)));
  assert.deepEqual(why.map((r) => (r.said as { reason: string }).reason), ['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'CERT_HAS_EXPIRED']);
});

test('files are private, an existing CA or subject is refused, rotation revokes the old serial', async (t) => {
  const dir = path.join(await mkdtemp(path.join(tmpdir(), 'ferry-pki-')), 'pki');
  t.after(() => rm(path.dirname(dir), { recursive: true, force: true }));
  await initCa(dir);
  assert.equal((await stat(dir)).mode & 0o777, 0o700);
  assert.equal((await stat(pkiFiles(dir).caKey)).mode & 0o777, 0o600);
  await assert.rejects(initCa(dir), { code: 'FERRY_ERR_PKI', message: /--force/ });

  const h1 = certSubject('agent', 'h1', ['10.0.0.11'], ['h1.example']);
  const first = await issueCert(dir, h1);
  assert.equal((await stat(subjectFiles(dir, h1).key)).mode & 0o777, 0o600);
  await assert.rejects(issueCert(dir, h1), { code: 'FERRY_ERR_PKI', message: /ferry pki rotate agent h1/ });

  const { old, issued } = await rotateCert(dir, h1);
  assert.equal(old, first.serial);
  assert.notEqual(issued.serial, first.serial);
  assert.equal(issued.subjectAltName, 'URI:ferry://agent/h1, IP Address:10.0.0.11, DNS:h1.example');
  assert.deepEqual((await readRevocationList(dir)).revoked.map((e) => [e.serial, e.reason]), [[first.serial, 'superseded']]);
  await assert.rejects(revokeCert(dir, 'ABCDEF'), { code: 'FERRY_ERR_PKI', message: /ferry pki list/ });

  await initCa(dir, { force: true });
  assert.deepEqual((await readRevocationList(dir)).revoked, []);
});

test('a host\'s bundle holds the CA certificate, the revocation list and its own pair, never the CA key, and loads as its identity', async (t) => {
  const root = await mkdtemp(path.join(tmpdir(), 'ferry-pki-bundle-'));
  t.after(() => rm(root, { recursive: true, force: true }));
  const dir = path.join(root, 'pki');
  const out = path.join(root, 'h1');
  await initCa(dir);
  const h1 = certSubject('agent', 'h1', ['127.0.0.1']);
  await issueCert(dir, h1);
  await assert.rejects(bundleFor(dir, certSubject('agent', 'h2'), out), { code: 'FERRY_ERR_PKI', message: /ferry pki issue agent h2/ });
  await assert.rejects(bundleFor(dir, h1, dir), { code: 'FERRY_ERR_PKI', message: /another directory/ });
  await bundleFor(dir, h1, out);
  assert.deepEqual((await readdir(out)).sort(), ['agent-h1.crt', 'agent-h1.key', 'ca.crt', 'revoked.json']);
  assert.equal((await stat(out)).mode & 0o777, 0o700);
  assert.equal((await stat(subjectFiles(out, h1).key)).mode & 0o777, 0o600);
  assert.equal(loadTlsIdentity(out, h1).self.name, 'h1');
});
