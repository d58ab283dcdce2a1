/**
 * @module test/integration/ceph.test — starts the project's real Ceph cluster through the CLI
 * (`ferry storage up`) on its own state dir, address and port, does an S3 round trip with the
 * credentials it wrote, checks that wrong keys are refused and that data survives down/up, and
 * always purges it at the end. Needs root and Ceph 16 (`ferry doctor --fix`).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { rgwClient, type S3Credentials } from '../../src/tools/ceph/index.ts';
import { repoRoot } from '../../src/tools/testbed/index.ts';
import { alive } from '../support/processes.ts';

const isRoot = process.getuid?.() === 0;
const hasCeph = spawnSync('ceph-mon', ['--version'], { encoding: 'utf8' }).status === 0;
const stateDir = '/var/lib/ferry/ceph-test';
const address = '10.212.0.9';
const port = 7489;
const env = { ...process.env, FERRY_STORAGE_STATE_DIR: stateDir, FERRY_STORAGE_ADDRESS: address, FERRY_STORAGE_RGW_PORT: String(port) };
const TIMEOUT = { timeout: 150_000 };

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `bin/ferry ARGS` with the test's storage settings. */
function ferry(...args: string[]): Promise<Ran> {
  const child = spawn(join(repoRoot(), 'bin/ferry'), args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => { stdout += d; });
  child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d; process.stderr.write(`  [ferry ${args[1] ?? ''}] ${d}`); });
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

interface UpJson {
  endpoint: string;
  bucket: string;
  credentialsFile: string;
  startedMs: number;
  daemons: Array<{ name: string; pid: number }>;
}


