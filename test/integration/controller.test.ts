/**
 * @module test/integration/controller.test — the controller and the elastic scheduler on a
 * real 3-host test bed (each host capped at 0.5 CPU by its cgroup, agents sampling every
 * second, `ferry controller` as its own process on SQLite):
 * - `spread` places one light container per host and keeps every host awake;
 * - switched to `elastic`, the green hosts are drained by live migration and sleep — with the
 *   controller killed (SIGKILL) while the first drain migration is in flight and restarted on
 *   the same database: the drain completes and no container is lost or doubled;
 * - new load that fits no awake host wakes one;
 * - a container whose CPU rises pushes its host above W: the cheapest container that brings it
 *   back under W is live-migrated away and the host turns blue;
 * - every step is in `ferry events` with its reason.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseConfig } from '../../src/core/config.ts';
import { DockerEngine } from '../../src/adapters/docker/engine.ts';
import { ControlClient } from '../../src/adapters/http-api/client.ts';
import { testbedDown, testbedUp, bedCredentials, repoRoot, type Cluster, clusterFile } from '../../src/tools/testbed/index.ts';
import type { Credentials } from '../../src/adapters/http-api/client.ts';
import type { ContainerRecord, EventRow } from '../../src/apps/controller/records.ts';
import type { NodeReport } from '../../src/apps/controller/node-report.ts';
import { startControllerProcess, killController, waitEvent, type ControllerProcess } from '../support/controller.ts';
import { keepLogsOnFailure } from '../support/kept-logs.ts';

const stateDir = path.join(tmpdir(), `ferry-it-controller-${process.pid}`);
const config = parseConfig({ testbed: { stateDir, subnet: '10.222.0', hosts: 3, hostCpus: 0.5, hostMemoryMiB: 1024 } });
// A failed test keeps the test bed's logs (agents, dockerds, CRIU) before `after` tears it down.
const logs = keepLogsOnFailure(import.meta.filename, config);
const LONG = { timeout: 600_000 };
/** The scheduler's parameters for a test that runs in minutes, not hours (the same keys as the config, by their environment twins). */
const SCHEDULER_ENV: Record<string, string> = {
  FERRY_SCHEDULER_SAMPLE_EVERY_MS: '1000',
  FERRY_SCHEDULER_SAMPLES: '3',
  FERRY_SCHEDULER_DEFAULT_APP_TYPE: 'cpu-intensive',
  FERRY_SCHEDULER_GREEN_BELOW: '0.15',
  FERRY_SCHEDULER_RED_ABOVE: '0.6',
  FERRY_SCHEDULER_OVERLOAD_W: '0.8',
  FERRY_SCHEDULER_OVERLOAD_FOR_MS: '6000',
  FERRY_SCHEDULER_IDLE_FOR_MS: '8000',
  FERRY_SCHEDULER_COOLDOWN_MS: '30000',
  FERRY_SCHEDULER_MIGRATION_BUDGET: '3',
  FERRY_SCHEDULER_BUDGET_PERIOD_MS: '20000',
  FERRY_CONTROLLER_TICK_MS: '1000',
};
Object.assign(process.env, SCHEDULER_ENV); // the agents the test bed starts inherit S
const PORT = 7182;
const LIGHT = ['light-1', 'light-2', 'light-3'];

let cluster: Cluster;
let credentials: Credentials;
let ctl: ControllerProcess;
const ctlState = path.join(stateDir, 'controller');
const engines = new Map<string, DockerEngine>();

/** Starts (or restarts, on the same database) the controller. */
async function startCtl(): Promise<void> {
  ctl = await startControllerProcess({ clusterFile: clusterFile(stateDir), stateDir: ctlState, port: PORT, credentials, env: SCHEDULER_ENV, logFile: path.join(stateDir, 'controller.log') });
}

const nodes = (): Promise<NodeReport[]> => ctl.client.call<NodeReport[]>('GET', '/v1/nodes');
const ps = (): Promise<ContainerRecord[]> => ctl.client.call<ContainerRecord[]>('GET', '/v1/containers');
const run = (body: Record<string, unknown>): Promise<ContainerRecord> => ctl.client.call<ContainerRecord>('POST', '/v1/containers', body, 300_000);

/** Waits until `check` holds, polling. */
async function until<T>(what: string, timeoutMs: number, get: () => Promise<T>, check: (v: T) => boolean): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await get();
    if (check(v)) return v;
    if (Date.now() > end) assert.fail(`${what} did not happen within ${timeoutMs} ms; last: ${JSON.stringify(v)}`);
    await sleep(500);
  }
}

