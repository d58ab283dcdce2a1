/**
 * @module test/integration/protect.test — protection and recovery on a real 2-host test bed
 * (subnet 10.215.0) storing into a real Ceph cluster's S3 (radosgw at 10.212.0.7:7487, started
 * by the test with `ferry storage up`). A stream container (64 MiB, 5 MB/s dirtied, a
 * volume) is protected every 2 s; its host is killed (agent and dockerd by PID); `ferry
 * recover` rebuilds it on h2 from the latest point: the memory checksum verifies, the
 * heartbeat resumes right after the point's last beat, the output names the point and what
 * was lost. A corrupted pack, a missing object and a truncated manifest are refused, and
 * leave nothing on h2; an earlier point still recovers. Needs root.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes, createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { DeleteObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { parseConfig } from '../../src/core/config.ts';
import { ControlClient } from '../../src/adapters/http-api/client.ts';
import { DockerEngine } from '../../src/adapters/docker/engine.ts';
import { protectManifestName, protectPrefix } from '../../src/services/prestore/state-manifest.ts';
import type { StoredPoint } from '../../src/services/protect/point-reader.ts';
import { openStore, readCredentialsFile } from '../../src/adapters/object-store/open-store.ts';
import type { ObjectStore } from '../../src/adapters/object-store/object-store.ts';
import type { S3Store } from '../../src/adapters/object-store/s3-store.ts';
import { loadCluster, planOfCluster, type Cluster, killAgent, stopDockerd, signal, waitGone } from '../../src/tools/testbed/index.ts';
import { clusterCredentials } from '../../src/apps/cli/cluster.ts';
import { continuity } from '../../src/tools/workloads/heartbeat.ts';
import { ensureWorkloadImage, workloadSpec } from '../../src/tools/workloads/catalog.ts';
import { parseStreamBeats, parseStreamVerifies } from '../../src/tools/workloads/stream-log.ts';
import { keepLogsOnFailure } from '../support/kept-logs.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const STATE_DIR = '/var/lib/ferry/tb-protect';
const CEPH = { FERRY_STORAGE_STATE_DIR: '/var/lib/ferry/ceph-protect-test', FERRY_STORAGE_ADDRESS: '10.212.0.7', FERRY_STORAGE_RGW_PORT: '7487' };
const TESTBED = { FERRY_TESTBED_SUBNET: '10.215.0', FERRY_TESTBED_STATE_DIR: STATE_DIR, FERRY_TESTBED_HOSTS: '2' };
// A failed test keeps the test bed's logs (agents, dockerds, CRIU) before `after` tears it down.
const logs = keepLogsOnFailure(import.meta.filename, parseConfig({ testbed: { stateDir: STATE_DIR, subnet: '10.215.0', hosts: 2 } }));
const LONG = { timeout: 240_000 };
const STREAM = workloadSpec('stream');
const say = (line: string): void => void process.stderr.write(`  [protect] ${line}\n`);

let env: NodeJS.ProcessEnv;
let cluster: Cluster;
let store: ObjectStore;
let credentialsFile = '';
const engines: Record<string, DockerEngine> = {};
const engine = (host: string) => engines[host] as DockerEngine;

/** Runs bin/ferry; resolves with its exit code and output. */
function ferry(args: string[], extraEnv: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string; ms: number }> {
  const t0 = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(path.join(ROOT, 'bin/ferry'), args, { env: { ...env, ...extraEnv }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => void (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => void (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr, ms: Date.now() - t0 }));
  });
}

