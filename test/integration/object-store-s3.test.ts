/**
 * @module test/integration/object-store-s3.test — the object store conformance suite against
 * S3Store on the project's own Ceph RGW (started with `bin/ferry storage up` on an address,
 * port and state dir of this test's own, purged afterwards, also on failure), each test under
 * a key prefix of its own; then bad input against the real gateway: a wrong secret, a closed
 * port, a missing bucket, a corrupted upload. Needs root.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import net from 'node:net';
import path from 'node:path';
import { inspect, promisify } from 'node:util';
import { DeleteObjectsCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { FerryError } from '../../src/core/errors.ts';
import { objectStoreConformance } from '../../src/adapters/object-store/conformance.ts';
import { readCredentialsFile } from '../../src/adapters/object-store/open-store.ts';
import { s3Error } from '../../src/adapters/object-store/s3-errors.ts';
import { S3Store, type S3StoreOptions } from '../../src/adapters/object-store/s3-store.ts';
import { isCode } from '../support/errors.ts';

const exec = promisify(execFile);
const FERRY = path.resolve(import.meta.dirname, '../../bin/ferry');
const isRoot = process.getuid?.() === 0;
const ENV = { ...process.env, FERRY_STORAGE_STATE_DIR: '/var/lib/ferry/ceph-store-test', FERRY_STORAGE_ADDRESS: '10.212.0.8', FERRY_STORAGE_RGW_PORT: '7488' };
const RUN = `it-${process.pid}-${Date.now().toString(36)}`;
const SLOW = { timeout: 120_000 };

let options: S3StoreOptions | undefined;
let raw: S3Client | undefined;
let tests = 0;
const rgw = (): S3StoreOptions => {
  assert.ok(options, 'the Ceph cluster did not start (see the before hook)');
  return options;
};

before(async () => {
  if (!isRoot) return;
  const { stdout } = await exec(FERRY, ['storage', 'up', '--json'], { env: ENV, timeout: 600_000, maxBuffer: 16 << 20 });
  const up = JSON.parse(stdout) as { endpoint: string; bucket: string; credentialsFile: string };
  const creds = await readCredentialsFile(up.credentialsFile);
  assert.ok(creds.accessKeyId && creds.secretAccessKey, `${up.credentialsFile} holds no credentials`);
  options = { endpoint: up.endpoint, bucket: up.bucket, region: creds.region ?? 'us-east-1', accessKeyId: creds.accessKeyId, secretAccessKey: creds.secretAccessKey };
  raw = new S3Client({
    endpoint: options.endpoint, region: options.region, forcePathStyle: true, credentials: { accessKeyId: options.accessKeyId, secretAccessKey: options.secretAccessKey },
    requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED',
  });
}, { timeout: 660_000 });

after(async () => {
  raw?.destroy();
  if (isRoot) await exec(FERRY, ['storage', 'down', '--purge'], { env: ENV, timeout: 300_000 });
}, { timeout: 330_000 });

/** Deletes every key under `prefix`. */
async function deleteAll(prefix: string): Promise<void> {
  const client = raw as S3Client;
  const { bucket } = rgw();
  let token: string | undefined;
  do {
    const page = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
    const Objects = (page.Contents ?? []).flatMap((o) => (o.Key ? [{ Key: o.Key }] : []));
    if (Objects.length > 0) await client.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects, Quiet: true } }));
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
}

if (isRoot) {
  objectStoreConformance('S3 on Ceph RGW', () => {
    const prefix = `${RUN}/${++tests}`;
    const store = new S3Store({ ...rgw(), prefix });
    const putRaw = async (Key: string, Body: Buffer) => { await (raw as S3Client).send(new PutObjectCommand({ Bucket: rgw().bucket, Key, Body })); };
    return Promise.resolve({
      store,
      corrupt: (digest, bytes) => putRaw(store.objectKey(digest), bytes),
      corruptManifest: (name, stored) => putRaw(store.manifestKey(name), stored),
      cleanup: async () => {
        store.destroy();
        await deleteAll(`${prefix}/`);
      },
    });
  });
}

/** A TCP port on 127.0.0.1 that nothing listens on. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * A port on 127.0.0.1 where connecting hangs: a child process listens with a backlog of one,
 * then blocks so it never accepts; two connections fill the queue and the kernel drops later SYNs.
 */
async function hungListener(): Promise<{ port: number; close: () => void }> {
  const script = `const s = require('node:net').createServer().listen({ port: 0, host: '127.0.0.1', backlog: 1 }, () => {
    process.stdout.write(s.address().port + '\\n', () => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 60000));
  });`;
  const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  const [line] = (await once(child.stdout, 'data')) as [Buffer];
  const port = Number(line.toString().trim());
  const fillers = [1, 2, 3].map(() => net.connect(port, '127.0.0.1').on('error', () => undefined));
  await new Promise((resolve) => setTimeout(resolve, 300));
  return { port, close: () => { for (const f of fillers) f.destroy(); child.kill('SIGKILL'); } };
}

/** Everything a user or a log could see of an error and a store. */
const visible = (err: unknown, store: S3Store) => `${err instanceof FerryError ? `${err.message} ${JSON.stringify(err)} ${inspect(err.details)}` : String(err)} ${store.where} ${JSON.stringify(store)} ${String(store)} ${inspect(store)}`;

