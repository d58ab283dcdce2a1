/**
 * @module test/integration/migrate.test — stop-and-copy migration on a real 3-host test bed
 * (network namespaces, one dockerd and agent each, CRIU 4): the happy path with memory,
 * writable layer and a volume; refusals that change nothing; and faults (corrupted chunk,
 * killed destination agent, cut link, full disk, killed source agent) that must each end
 * with the container running on the source with its state and nothing left on the
 * destination. Needs root.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseConfig } from '../../src/core/config.ts';
import { FerryError } from '../../src/core/errors.ts';
import { DockerEngine } from '../../src/adapters/docker/engine.ts';
import { testbedDown, testbedUp, startAgent, setLinkState, loadCluster, type Cluster, clusterFile } from '../../src/tools/testbed/index.ts';
import { migrate, type MigrateCliOptions } from '../../src/apps/cli/migrate-client.ts';
import { agentClient } from '../../src/apps/cli/cluster.ts';
import type { MigrationEvent } from '../../src/services/migration/source.ts';
import type { MigrationReport } from '../../src/domain/migration/report.ts';
import { COUNTER_IMAGE, continuity, ensureCounterImage } from '../../src/tools/workloads/counter-image.ts';
import { beatsOf, waitForBeats } from '../../src/tools/demo/demo.ts';
import { codeOf } from '../support/errors.ts';
import { keepLogsOnFailure } from '../support/kept-logs.ts';

const stateDir = path.join(tmpdir(), `ferry-it-migrate-${process.pid}`);
const config = parseConfig({ testbed: { stateDir, subnet: '10.215.0', hosts: 3, bandwidthMbit: 1000 } });
// A failed test keeps the test bed's logs (agents, dockerds, CRIU) before `after` tears it down.
const logs = keepLogsOnFailure(import.meta.filename, config);
const LONG = { timeout: 240_000 };
// Short timers so that faults resolve within a test; the agents inherit these.
process.env['FERRY_MIGRATION_LINK_TIMEOUT_MS'] = '3000';
process.env['FERRY_MIGRATION_LEASE_MS'] = '6000';
process.env['FERRY_MIGRATION_VERIFY_MS'] = '500';

let cluster: Cluster;
let file: string;
const engines: Record<string, DockerEngine> = {};

/** Starts a counter container on a host and waits until it has beaten a few times. */
async function startCounter(host: string, name: string, o: { ballastMiB?: number; tty?: boolean; volume?: string } = {}): Promise<string> {
  const e = engines[host] as DockerEngine;
  await e.removeContainer(name);
  const id = await e.createContainer(name, {
    Image: COUNTER_IMAGE,
    Env: [`BALLAST_MIB=${o.ballastMiB ?? 8}`, 'ROLE=test'],
    Labels: { 'ferry.test': name },
    ...(o.tty ? { Tty: true, OpenStdin: true } : {}),
    HostConfig: { Memory: 512 * 1024 * 1024, ...(o.volume ? { Mounts: [{ Type: 'volume', Source: o.volume, Target: '/vol' }] } : {}) },
  });
  await e.startContainer(id);
  await waitForBeats(e, name, 8);
  return id;
}

/** Running, not paused, and the same process start as before. */
async function assertRunsOn(host: string, name: string, startedAt?: string): Promise<void> {
  const c = await (engines[host] as DockerEngine).inspectContainer(name);
  assert.equal(c.State.Running, true, `${name} runs on ${host}`);
  assert.equal(c.State.Paused, false, `${name} is not left frozen on ${host}`);
  if (startedAt) assert.equal(c.State.StartedAt, startedAt, `${name} on ${host} was never restarted`);
}

/** The counter on `host` went on with no reset, repeat or skip, past `before`. */
async function assertCounterContinues(host: string, name: string, before: number): Promise<void> {
  await sleep(600);
  const c = continuity(await beatsOf(engines[host] as DockerEngine, name));
  assert.equal(c.continuous, true, c.problem);
  assert.ok(c.last > before, `counter went on past ${before} (now ${c.last})`);
}

/** Nothing of `name` on a host. */
async function assertAbsent(host: string, name: string, waitMs = 0): Promise<void> {
  const until = Date.now() + waitMs;
  for (;;) {
    const found = await (engines[host] as DockerEngine).findContainer(name);
    if (!found) return;
    if (Date.now() > until) assert.fail(`${name} is still on ${host} (${found.State.Status})`);
    await sleep(250);
  }
}

async function lastBeat(host: string, name: string): Promise<number> {
  return (await beatsOf(engines[host] as DockerEngine, name)).at(-1)?.n ?? 0;
}