async function ferryOk(args: string[], extraEnv: NodeJS.ProcessEnv = {}): Promise<string> {
  const r = await ferry(args, extraEnv);
  assert.equal(r.code, 0, `ferry ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
  return r.stdout;
}

async function layerFile(host: string, name: string, inside: string): Promise<string> {
  const upper = (await engine(host).inspectContainer(name)).GraphDriver.Data['UpperDir'] ?? '';
  return readFile(path.join(upper, inside), 'utf8').catch(() => '');
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > until) assert.fail(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(250);
  }
}

async function verifyMemory(host: string, name: string): Promise<string> {
  const before = parseStreamVerifies(await layerFile(host, name, STREAM.verifyPath ?? '')).length;
  await engine(host).signalContainer(name, 'SIGUSR1');
  const check = await waitFor('a verify line', async () => parseStreamVerifies(await layerFile(host, name, STREAM.verifyPath ?? ''))[before], 20_000);
  return `verify ${check.n} ${check.checksum} ${check.recomputed} ${check.ok ? 'ok' : 'MISMATCH'}`;
}

function client(host: string): ControlClient {
  const h = cluster.hosts.find((x) => x.name === host);
  return new ControlClient(h?.controlUrl ?? '', clusterCredentials(cluster), 600_000);
}

/** Asserts that h2 has no container and no volume of the stream's names. */
async function assertNothingOnH2(): Promise<void> {
  assert.equal(await engine('h2').findContainer('stream'), undefined, 'no container was left on h2');
  assert.equal(await engine('h2').findVolume('protect-vol'), undefined, 'no volume was left on h2');
}

/** Writes bytes straight into the bucket under an object's or manifest's key, bypassing the store. */
async function rawPut(key: string, body: Buffer | undefined): Promise<void> {
  const creds = await readCredentialsFile(credentialsFile);
  const s3 = new S3Client({ endpoint: creds.endpoint ?? '', region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: creds.accessKeyId ?? '', secretAccessKey: creds.secretAccessKey ?? '' }, requestChecksumCalculation: 'WHEN_REQUIRED' });
  const bucket = (store as S3Store).bucket;
  await s3.send(body ? new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }) : new DeleteObjectCommand({ Bucket: bucket, Key: key }));
  s3.destroy();
}

before(async () => {
  env = { ...process.env, ...CEPH, ...TESTBED, FERRY_MIGRATION_VERIFY_MS: '500' };
  const t0 = Date.now();
  const up = JSON.parse(await ferryOk(['storage', 'up', '--json'])) as { credentialsFile: string; endpoint: string };
  credentialsFile = up.credentialsFile;
  say(`ceph up in ${((Date.now() - t0) / 1000).toFixed(1)} s: ${up.endpoint}`);
  Object.assign(env, { FERRY_STORE_KIND: 's3', FERRY_STORE_CREDENTIALS_FILE: credentialsFile, FERRY_CLUSTER: path.join(STATE_DIR, 'cluster.json') });
  await logs.watch(ferryOk(['testbed', 'up']));
  cluster = await loadCluster(STATE_DIR);
  process.env['FERRY_TOKEN'] = (await readFile(cluster.tokenFile, 'utf8')).trim();
  for (const h of cluster.hosts) engines[h.name] = new DockerEngine(h.dockerSocket);
  await ensureWorkloadImage(engine('h1'), 'stream');
  store = await openStore(parseConfig({ store: { kind: 's3', credentialsFile } }).store);
  for (const name of await store.listManifests(protectPrefix('stream'))) await store.deleteManifest(name);
  say(`test bed and store ready in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}, LONG);

after(async () => {
  await logs.keep();
  if (env) {
    const down = await ferry(['testbed', 'down']);
    if (down.code !== 0) say(`testbed down failed: ${down.stderr}`);
    const purge = await ferry(['storage', 'down', '--purge']);
    if (purge.code !== 0) say(`storage down failed: ${purge.stderr}`);
  }
}, LONG);