describe('S3Store against the real RGW: bad input', { skip: !isRoot && 'needs root (starts a Ceph cluster)' }, () => {
  it('a wrong secret is FERRY_ERR_STORE_AUTH, and the secret shows nowhere', SLOW, async () => {
    const secret = `wrong-${randomBytes(12).toString('hex')}`;
    const store = new S3Store({ ...rgw(), secretAccessKey: secret, prefix: `${RUN}/auth` });
    for (const call of [() => store.check(), () => store.put(Buffer.from('x')), () => store.getManifest('m'), () => store.listManifests('')]) {
      const err = await call().then(() => undefined, (e: unknown) => e);
      isCode('FERRY_ERR_STORE_AUTH')(err);
      assert.ok(!visible(err, store).includes(secret), visible(err, store));
    }
    const unknownKey = new S3Store({ ...rgw(), accessKeyId: 'NO-SUCH-KEY-ID', prefix: `${RUN}/auth` });
    await assert.rejects(unknownKey.check(), isCode('FERRY_ERR_STORE_AUTH'));
    await assert.rejects(unknownKey.listManifests(''), isCode('FERRY_ERR_STORE_AUTH', /InvalidAccessKeyId/));
    const real = new S3Store({ ...rgw(), prefix: `${RUN}/auth` });
    assert.ok(!`${real.where} ${JSON.stringify(real)} ${inspect(real)}`.includes(rgw().secretAccessKey));
    for (const s of [store, unknownKey, real]) s.destroy();
  });

  it('an endpoint with a closed port on 127.0.0.1 is FERRY_ERR_STORE_UNREACHABLE naming it, within 10 s', SLOW, async () => {
    const port = await closedPort();
    const store = new S3Store({ ...rgw(), endpoint: `http://127.0.0.1:${port}` });
    const started = Date.now();
    await assert.rejects(store.check(), isCode('FERRY_ERR_STORE_UNREACHABLE', new RegExp(`127\\.0\\.0\\.1:${port}`)));
    await assert.rejects(store.put(Buffer.from('x')), isCode('FERRY_ERR_STORE_UNREACHABLE'));
    assert.ok(Date.now() - started < 10_000, `took ${Date.now() - started} ms`);
    store.destroy();
  });

  it('an endpoint whose connections hang (SYNs dropped) is FERRY_ERR_STORE_UNREACHABLE within 10 s', SLOW, async () => {
    const hung = await hungListener();
    try {
      const store = new S3Store({ ...rgw(), endpoint: `http://127.0.0.1:${hung.port}` });
      const started = Date.now();
      await assert.rejects(store.check(), isCode('FERRY_ERR_STORE_UNREACHABLE', new RegExp(`127\\.0\\.0\\.1:${hung.port}`)));
      assert.ok(Date.now() - started < 10_000, `took ${Date.now() - started} ms`);
      store.destroy();
    } finally {
      hung.close();
    }
  });

  it('a server that accepts and never answers is FERRY_ERR_STORE_UNREACHABLE once the request timeout passes', SLOW, async () => {
    const sockets = new Set<net.Socket>();
    const server = net.createServer((socket) => { sockets.add(socket); });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as net.AddressInfo;
    try {
      const store = new S3Store({ ...rgw(), endpoint: `http://127.0.0.1:${port}`, requestTimeoutMs: 1500 });
      const started = Date.now();
      await assert.rejects(store.check(), isCode('FERRY_ERR_STORE_UNREACHABLE', new RegExp(`127\\.0\\.0\\.1:${port}`)));
      assert.ok(Date.now() - started < 10_000, `took ${Date.now() - started} ms`);
      store.destroy();
    } finally {
      for (const socket of sockets) socket.destroy();
      server.close();
    }
  });

  it('a missing bucket is FERRY_ERR_STORE_BUCKET naming it, from check() and from every call', SLOW, async () => {
    const bucket = `ferry-absent-${randomBytes(4).toString('hex')}`;
    const store = new S3Store({ ...rgw(), bucket });
    const calls = [() => store.check(), () => store.put(Buffer.from('x')), () => store.get('0'.repeat(64)), () => store.listManifests(''), () => store.putManifest('m', Buffer.from('{}'))];
    for (const call of calls) await assert.rejects(call(), isCode('FERRY_ERR_STORE_BUCKET', new RegExp(bucket)));
    store.destroy();
  });

  it('listings page through the bucket (objects and manifests over several pages)', SLOW, async () => {
    const prefix = `${RUN}/paging`;
    const store = new S3Store({ ...rgw(), prefix, pageSize: 2 });
    const digests = await Promise.all([1, 2, 3, 4, 5].map(async (i) => (await store.put(Buffer.from(`object ${i}`))).digest));
    for (const name of ['m/1', 'm/2', 'm/3', 'n']) await store.putManifest(name, Buffer.from(name));
    const listed: string[] = [];
    for await (const object of store.list()) listed.push(object.digest);
    assert.deepEqual(listed.sort(), [...digests].sort());
    assert.deepEqual(await store.listManifests(''), ['m/1', 'm/2', 'm/3', 'n']);
    assert.deepEqual(await store.listManifests('m/'), ['m/1', 'm/2', 'm/3']);
    store.destroy();
    await deleteAll(`${prefix}/`);
  });

  it('RGW rejects an upload whose bytes do not match its Content-MD5 (what protects put() on the way), as FERRY_ERR_INTEGRITY', SLOW, async () => {
    const { bucket, endpoint, secretAccessKey } = rgw();
    const Key = `${RUN}/bad-md5`;
    const wrongMd5 = Buffer.alloc(16, 7).toString('base64');
    const err = await (raw as S3Client).send(new PutObjectCommand({ Bucket: bucket, Key, Body: Buffer.from('payload'), ContentMD5: wrongMd5 })).then(() => undefined, (e: unknown) => e);
    assert.ok(err, 'RGW accepted bytes that do not match their Content-MD5');
    assert.equal(s3Error(err, { op: 'PutObject', endpoint, bucket, key: Key, notFound: 'key', secret: secretAccessKey }).code, 'FERRY_ERR_INTEGRITY');
  });
});