/** Runs a migration; `onEvent` sees every event (fault injection hooks in there). */
function run(container: string, o: Partial<MigrateCliOptions> & { from: string; to: string }, onEvent?: (ev: MigrationEvent) => void): Promise<MigrationReport> {
  return migrate(container, { strategy: 'stop-copy', cluster: file, ...o }, onEvent ? { show: onEvent } : undefined);
}

/** The PID of a host's agent now (it changes when the agent restarts). */
async function agentPid(host: string): Promise<number> {
  const pid = (await loadCluster(stateDir)).hosts.find((h) => h.name === host)?.pids.agent;
  assert.ok(pid, `${host} has an agent`);
  return pid;
}

/** A hook that fires `act` once, at the first event that `when` picks. */
function onceOn(when: (ev: MigrationEvent) => boolean, act: () => unknown): { hook: (ev: MigrationEvent) => void; fired: () => boolean } {
  let fired = false;
  return {
    hook: (ev) => {
      if (!fired && when(ev)) {
        fired = true;
        void act();
      }
    },
    fired: () => fired,
  };
}

/** Fires `act` once, at the first progress of the state transfer. */
function onceInTransfer(act: () => unknown) {
  return onceOn((ev) => ev.type === 'progress' && ev.root === 'checkpoint', act);
}

/** Polls a source agent until the migration reaches a terminal phase (or the time runs out); returns the last phase seen. */
async function settledPhase(host: string, id: string, timeoutMs: number): Promise<string> {
  const agent = agentClient(cluster, host);
  const until = Date.now() + timeoutMs;
  let phase = '';
  while (Date.now() < until) {
    phase = (await agent.call<{ phase: string }>('GET', `/v1/migrations/${id}`)).phase;
    if (phase === 'rolled-back' || phase === 'done') break;
    await sleep(300);
  }
  return phase;
}

before(async () => {
  cluster = await logs.watch(testbedUp({ config, smallDisk: { h3: 40 }, log: () => undefined }));
  file = clusterFile(cluster.stateDir);
  for (const h of cluster.hosts) engines[h.name] = new DockerEngine(h.dockerSocket);
  await ensureCounterImage(engines['h1'] as DockerEngine);
}, LONG);

after(async () => {
  await logs.keep();
  await testbedDown({ config, log: () => undefined });
}, LONG);