describe('protection and recovery (integration, needs root)', () => {
  let latest: StoredPoint;
  const payload = randomBytes(300_000);

  it('protects a stream every 2 s incrementally; h1 dies; recover rebuilds it on h2 from the latest point', LONG, async () => {
    const e = engine('h1');
    const id = await e.createContainer('stream', {
      Image: STREAM.image, Env: [...STREAM.env, 'STREAM_MIB=64', 'DIRTY_MBPS=5'],
      HostConfig: { Mounts: [{ Type: 'volume', Source: 'protect-vol', Target: '/vol' }] },
    });
    await e.startContainer(id);
    await writeFile(path.join((await e.inspectContainer(id)).Mounts[0]?.Source ?? '', 'payload'), payload);
    await waitFor('the stream to beat', async () => (parseStreamBeats(await layerFile('h1', 'stream', STREAM.heartbeatPath)).length > 10 ? true : undefined), 60_000);

    say((await ferryOk(['protect', 'stream', '--host', 'h1', '--every', '2s', '--keep', '3'])).trim());
    const h1 = client('h1');
    const points = await waitFor('3 stored points', async () => {
      const list = await h1.call<StoredPoint[]>('GET', '/v1/points/stream');
      return list.length >= 3 ? list : undefined;
    }, 120_000);
    for (const p of points) say(`point ${p.sequence}: frozen ${p.frozenMs} ms, state ${p.bytes} B, uploaded ${p.uploadedBytes} B`);
    const [p1, p2] = points as [StoredPoint, StoredPoint];
    assert.equal(p1.sequence, 1);
    assert.ok((p2.uploadedBytes ?? 0) < 0.5 * (p1.uploadedBytes ?? 0), `point 2 uploaded ${p2.uploadedBytes} B, point 1 ${p1.uploadedBytes} B`);
    say((await ferryOk(['protect', 'stream', '--host', 'h1', '--once'])).trim());
    say((await ferryOk(['protect', '--host', 'h1', '--list'])).trim());
    const agentLog = await readFile(path.join(cluster.hosts[0]?.logDir ?? '', 'agent.log'), 'utf8');
    const gc = agentLog.split('\n').find((l) => l.includes('garbage collect'));
    say(`h1 agent: ${gc ?? 'no garbage collection logged'}`);
    assert.match(gc ?? '', /object store garbage collected/);
    assert.doesNotMatch(agentLog, /protection point failed/);

    // h1 dies: its agent and its dockerd are killed; what it ran is gone.
    const h1Upper = (await e.inspectContainer(id)).GraphDriver.Data['UpperDir'] ?? '';
    const plan = planOfCluster(cluster).hosts.find((h) => h.name === 'h1');
    assert.ok(plan);
    await killAgent(plan, cluster.hosts[0]?.pids.agent ?? null, { signal: 'SIGKILL' });
    const dockerd = cluster.hosts[0]?.pids.dockerd ?? 0;
    signal(dockerd, 'SIGKILL');
    await waitGone(dockerd, 10_000);
    await stopDockerd(plan, null);
    const h1Last = parseStreamBeats(await readFile(path.join(h1Upper, STREAM.heartbeatPath), 'utf8')).at(-1)?.n ?? 0;

    const names = await store.listManifests(protectPrefix('stream'));
    latest = (await client('h2').call<StoredPoint[]>('GET', '/v1/points/stream')).at(-1) as StoredPoint;
    assert.equal(protectManifestName('stream', latest.sequence), names.at(-1));
    const r = await ferry(['recover', 'stream', '--to', 'h2']);
    say(`recover (${r.ms} ms):\n${r.stdout}`);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`from protection point ${latest.sequence}, taken at ${latest.takenAt}`));
    assert.match(r.stdout, new RegExp(`lost: progress after ${latest.takenAt}`));

    assert.equal((await engine('h2').inspectContainer('stream')).State.Running, true);
    assert.match(await verifyMemory('h2', 'stream'), / ok$/, 'every page came back with its content');
    const beats = parseStreamBeats(await layerFile('h2', 'stream', STREAM.heartbeatPath));
    const c = continuity(beats);
    assert.equal(c.continuous, true, c.problem);
    // The restore is where the longest silence is: the beat before it is the point's last (taken at takenAt).
    const gapAt = beats.findIndex((b, i) => i > 0 && b.atMs - (beats[i - 1]?.atMs ?? 0) === c.longestGapMs);
    const atPoint = beats[gapAt - 1];
    assert.ok(atPoint && Math.abs(atPoint.atMs - Date.parse(latest.takenAt ?? '')) < 1000, `the beat before the restore (${JSON.stringify(atPoint)}) is the point's (${latest.takenAt})`);
    assert.ok(c.last > (atPoint?.n ?? 0) + 5, 'the heartbeat resumed from the point and goes on');
    assert.ok(h1Last > (atPoint?.n ?? 0), `h1 had beaten on to ${h1Last} after the point's ${atPoint?.n}: that progress is what was lost`);
    say(`heartbeat: point at beat ${atPoint?.n}, h1 reached ${h1Last}, recovered copy at ${c.last}; silence ${c.longestGapMs} ms`);
    const vol = (await engine('h2').inspectContainer('stream')).Mounts.find((m) => m.Type === 'volume')?.Source ?? '';
    assert.equal(createHash('sha256').update(await readFile(path.join(vol, 'payload'))).digest('hex'), createHash('sha256').update(payload).digest('hex'));
  });

  it('a corrupted pack: FERRY_ERR_INTEGRITY, and h2 has no container and no volume of that name', LONG, async () => {
    await engine('h2').removeContainer('stream');
    await engine('h2').removeVolume('protect-vol');
    const name = protectManifestName('stream', latest.sequence);
    const m = JSON.parse((await store.getManifest(name))?.toString() ?? '{}') as { memory: { packs: string[] } };
    const pack = m.memory.packs.at(-1) as string;
    const good = await store.get(pack);
    const bad = Buffer.from(good);
    bad[100] = (bad[100] as number) ^ 0x01;
    await rawPut((store as S3Store).objectKey(pack), bad);
    const r = await ferry(['recover', 'stream', '--to', 'h2']);
    await rawPut((store as S3Store).objectKey(pack), good);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /FERRY_ERR_INTEGRITY/);
    assert.match(r.stderr, new RegExp(name));
    await assertNothingOnH2();
  });

  it('a partial state (one referenced object deleted): FERRY_ERR_STORE_MISSING, nothing created', LONG, async () => {
    const name = protectManifestName('stream', latest.sequence);
    const m = JSON.parse((await store.getManifest(name))?.toString() ?? '{}') as { volumes: Array<{ tree: string[] }> };
    const block = m.volumes[0]?.tree[0] as string;
    const good = await store.get(block);
    await rawPut((store as S3Store).objectKey(block), undefined);
    const r = await ferry(['recover', 'stream', '--to', 'h2']);
    await store.put(good);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /FERRY_ERR_STORE_MISSING/);
    assert.match(r.stderr, /block 1 of 1 of volume protect-vol|block of volume protect-vol/);
    await assertNothingOnH2();
  });

  it('a truncated manifest: FERRY_ERR_INTEGRITY, nothing created', LONG, async () => {
    const name = protectManifestName('stream', latest.sequence);
    const key = (store as S3Store).manifestKey(name);
    const body = await store.getManifest(name);
    assert.ok(body);
    const stored = Buffer.concat([Buffer.from(`ferry-manifest v1 ${createHash('sha256').update(body).digest('hex')} ${body.length}\n`), body]);
    await rawPut(key, stored.subarray(0, stored.length - 40));
    const r = await ferry(['recover', 'stream', '--to', 'h2']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /FERRY_ERR_INTEGRITY/);
    await assertNothingOnH2();
  });

  it('an earlier point, named with --point, still recovers while the latest is unusable', LONG, async () => {
    const earlier = latest.sequence - 1;
    const r = await ferry(['recover', 'stream', '--to', 'h2', '--point', String(earlier), '--json']);
    assert.equal(r.code, 0, r.stderr);
    const report = JSON.parse(r.stdout) as { sequence: number; lost: string; takenAt: string };
    assert.equal(report.sequence, earlier);
    assert.equal(report.lost, `progress after ${report.takenAt}`);
    assert.match(await verifyMemory('h2', 'stream'), / ok$/);
  });
});
