/**
 * @module test/integration/precopy.test — pre-copy migration on a real 2-host test bed: a
 * stream container (256 MiB of random pages rewritten at 20 MB/s, a file in its writable
 * layer and a volume) moves in rounds while it runs; its memory checksum, kept inside the
 * container, matches its memory after the restore. Faults in a round (destination agent
 * killed, link cut) leave it running on the source, never frozen, its memory intact.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseConfig } from '../../src/core/config.ts';
import { DockerEngine } from '../../src/adapters/docker/engine.ts';
import { testbedDown, testbedUp, startAgent, setLinkState, loadCluster, type Cluster, clusterFile } from '../../src/tools/testbed/index.ts';
import { migrate } from '../../src/apps/cli/migrate-client.ts';
import type { MigrationEvent } from '../../src/services/migration/source.ts';
import type { MigrationReport } from '../../src/domain/migration/report.ts';
import { STOP_RULES } from '../../src/domain/pages/stop-rule.ts';
import { continuity } from '../../src/tools/workloads/counter-image.ts';
import { ensureWorkloadImage } from '../../src/tools/workloads/catalog.ts';
import { startStream as startStreamOn, streamBeats, upperOf as upperOfOn, verifyMemory as verifyMemoryOn } from '../support/stream.ts';
import { keepLogsOnFailure } from '../support/kept-logs.ts';

const stateDir = path.join(tmpdir(), `ferry-it-precopy-${process.pid}`);
const config = parseConfig({ testbed: { stateDir, subnet: '10.218.0', hosts: 2, bandwidthMbit: 1000 } });
// A failed test keeps the test bed's logs (agents, dockerds, CRIU) before `after` tears it down.
const logs = keepLogsOnFailure(import.meta.filename, config);
const LONG = { timeout: 300_000 };
process.env['FERRY_MIGRATION_LINK_TIMEOUT_MS'] = '3000';
process.env['FERRY_MIGRATION_LEASE_MS'] = '6000';
process.env['FERRY_MIGRATION_VERIFY_MS'] = '500';

let cluster: Cluster;
const engines: Record<string, DockerEngine> = {};
const engine = (host: string) => engines[host] as DockerEngine;
const upperOf = (host: string, name: string) => upperOfOn(engine(host), name);
const beats = (host: string, name: string) => streamBeats(engine(host), name);
const startStream = (host: string, name: string, mib: number, rate: number, volume?: string) => startStreamOn(engine(host), name, mib, rate, volume);
const verifyMemory = (host: string, name: string) => verifyMemoryOn(engine(host), name);





function run(name: string, hook?: (ev: MigrationEvent) => void): Promise<MigrationReport> {
  return migrate(name, { from: 'h1', to: 'h2', strategy: 'precopy', cluster: clusterFile(stateDir) }, hook ? { show: hook } : undefined);
}

/** Fires `act` once, at the first progress of a pre-copy round's pages. */
function inFirstRound(act: () => unknown) {
  let fired = false;
  return {
    hook: (ev: MigrationEvent) => {
      if (!fired && ev.type === 'progress' && ev.root === 'pages' && ev.rawBytes > 32 << 20) {
        fired = true;
        void act();
      }
    },
    fired: () => fired,
  };
}

/** The container runs on the source as the same process, was never left frozen, and its memory checks out. */
async function assertIntactOnSource(name: string, startedAt: string): Promise<void> {
  const c = await engine('h1').inspectContainer(name);
  assert.equal(c.State.Running, true);
  assert.equal(c.State.Paused, false);
  assert.equal(c.State.StartedAt, startedAt, 'never restarted');
  assert.match(await verifyMemory('h1', name), / ok$/);
  const b = continuity(await beats('h1', name));
  assert.equal(b.continuous, true, b.problem);
}

async function assertAbsent(host: string, name: string, waitMs: number): Promise<void> {
  const until = Date.now() + waitMs;
  while (await engine(host).findContainer(name)) {
    if (Date.now() > until) assert.fail(`${name} is still on ${host}`);
    await sleep(250);
  }
}

before(async () => {
  cluster = await logs.watch(testbedUp({ config, log: () => undefined }));
  for (const h of cluster.hosts) engines[h.name] = new DockerEngine(h.dockerSocket);
  for (const h of cluster.hosts) await ensureWorkloadImage(engine(h.name), 'stream');
}, LONG);

after(async () => {
  await logs.keep();
  await testbedDown({ config, log: () => undefined });
}, LONG);