describe('stop-and-copy migration between two test-bed hosts', () => {
  it('moves memory, the writable layer and a volume; afterwards only the destination has the container', LONG, async () => {
    const src = engines['h1'] as DockerEngine;
    const oldId = await startCounter('h1', 'mover', { ballastMiB: 48, volume: 'mover-data' });
    const inspect = await src.inspectContainer('mover');
    const marker = randomBytes(300_000);
    await mkdir(path.join(inspect.GraphDriver.Data['UpperDir'] ?? '', 'etc'), { recursive: true });
    await writeFile(path.join(inspect.GraphDriver.Data['UpperDir'] ?? '', 'etc', 'marker'), marker);
    const volumeDir = inspect.Mounts.find((m) => m.Type === 'volume')?.Source ?? '';
    const payload = randomBytes(1_000_000);
    await writeFile(path.join(volumeDir, 'payload'), payload);
    const before = await lastBeat('h1', 'mover');

    const report = await run('mover', { from: 'h1', to: 'h2' });
    assert.equal(report.outcome, 'migrated', JSON.stringify(report.error));
    assert.deepEqual(report.phases.map((p) => p.phase), ['preflight', 'stage', 'stop', 'transfer', 'restore', 'verify', 'commit']);
    assert.equal(report.dumpedBy, 'runc', 'CRIU dumped through runc directly');
    assert.ok((report.frozenMs ?? 0) > 0 && report.bytes.wireBytes > 48 * 1048576 * 0.9, 'the report counts frozen time and the bytes of the memory');

    await assertRunsOn('h2', 'mover');
    await assertCounterContinues('h2', 'mover', before);
    const moved = await (engines['h2'] as DockerEngine).inspectContainer('mover');
    assert.ok(moved.Config.Env?.includes('ROLE=test'));
    assert.equal(moved.Config.Labels?.['ferry.test'], 'mover');
    assert.equal(moved.HostConfig.Memory, 512 * 1024 * 1024);
    const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
    assert.equal(sha(await readFile(path.join(moved.GraphDriver.Data['UpperDir'] ?? '', 'etc', 'marker'))), sha(marker));
    const movedVolume = moved.Mounts.find((m) => m.Type === 'volume');
    assert.equal(movedVolume?.Name, 'mover-data');
    assert.equal(sha(await readFile(path.join(movedVolume?.Source ?? '', 'payload'))), sha(payload));

    await assertAbsent('h1', 'mover');
    assert.equal(await src.findVolume('mover-data'), undefined, 'the volume left the source');
    const h1Root = cluster.hosts.find((h) => h.name === 'h1')?.dataRoot ?? '';
    assert.equal(existsSync(path.join(h1Root, 'containers', oldId)), false, 'no container directory (and so no checkpoint) remains on the source');
    await (engines['h2'] as DockerEngine).removeContainer('mover', { volumes: true });
    await (engines['h2'] as DockerEngine).removeVolume('mover-data');
  });

  it('refuses a TTY container, an unknown container, an unknown host and a bad token, changing nothing', LONG, async () => {
    await startCounter('h1', 'tty', { tty: true });
    await startCounter('h1', 'plain');
    const ttyStart = (await (engines['h1'] as DockerEngine).inspectContainer('tty')).State.StartedAt;
    const plainStart = (await (engines['h1'] as DockerEngine).inspectContainer('plain')).State.StartedAt;

    const tty = await run('tty', { from: 'h1', to: 'h2' });
    assert.equal(tty.outcome, 'rolled-back');
    assert.equal(tty.error?.code, 'FERRY_ERR_TTY');
    assert.match(tty.error?.message ?? '', /tty has a TTY/);

    const unknown = await run('no-such-container', { from: 'h1', to: 'h2' });
    assert.equal(unknown.error?.code, 'FERRY_ERR_UNKNOWN_CONTAINER');
    assert.match(unknown.error?.message ?? '', /no-such-container/);

    assert.equal(await codeOf(run('plain', { from: 'h1', to: 'h9' })), 'FERRY_ERR_UNKNOWN_HOST');
    assert.equal(await codeOf(run('plain', { from: 'h1', to: 'h1' })), 'FERRY_ERR_SAME_HOST');

    process.env['FERRY_TOKEN'] = 'f'.repeat(64);
    try {
      assert.equal(await codeOf(run('plain', { from: 'h1', to: 'h2' })), 'FERRY_ERR_AUTH');
    } finally {
      delete process.env['FERRY_TOKEN'];
    }

    await assertRunsOn('h1', 'tty', ttyStart);
    await assertRunsOn('h1', 'plain', plainStart);
    await assertAbsent('h2', 'tty');
    await assertAbsent('h2', 'plain');
    await (engines['h1'] as DockerEngine).removeContainer('tty');
  });

  it('a corrupted chunk is detected; the source runs on with its state', LONG, async () => {
    const start = (await (engines['h1'] as DockerEngine).inspectContainer('plain')).State.StartedAt;
    const before = await lastBeat('h1', 'plain');
    const report = await run('plain', { from: 'h1', to: 'h2', faults: { corruptChunk: 3 } });
    assert.equal(report.outcome, 'rolled-back');
    assert.equal(report.error?.code, 'FERRY_ERR_INTEGRITY');
    await assertRunsOn('h1', 'plain', start);
    await assertCounterContinues('h1', 'plain', before);
    await assertAbsent('h2', 'plain');
  });

  it('the destination agent killed during transfer: rollback, and the restarted agent drops its half', LONG, async () => {
    const start = (await (engines['h1'] as DockerEngine).inspectContainer('plain')).State.StartedAt;
    await (engines['h1'] as DockerEngine).removeContainer('big');
    await startCounter('h1', 'big', { ballastMiB: 160 });
    const bigStart = (await (engines['h1'] as DockerEngine).inspectContainer('big')).State.StartedAt;
    const before = await lastBeat('h1', 'big');
    const pid = await agentPid('h2');
    const kill = onceInTransfer(() => process.kill(pid, 'SIGKILL'));
    const report = await run('big', { from: 'h1', to: 'h2' }, kill.hook);
    assert.ok(kill.fired(), 'the agent was killed mid-transfer');
    assert.equal(report.outcome, 'rolled-back');
    assert.match(report.error?.code ?? '', /FERRY_ERR_DATA_LINK|FERRY_ERR_AGENT_UNREACHABLE/);
    await assertRunsOn('h1', 'big', bigStart);
    await assertCounterContinues('h1', 'big', before);
    await startAgent('h2', { stateDir });
    await assertAbsent('h2', 'big', 10_000);
    await assertRunsOn('h1', 'plain', start);
  });

  it('the data link cut mid-stream: the stall is detected, the source runs on, the destination lease cleans up', LONG, async () => {
    const bigStart = (await (engines['h1'] as DockerEngine).inspectContainer('big')).State.StartedAt;
    const before = await lastBeat('h1', 'big');
    const cut = onceInTransfer(() => setLinkState('h2', 'down', { stateDir }));
    let report: MigrationReport;
    try {
      report = await run('big', { from: 'h1', to: 'h2' }, cut.hook);
    } finally {
      await setLinkState('h2', 'up', { stateDir });
    }
    assert.ok(cut.fired());
    assert.equal(report.outcome, 'rolled-back');
    assert.equal(report.error?.code, 'FERRY_ERR_DATA_LINK');
    assert.match(report.error?.message ?? '', /stall/);
    await assertRunsOn('h1', 'big', bigStart);
    await assertCounterContinues('h1', 'big', before);
    await assertAbsent('h2', 'big', 15_000);
  });

  it('a full destination disk: refused at preflight, and detected mid-transfer when the check is skipped', LONG, async () => {
    const e3 = engines['h3'] as DockerEngine;
    const bigStart = (await (engines['h1'] as DockerEngine).inspectContainer('big')).State.StartedAt;
    const before = await lastBeat('h1', 'big');
    const refused = await run('big', { from: 'h1', to: 'h3' });
    assert.equal(refused.error?.code, 'FERRY_ERR_INSUFFICIENT_DISK');
    assert.deepEqual(refused.phases.map((p) => p.phase), ['preflight']);

    const full = await run('big', { from: 'h1', to: 'h3', skipCapacityCheck: true });
    assert.equal(full.outcome, 'rolled-back');
    assert.equal(full.error?.code, 'FERRY_ERR_DISK_FULL');
    await assertRunsOn('h1', 'big', bigStart);
    await assertCounterContinues('h1', 'big', before);
    await assertAbsent('h3', 'big');
    const h3Root = cluster.hosts.find((h) => h.name === 'h3')?.dataRoot ?? '';
    const leftovers = readdirSync(path.join(h3Root, 'containers'));
    assert.deepEqual(leftovers, [], 'no container directory left in the small data root');
    assert.ok((await e3.info()).DockerRootDir === h3Root);
  });

  it('the source agent killed mid-transfer: the frozen container is thawed by the restarted agent, exactly one copy', LONG, async () => {
    const bigStart = (await (engines['h1'] as DockerEngine).inspectContainer('big')).State.StartedAt;
    const before = await lastBeat('h1', 'big');
    let id = '';
    const pid = await agentPid('h1');
    const kill = onceInTransfer(() => process.kill(pid, 'SIGKILL'));
    const outcome = await migrate('big', { strategy: 'stop-copy', cluster: file, from: 'h1', to: 'h2' }, { show: kill.hook }, (m) => (id = m)).catch((e: unknown) => e);
    assert.ok(outcome instanceof FerryError && outcome.code === 'FERRY_ERR_AGENT_UNREACHABLE', `the CLI lost its agent: ${String(outcome)}`);
    assert.ok(kill.fired());
    assert.equal((await (engines['h1'] as DockerEngine).inspectContainer('big')).State.Paused, true, 'frozen while its agent is down');
    await startAgent('h1', { stateDir });
    assert.equal(await settledPhase('h1', id, 20_000), 'rolled-back');
    await assertRunsOn('h1', 'big', bigStart);
    await assertCounterContinues('h1', 'big', before);
    await assertAbsent('h2', 'big', 10_000);
  });

  it('the source agent killed as it asks for the restore: the restarted agent aborts the destination copy before it thaws', LONG, async () => {
    const bigStart = (await (engines['h1'] as DockerEngine).inspectContainer('big')).State.StartedAt;
    const before = await lastBeat('h1', 'big');
    let id = '';
    const pid = await agentPid('h1');
    const kill = onceOn((ev) => ev.type === 'phase' && ev.phase === 'restore', () => process.kill(pid, 'SIGKILL'));
    await migrate('big', { strategy: 'stop-copy', cluster: file, from: 'h1', to: 'h2' }, { show: kill.hook }, (m) => (id = m)).catch(() => undefined);
    assert.ok(kill.fired(), 'killed at the restore phase');
    await startAgent('h1', { stateDir });
    assert.equal(await settledPhase('h1', id, 30_000), 'rolled-back', 'commit was never sent, so the only way out is back to the source');
    await assertRunsOn('h1', 'big', bigStart);
    await assertCounterContinues('h1', 'big', before);
    await assertAbsent('h2', 'big');
  });
});