/** Where each managed container runs, by asking every awake host's engine (a sleeping host has no engine and, by rule, no container). */
async function whereRunning(): Promise<Map<string, string[]>> {
  const at = new Map<string, string[]>();
  for (const [host, engine] of engines) {
    if (!(await engine.ping())) continue;
    for (const c of await engine.listContainers()) {
      const name = c.Names[0]?.replace(/^\//, '') ?? '';
      if (c.State !== 'running') continue;
      at.set(name, [...(at.get(name) ?? []), host]);
    }
  }
  return at;
}

/** Every container the controller runs is running on exactly one host, the one the controller records. */
async function assertExactlyOnce(): Promise<void> {
  const at = await whereRunning();
  for (const c of await ps()) {
    assert.deepEqual(at.get(c.name), [c.node], `${c.name}: controller says ${c.node}, engines say ${JSON.stringify(at.get(c.name))}`);
  }
}

before(async () => {
  mkdirSync(stateDir, { recursive: true });
  cluster = await logs.watch(testbedUp({ config, log: () => undefined }));
  for (const h of cluster.hosts) engines.set(h.name, new DockerEngine(h.dockerSocket));
  credentials = await bedCredentials(cluster);
  await startCtl();
}, LONG);

after(async () => {
  await logs.keep();
  if (ctl) await killController(ctl, 'SIGTERM');
  await testbedDown({ config, log: () => undefined });
}, LONG);

describe('the controller with the elastic scheduler on a real test bed', () => {
  it('registers the agents with their capacity and refuses bad input without changing anything', LONG, async () => {
    const list = await until('three nodes registered and measured', 60_000, nodes, (l) => l.length === 3 && l.every((n) => n.state === 'active'));
    for (const n of list) assert.equal(n.capacity.cpuMillis, 500, `${n.name} offers the test bed's 0.5 CPU`);
    await assert.rejects(run({ image: 'ferry/load:1', appType: 'quantum', cpuMillis: 100, memoryMiB: 32 }), /FERRY_ERR_UNKNOWN_APP_TYPE|application type/);
    await assert.rejects(run({ image: 'ferry/load:1', cpuMillis: 100, memoryMiB: 4096 }), /memory/);
    await assert.rejects(ctl.client.call('POST', '/v1/app-types/db', { memory: 0.5, cpu: 0.4, network: 0.4 }), /sum/);
    await assert.rejects(new ControlClient(ctl.url, { ...credentials, token: 'wrong-token' }).call('GET', '/v1/nodes'), /token/);
    assert.equal((await ps()).length, 0);
  });

  it('spread puts one light container on each host and keeps all three awake', LONG, async () => {
    await ctl.client.call('POST', '/v1/policy', { name: 'spread' });
    for (const name of LIGHT) await run({ image: 'ferry/load:1', name, app: 'light', cpuMillis: 50, memoryMiB: 64, env: ['CPU_MILLIS=30', 'MEM_MIB=32'] });
    const placed = await ps();
    assert.deepEqual(new Set(placed.map((c) => c.node)).size, 3, `spread used every host: ${placed.map((c) => `${c.name}@${c.node}`).join(' ')}`);
    await sleep(15_000); // longer than idleForMs: spread has no rebalancer, nothing drains
    const awake = (await nodes()).filter((n) => n.state === 'active').length;
    assert.equal(awake, 3, 'spread keeps every host awake');
    await assertExactlyOnce();
  });

  it('elastic drains the green hosts by live migration and puts them to sleep; a controller killed mid-drain resumes; nothing lost or doubled', LONG, async () => {
    const fromId = (await ctl.client.call<EventRow[]>('GET', '/v1/events?after=0')).at(-1)?.id ?? 0;
    await ctl.client.call('POST', '/v1/policy', { name: 'elastic' });
    const firstMove = await waitEvent(ctl.client, (e) => e.id > fromId && e.kind === 'migrate' && e.reason === 'draining', 90_000, 'a drain migration');
    await killController(ctl); // SIGKILL while that migration runs
    const open = firstMove.subject;
    await startCtl();
    const list = await until('two hosts asleep', 240_000, nodes, (l) => l.filter((n) => n.state === 'sleeping').length === 2);
    const awake = list.filter((n) => n.state === 'active');
    assert.equal(awake.length, 1, 'elastic keeps one host awake for this load (spread kept 3)');
    const placed = await ps();
    assert.deepEqual(placed.map((c) => c.name).sort(), LIGHT);
    assert.ok(placed.every((c) => c.node === awake[0]?.name && c.status === 'running'), `all on ${awake[0]?.name}: ${JSON.stringify(placed)}`);
    await assertExactlyOnce();
    const events = (await ctl.client.call<EventRow[]>('GET', `/v1/events?after=${fromId}`));
    assert.ok(events.some((e) => e.kind === 'drain' && e.reason === 'under-used'), 'a drain event with its reason');
    assert.ok(events.some((e) => e.kind === 'migrated' && e.subject === open), `the migration in flight at the kill (${open}) was resolved after the restart`);
    assert.equal(events.filter((e) => e.kind === 'sleep' && e.reason === 'drain-complete').length, 2);
  });

  it('new load that fits no awake host wakes one; a host pushed above W has its cheapest container moved away and turns blue', LONG, async () => {
    const fromId = (await ctl.client.call<EventRow[]>('GET', '/v1/events?after=0')).at(-1)?.id ?? 0;
    // 400m more does not fit the awake host (3 × 50m requested of 500m): a sleeping host is woken.
    const big = await run({ image: 'ferry/load:1', name: 'steady', app: 'steady', cpuMillis: 400, memoryMiB: 128, env: ['CPU_MILLIS=200', 'MEM_MIB=96'] });
    const wake = await waitEvent(ctl.client, (e) => e.id > fromId && e.kind === 'wake', 5_000, 'a wake');
    assert.equal(wake.subject, big.node, 'the new container went to the host that was woken for it');
    // A container that starts small and later burns 300m: with steady's 200m that is all the host's 500m.
    // Wait until steady's real load (~200m, not its 400m request) is what the host's samples say.
    await until(`${big.node} measured with steady`, 30_000, nodes, (l) => { const u = l.find((n) => n.name === big.node)?.usage.cpu ?? 0; return u > 0.25 && u < 0.6; });
    // A container that starts small and later burns 250m: with steady's 200m that is 450m of the host's 500m, above W = 0.8.
    const hot = await run({ image: 'ferry/load:1', name: 'hot', app: 'hot', cpuMillis: 50, memoryMiB: 64, env: ['MEM_MIB=32', 'PROFILE=0:30,15:250'] });
    assert.equal(hot.node, big.node, 'elastic packs the small container onto the most loaded host that stays out of the red');
    const relief = await waitEvent(ctl.client, (e) => e.id > fromId && e.kind === 'migrate' && e.reason === 'overloaded', 120_000, 'an overload relief');
    assert.equal(relief.subject, 'hot', 'the cheapest container that brings the host under W (32 MiB, not 96 MiB)');
    assert.ok((relief.numbers['cpu'] ?? 0) > 0.8 && (relief.numbers['secondsAbove'] ?? 0) >= 6, `above W for the period: ${JSON.stringify(relief.numbers)}`);
    assert.ok((relief.numbers['cpuAfter'] ?? 1) < 0.8, 'the move brings the host back under W');
    await waitEvent(ctl.client, (e) => e.id > relief.id && e.kind === 'migrated' && e.subject === 'hot', 120_000, 'the relief migration done');
    await until(`${big.node} blue again`, 60_000, nodes, (l) => l.find((n) => n.name === big.node)?.colour === 'blue');
    await assertExactlyOnce();
  });

  it('ferry events and ferry nodes show each step with its reason', LONG, async () => {
    const env = { ...process.env, FERRY_CONTROLLER_URL: ctl.url, FERRY_TOKEN: credentials.token ?? '', FERRY_TLS_DIR: cluster.pki?.dir ?? '', FERRY_TLS_NAME: 'testbed' };
    const bin = path.join(repoRoot(), 'bin/ferry');
    const { stdout } = await promisify(execFile)(bin, ['events', '--json'], { env });
    const events = stdout.trim().split('\n').map((l) => JSON.parse(l) as EventRow);
    for (const [kind, reason] of [['place', 'best-score'], ['drain', 'under-used'], ['migrate', 'draining'], ['sleep', 'drain-complete'], ['wake', 'wake-to-fit'], ['migrate', 'overloaded']]) {
      assert.ok(events.some((e) => e.kind === kind && e.reason === reason), `an event ${kind} / ${reason}`);
    }
    const table = (await promisify(execFile)(bin, ['nodes'], { env })).stdout;
    assert.match(table, /COLOUR/);
    assert.match(table, /sleeping|blue|green/);
  });
});