const errorInfo = (err: unknown): { name: string; status: number | undefined } =>
  ({ name: (err as Error).name, status: (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode });

void describe('storage: the project\'s Ceph cluster (integration, needs root)', { skip: !isRoot ? 'needs root' : !hasCeph ? 'needs Ceph (ferry doctor --fix)' : false }, () => {
  let up: UpJson;
  let creds: S3Credentials;
  let s3: S3Client;
  const key = `it/${process.pid}/hello.txt`;
  const body = `stored by the ceph integration test ${new Date().toISOString()}`;

  before(async () => {
    await ferry('storage', 'down', '--purge');
  });

  after(async () => {
    s3?.destroy();
    const r = await ferry('storage', 'down', '--purge');
    if (r.code !== 0) process.stderr.write(`cleanup failed: ${r.stderr}\n`);
    assert.equal(existsSync(stateDir), false, `${stateDir} is purged`);
    for (const d of up?.daemons ?? []) assert.equal(alive(d.pid), false, `${d.name} ${d.pid} is stopped`);
  });

  void it('up --json from cold starts every daemon and writes the credentials file (mode 0600)', TIMEOUT, async () => {
    const r = await ferry('storage', 'up', '--json');
    assert.equal(r.code, 0, r.stderr);
    up = JSON.parse(r.stdout) as UpJson;
    process.stderr.write(`  cold start: ${up.startedMs} ms\n`);
    assert.equal(up.endpoint, `http://${address}:${port}`);
    assert.equal(up.bucket, 'ferry');
    assert.equal(up.credentialsFile, `${stateDir}/s3.json`);
    assert.deepEqual(up.daemons.map((d) => d.name), ['mon.a', 'mgr.x', 'osd.0', 'osd.1', 'osd.2', 'client.rgw.ferry']);
    for (const d of up.daemons) assert.ok(alive(d.pid), `${d.name} ${d.pid} runs`);
    assert.equal(statSync(up.credentialsFile).mode & 0o777, 0o600);
    creds = JSON.parse(readFileSync(up.credentialsFile, 'utf8')) as S3Credentials;
    assert.deepEqual(Object.keys(creds).sort(), ['accessKeyId', 'bucket', 'endpoint', 'region', 'secretAccessKey']);
    assert.equal(creds.endpoint, up.endpoint);
    assert.equal(creds.region, 'us-east-1');
    assert.ok(!r.stdout.includes(creds.secretAccessKey) && !r.stderr.includes(creds.secretAccessKey), 'the secret key is never printed');
    s3 = rgwClient(creds);
  });

  void it('status --json: every daemon runs, health OK or WARN, radosgw reachable, exit 0', TIMEOUT, async () => {
    const r = await ferry('storage', 'status', '--json');
    assert.equal(r.code, 0, r.stdout);
    const s = JSON.parse(r.stdout) as { up: boolean; rgwReachable: boolean; health: { status: string; osds: { up: number } }; daemons: Array<{ running: boolean }> };
    assert.equal(s.up, true);
    assert.equal(s.rgwReachable, true);
    assert.match(s.health.status, /^HEALTH_(OK|WARN)$/);
    assert.equal(s.health.osds.up, 3);
    assert.ok(s.daemons.every((d) => d.running));
  });

  void it('every daemon listens on the cluster address only', TIMEOUT, () => {
    const ss = spawnSync('ss', ['-Hltnp'], { encoding: 'utf8' }).stdout.split('\n');
    const ours = ss.filter((l) => up.daemons.some((d) => l.includes(`pid=${d.pid},`)));
    assert.ok(ours.length >= 4, ss.join('\n'));
    for (const l of ours) assert.match(l.split(/\s+/)[3] ?? '', new RegExp(`^${address.replaceAll('.', '\\.')}:\\d+$`), l);
  });

  void it('S3 round trip: PutObject, GetObject, ListObjectsV2', TIMEOUT, async () => {
    await s3.send(new PutObjectCommand({ Bucket: creds.bucket, Key: key, Body: body }));
    const got = await s3.send(new GetObjectCommand({ Bucket: creds.bucket, Key: key }));
    assert.equal(await got.Body?.transformToString(), body);
    const list = await s3.send(new ListObjectsV2Command({ Bucket: creds.bucket, Prefix: `it/${process.pid}/` }));
    assert.deepEqual(list.Contents?.map((c) => c.Key), [key]);
  });

  void it('wrong credentials are refused', TIMEOUT, async () => {
    const badSecret = rgwClient({ ...creds, secretAccessKey: `${creds.secretAccessKey.slice(0, -1)}x` });
    const badKey = rgwClient({ ...creds, accessKeyId: 'NOSUCHKEY0000000000' });
    try {
      await assert.rejects(badSecret.send(new GetObjectCommand({ Bucket: creds.bucket, Key: key })), (err) => {
        const e = errorInfo(err);
        return e.status === 403 && /SignatureDoesNotMatch|AccessDenied/.test(e.name);
      });
      await assert.rejects(badKey.send(new PutObjectCommand({ Bucket: creds.bucket, Key: `${key}.bad`, Body: 'x' })), (err) => {
        const e = errorInfo(err);
        return e.status === 403 && /InvalidAccessKeyId|AccessDenied/.test(e.name);
      });
    } finally {
      badSecret.destroy();
      badKey.destroy();
    }
  });

  void it('up again finds it up and changes nothing', TIMEOUT, async () => {
    const r = await ferry('storage', 'up', '--json');
    assert.equal(r.code, 0, r.stderr);
    const again = JSON.parse(r.stdout) as UpJson;
    assert.deepEqual(again.daemons, up.daemons);
    assert.match(r.stderr, /already up/);
  });

  void it('down stops every daemon and keeps the data; up restarts with the same keys and the object', TIMEOUT, async () => {
    const down = await ferry('storage', 'down');
    assert.equal(down.code, 0, down.stderr);
    for (const d of up.daemons) assert.equal(alive(d.pid), false, `${d.name} ${d.pid} stopped`);
    assert.match(down.stdout, /client\.rgw\.ferry \d+ \(exited\)/);
    const status = await ferry('storage', 'status');
    assert.equal(status.code, 12, status.stdout);
    assert.match(status.stdout, /stopped/);

    const r = await ferry('storage', 'up', '--json');
    assert.equal(r.code, 0, r.stderr);
    up = JSON.parse(r.stdout) as UpJson;
    process.stderr.write(`  warm start: ${up.startedMs} ms\n`);
    const after = JSON.parse(readFileSync(up.credentialsFile, 'utf8')) as S3Credentials;
    assert.equal(after.accessKeyId, creds.accessKeyId);
    assert.equal(after.secretAccessKey, creds.secretAccessKey);
    const got = await s3.send(new GetObjectCommand({ Bucket: creds.bucket, Key: key }));
    assert.equal(await got.Body?.transformToString(), body);
  });
});
