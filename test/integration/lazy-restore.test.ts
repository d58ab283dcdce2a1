/**
 * @module test/integration/lazy-restore.test — faults while a lazily restored container runs
 * on the destination and its memory is still being filled (verify waits for the lazy-pages
 * daemon), on a real 2-host test bed (subnet 10.227.0): the destination agent killed, and
 * the destination's link cut, as verify begins. Each must end with exactly one running copy
 * — the source's, thawed, the same process, its counter continuous — nothing of it on the
 * destination, and no lazy-pages daemon left behind. Needs root and CRIU with userfaultfd.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseConfig } from '../../src/core/config.ts';
import { DockerEngine } from '../../src/docker/engine.ts';
import { loadCluster, setLinkState, startAgent, testbedDown, testbedUp, type Cluster } from '../../src/testbed/index.ts';
import { clusterFile } from '../../src/testbed/cluster.ts';
import { migrate } from '../../src/cli/migrate-client.ts';
import type { MigrationEvent } from '../../src/migration/source.ts';
import type { MigrationReport } from '../../src/migration/report.ts';
import { COUNTER_IMAGE, continuity, ensureCounterImage } from '../../src/workloads/counter-image.ts';
import { beatsOf, waitForBeats } from '../../src/demo/demo.ts';
import { keepLogsOnFailure } from '../support/kept-logs.ts';
import { processesWhere } from '../support/processes.ts';

const stateDir = path.join(tmpdir(), `ferry-it-lazy-restore-${process.pid}`);
const config = parseConfig({ testbed: { stateDir, subnet: '10.227.0', hosts: 2, bandwidthMbit: 1000 } });
const LONG = { timeout: 240_000 };
process.env['FERRY_MIGRATION_LINK_TIMEOUT_MS'] = '3000';
process.env['FERRY_MIGRATION_LEASE_MS'] = '6000';
process.env['FERRY_MIGRATION_VERIFY_MS'] = '500';
process.env['FERRY_MIGRATION_REQUEST_TIMEOUT_MS'] = '5000';

let cluster: Cluster;
const engines: Record<string, DockerEngine> = {};
const engine = (host: string) => engines[host] as DockerEngine;
const logs = keepLogsOnFailure(import.meta.filename, config);


async function startCounter(name: string): Promise<string> {
  await engine('h1').removeContainer(name);
  const id = await engine('h1').createContainer(name, { Image: COUNTER_IMAGE, Env: ['BALLAST_MIB=192'], HostConfig: { Memory: 512 * 1024 * 1024 } });
  await engine('h1').startContainer(id);
  await waitForBeats(engine('h1'), name, 8);
  return (await engine('h1').inspectContainer(name)).State.StartedAt;
}

/** Waits until exactly one copy runs: the source's, thawed, the same process, counting on; none on the destination. */
async function assertOneCopyOnSource(name: string, startedAt: string, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const c = await engine('h1').findContainer(name);
    const d = await engine('h2').findContainer(name);
    if (c?.State.Running && !c.State.Paused && !d) break;
    if (Date.now() > until) assert.fail(`not settled to one copy on h1: h1 ${c?.State.Status ?? 'absent'} paused=${String(c?.State.Paused)}, h2 ${d?.State.Status ?? 'absent'}`);
    await sleep(300);
  }
  const c = await engine('h1').inspectContainer(name);
  assert.equal(c.State.StartedAt, startedAt, 'the source was never restarted');
  const before = (await beatsOf(engine('h1'), name)).at(-1)?.n ?? 0;
  await sleep(800);
  const counter = continuity(await beatsOf(engine('h1'), name));
  assert.equal(counter.continuous, true, counter.problem);
  assert.ok(counter.last > before, `the counter goes on past ${before}`);
  const h2Root = cluster.hosts.find((h) => h.name === 'h2')?.dataRoot ?? '';
  assert.deepEqual(processesWhere((argv) => argv.includes('lazy-pages') && argv.some((a) => a.startsWith(h2Root))), [], 'no lazy-pages daemon left on the destination');
}

/** A hook that acts once, when the verify phase begins (the container runs lazily restored on the destination). */
function atVerify(act: () => unknown): { hook: { show: (ev: MigrationEvent) => void }; fired: () => boolean } {
  let fired = false;
  return {
    hook: { show: (ev) => { if (!fired && ev.type === 'phase' && ev.phase === 'verify') { fired = true; void act(); } } },
    fired: () => fired,
  };
}

before(async () => {
  cluster = await testbedUp({ config, log: () => undefined });
  for (const h of cluster.hosts) engines[h.name] = new DockerEngine(h.dockerSocket);
  await ensureCounterImage(engine('h1'));
}, LONG);

after(async () => {
  await logs.keep();
  await testbedDown({ config, log: () => undefined });
}, LONG);

describe('faults during the lazy window', () => {
  it('a clean lazy restore reports its window and commits only when every page is in', LONG, async () => {
    await startCounter('clean');
    const report = await migrate('clean', { strategy: 'stop-copy', cluster: clusterFile(stateDir), from: 'h1', to: 'h2' });
    assert.equal(report.outcome, 'migrated', JSON.stringify(report.error));
    assert.equal(report.restoredBy, 'thin-lazy');
    assert.ok((report.lazyWindowMs ?? -1) >= 0, `lazy window ${report.lazyWindowMs}`);
    console.log(`# restore ${report.restoreMs} ms, lazy window ${report.lazyWindowMs} ms, frozen ${report.frozenMs} ms`);
    await engine('h2').removeContainer('clean');
  });

  it('the destination agent killed as verify begins: exactly one copy, the source\'s', LONG, async () => {
    const startedAt = await startCounter('killed');
    const pid = (await loadCluster(stateDir)).hosts.find((h) => h.name === 'h2')?.pids.agent ?? 0;
    assert.ok(pid > 0);
    const kill = atVerify(() => process.kill(pid, 'SIGKILL'));
    const report: MigrationReport = await migrate('killed', { strategy: 'stop-copy', cluster: clusterFile(stateDir), from: 'h1', to: 'h2' }, kill.hook);
    assert.ok(kill.fired(), 'the destination agent was killed during verify');
    console.log(`# ${report.outcome}: ${report.error?.code}`);
    assert.notEqual(report.outcome, 'migrated');
    await startAgent('h2', { stateDir });
    await assertOneCopyOnSource('killed', startedAt, 30_000);
    await engine('h1').removeContainer('killed');
  });

  it('the destination\'s link cut as verify begins: exactly one copy once the link is back', LONG, async () => {
    const startedAt = await startCounter('cut');
    const cut = atVerify(() => setLinkState('h2', 'down', { stateDir }));
    let report: MigrationReport;
    try {
      report = await migrate('cut', { strategy: 'stop-copy', cluster: clusterFile(stateDir), from: 'h1', to: 'h2' }, cut.hook);
    } finally {
      await sleep(1000);
      await setLinkState('h2', 'up', { stateDir });
    }
    assert.ok(cut.fired(), 'the link was cut during verify');
    console.log(`# ${report.outcome}: ${report.error?.code}`);
    if (report.outcome === 'migrated') {
      // Verify had already answered before the cut took hold: then the destination's copy is the one.
      assert.equal(await engine('h1').findContainer('cut'), undefined);
      assert.equal((await engine('h2').inspectContainer('cut')).State.Running, true);
      await engine('h2').removeContainer('cut');
      return;
    }
    await assertOneCopyOnSource('cut', startedAt, 60_000);
    await engine('h1').removeContainer('cut');
  });
});