describe('pre-copy migration of a memory writer', () => {
  it('moves 256 MiB dirtying 20 MB/s in rounds; the memory checksum matches after the restore', LONG, async () => {
    await startStream('h1', 'stream', 256, 20, 'stream-vol');
    const src = await engine('h1').inspectContainer('stream');
    const upper = src.GraphDriver.Data['UpperDir'] ?? '';
    const marker = randomBytes(200_000);
    await writeFile(path.join(upper, 'marker'), marker);
    const payload = randomBytes(500_000);
    await writeFile(path.join(src.Mounts.find((m) => m.Type === 'volume')?.Source ?? '', 'payload'), payload);
    const lastBefore = (await beats('h1', 'stream')).at(-1)?.n ?? 0;

    const report = await run('stream');
    assert.equal(report.outcome, 'migrated', JSON.stringify(report.error));
    assert.deepEqual(report.phases.map((p) => p.phase), ['preflight', 'stage', 'precopy', 'stop', 'transfer', 'restore', 'verify', 'commit']);
    const pc = report.precopy;
    assert.ok(pc, 'the report has the pre-copy rounds');
    assert.equal(pc.dirtyTracking, 'content-hash');
    assert.ok(pc.rounds.length >= 2, `${pc.rounds.length} rounds`);
    assert.ok((STOP_RULES as readonly string[]).includes(pc.stopRule ?? ''), `stop rule ${pc.stopRule}`);
    assert.ok(pc.stopDetail);
    assert.ok(pc.rounds[0] && pc.rounds[0].sentPages >= (256 * 256) * 0.95, 'round 1 sent (nearly) all 65536 pages');
    assert.ok(pc.rounds.slice(1).every((r) => r.dirtyPages > 0), 'the workload dirtied pages in every later round');
    assert.ok(pc.final && pc.final.sentPages < pc.final.dumpPages / 2, `the final round sent ${pc.final?.sentPages} of ${pc.final?.dumpPages} dump pages`);

    assert.equal(await engine('h1').findContainer('stream'), undefined, 'the source copy is gone');
    assert.match(await verifyMemory('h2', 'stream'), / ok$/, 'every page came back with its content');
    const b = continuity(await beats('h2', 'stream'));
    assert.equal(b.continuous, true, b.problem);
    assert.ok(b.last > lastBefore + 5, 'the heartbeat resumed on the destination');
    const dstUpper = await upperOf('h2', 'stream');
    assert.ok((await readFile(path.join(dstUpper, 'marker'))).equals(marker), 'the writable layer moved');
    const vol = (await engine('h2').inspectContainer('stream')).Mounts.find((m) => m.Type === 'volume')?.Source ?? '';
    assert.equal(createHash('sha256').update(await readFile(path.join(vol, 'payload'))).digest('hex'), createHash('sha256').update(payload).digest('hex'));
    await engine('h2').removeContainer('stream');
    await engine('h2').removeVolume('stream-vol');
  });

  it('the destination agent killed in a round: the source never froze and runs on intact', LONG, async () => {
    await startStream('h1', 'victim', 256, 20);
    const startedAt = (await engine('h1').inspectContainer('victim')).State.StartedAt;
    const pid = (await loadCluster(stateDir)).hosts.find((h) => h.name === 'h2')?.pids.agent ?? 0;
    assert.ok(pid > 0);
    const kill = inFirstRound(() => process.kill(pid, 'SIGKILL'));
    const report = await run('victim', kill.hook);
    assert.ok(kill.fired());
    assert.equal(report.outcome, 'rolled-back');
    assert.match(report.error?.code ?? '', /FERRY_ERR_DATA_LINK|FERRY_ERR_AGENT_UNREACHABLE/);
    assert.ok(!report.phases.some((p) => p.phase === 'stop'), 'it failed before any freeze');
    await assertIntactOnSource('victim', startedAt);
    await startAgent('h2', { stateDir });
    await assertAbsent('h2', 'victim', 15_000);
  });

  it('the link cut in a round: the stall is detected, the source runs on intact, the destination lease cleans up', LONG, async () => {
    const startedAt = (await engine('h1').inspectContainer('victim')).State.StartedAt;
    const cut = inFirstRound(() => setLinkState('h2', 'down', { stateDir }));
    let report: MigrationReport;
    try {
      report = await run('victim', cut.hook);
    } finally {
      await setLinkState('h2', 'up', { stateDir });
    }
    assert.ok(cut.fired());
    assert.equal(report.outcome, 'rolled-back');
    assert.equal(report.error?.code, 'FERRY_ERR_DATA_LINK');
    await assertIntactOnSource('victim', startedAt);
    await assertAbsent('h2', 'victim', 20_000);
  });
});
