/**
 * @module test/integration/prestore.test — PF-Docker pre-storage on a real 2-host test bed
 * and the project's own Ceph cluster: a stream container moves with `--strategy prestore`;
 * its stable pages and its image go through radosgw (S3) while it runs, the destination
 * fetches them in parallel, and only the flowing rest crosses directly at the stop. Its
 * memory checksum matches after the restore. With the store gone, the migration rolls back
 * and the container runs on, untouched.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseConfig } from '../../src/core/config.ts';
import { DockerEngine } from '../../src/adapters/docker/engine.ts';
import { testbedDown, testbedUp, type Cluster, clusterFile } from '../../src/tools/testbed/index.ts';
import { migrate } from '../../src/apps/cli/migrate-client.ts';
import type { MigrationReport } from '../../src/domain/migration/report.ts';
import { continuity } from '../../src/tools/workloads/heartbeat.ts';
import { ensureWorkloadImage } from '../../src/tools/workloads/catalog.ts';
import { startStream as startStreamOn, streamBeats, upperOf as upperOfOn, verifyMemory as verifyMemoryOn } from '../support/stream.ts';
import { cephPurge, cephStop, cephUp } from '../support/ceph.ts';
import { keepLogsOnFailure } from '../support/kept-logs.ts';

const CEPH = ['prestore-test', '10.212.0.6', 7486] as const;
const stateDir = path.join(tmpdir(), `ferry-it-prestore-${process.pid}`);
const config = parseConfig({ testbed: { stateDir, subnet: '10.214.0', hosts: 2, bandwidthMbit: 1000 }, storage: { address: CEPH[1] } });
// A failed test keeps the test bed's logs (agents, dockerds, CRIU) before `after` tears it down.
const logs = keepLogsOnFailure(import.meta.filename, config);
const LONG = { timeout: 400_000 };
process.env['FERRY_MIGRATION_LINK_TIMEOUT_MS'] = '5000';
process.env['FERRY_MIGRATION_VERIFY_MS'] = '500';

let cluster: Cluster;
const engines: Record<string, DockerEngine> = {};
const engine = (host: string) => engines[host] as DockerEngine;
const upperOf = (host: string, name: string) => upperOfOn(engine(host), name);
const beats = (host: string, name: string) => streamBeats(engine(host), name);
const startStream = (host: string, name: string, mib: number, rate: number, volume?: string) => startStreamOn(engine(host), name, mib, rate, volume);
const verifyMemory = (host: string, name: string) => verifyMemoryOn(engine(host), name);





function run(name: string): Promise<MigrationReport> {
  return migrate(name, { from: 'h1', to: 'h2', strategy: 'prestore', cluster: clusterFile(stateDir) });
}

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

before(async () => {
  const ceph = await cephUp(...CEPH);
  // The agents take their store from the environment they are started with.
  process.env['FERRY_STORE_KIND'] = 's3';
  process.env['FERRY_STORE_CREDENTIALS_FILE'] = ceph.credentialsFile;
  cluster = await logs.watch(testbedUp({ config, log: () => undefined }));
  for (const h of cluster.hosts) engines[h.name] = new DockerEngine(h.dockerSocket);
  for (const h of cluster.hosts) await ensureWorkloadImage(engine(h.name), 'stream');
}, LONG);

after(async () => {
  await logs.keep();
  await testbedDown({ config, log: () => undefined });
  await cephPurge(...CEPH);
}, LONG);

describe('pre-stored migration through Ceph RGW', () => {
  it('moves 256 MiB dirtying 20 MB/s: most bytes go through the store before the stop, the memory checksum matches', LONG, async () => {
    await startStream('h1', 'stream', 256, 20, 'stream-vol');
    const src = await engine('h1').inspectContainer('stream');
    const marker = randomBytes(200_000);
    await writeFile(path.join(src.GraphDriver.Data['UpperDir'] ?? '', 'marker'), marker);
    const payload = randomBytes(500_000);
    await writeFile(path.join(src.Mounts.find((m) => m.Type === 'volume')?.Source ?? '', 'payload'), payload);
    const lastBefore = (await beats('h1', 'stream')).at(-1)?.n ?? 0;

    const report = await run('stream');
    assert.equal(report.outcome, 'migrated', JSON.stringify(report.error));
    assert.deepEqual(report.phases.map((p) => p.phase), ['preflight', 'stage', 'precopy', 'stop', 'transfer', 'restore', 'verify', 'commit']);
    const ps = report.prestore;
    assert.ok(ps, 'the report has the pre-storage part');
    assert.match(ps.store, /^s3:\/\/|http:\/\/10\.212\.0\.6/);
    assert.equal(ps.policy.threshold, 2);
    assert.ok(ps.rounds.length >= 2, `${ps.rounds.length} rounds`);
    assert.ok(ps.uploadedPages >= 256 * 256 * 0.9, `${ps.uploadedPages} pages uploaded`);
    assert.ok((ps.fetchedBytes ?? 0) >= ps.uploadedBytes, 'the destination fetched every uploaded pack');
    const direct = ps.directBytes ?? Infinity;
    assert.ok((ps.fetchedBytes ?? 0) > 2 * direct, `through the store ${ps.fetchedBytes} bytes, direct ${direct}`);
    assert.ok(ps.stalePages !== undefined && ps.stalePages >= 0);
    assert.equal(ps.image, 'store', 'the destination lacked the image and loaded it from the store');

    assert.equal(await engine('h1').findContainer('stream'), undefined, 'the source copy is gone');
    assert.match(await verifyMemory('h2', 'stream'), / ok$/, 'every page came back with its content');
    const b = continuity(await beats('h2', 'stream'));
    assert.equal(b.continuous, true, b.problem);
    assert.ok(b.last > lastBefore + 5, 'the heartbeat resumed on the destination');
    assert.ok((await readFile(path.join(await upperOf('h2', 'stream'), 'marker'))).equals(marker), 'the writable layer moved');
    const vol = (await engine('h2').inspectContainer('stream')).Mounts.find((m) => m.Type === 'volume')?.Source ?? '';
    assert.equal(sha(await readFile(path.join(vol, 'payload'))), sha(payload));
    await engine('h2').removeContainer('stream');
    await engine('h2').removeVolume('stream-vol');
  });

  it('the store unreachable: the migration rolls back before any freeze and the container runs on', LONG, async () => {
    await startStream('h1', 'calm', 64, 5);
    const startedAt = (await engine('h1').inspectContainer('calm')).State.StartedAt;
    await cephStop(...CEPH);
    let report: MigrationReport;
    try {
      report = await run('calm');
    } finally {
      await cephUp(...CEPH);
    }
    assert.equal(report.outcome, 'rolled-back');
    assert.equal(report.error?.code, 'FERRY_ERR_STORE_UNREACHABLE', JSON.stringify(report.error));
    assert.ok(!report.phases.some((p) => p.phase === 'stop'), 'it failed before any freeze');
    const c = await engine('h1').inspectContainer('calm');
    assert.equal(c.State.Running, true);
    assert.equal(c.State.Paused, false);
    assert.equal(c.State.StartedAt, startedAt);
    assert.match(await verifyMemory('h1', 'calm'), / ok$/);
    assert.equal(await engine('h2').findContainer('calm'), undefined);
  });
});
