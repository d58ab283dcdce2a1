/**
 * @module test/support/one-copy — what the fault tests on a 2-host test bed (h1 the source,
 * h2 the destination) share: start the counter, act once when a migration enters a phase,
 * find CRIU processes left in a host's network namespace, and wait until a fault settled as
 * it must — exactly one copy, the source's, thawed, the same process, its heartbeat
 * continuous — or until the destination aborted its half.
 *
 *   const bed: TwoHosts = { stateDir, cluster: () => cluster, engine };
 *   const startedAt = await startCounter(bed, 'victim');
 *   const kill = atPhase('verify', () => process.kill(pid, 'SIGKILL'));
 *   await assertOneCopyOnSource(bed, 'victim', startedAt, 30_000);
 */
import assert from 'node:assert/strict';
import { after, before } from 'node:test';
import { tmpdir } from 'node:os';
import { existsSync, readlinkSync, statSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { DockerEngine } from '../../src/adapters/docker/engine.ts';
import { parseConfig, type Config } from '../../src/core/config.ts';
import { loadCluster, testbedDown, testbedUp, type Cluster, clusterFile } from '../../src/tools/testbed/index.ts';
import { keepLogsOnFailure } from './kept-logs.ts';
import { agentClient, readCluster } from '../../src/apps/cli/cluster.ts';
import type { MigrationEvent } from '../../src/services/migration/source.ts';
import type { SourcePhase } from '../../src/domain/migration/phases.ts';
import { COUNTER_IMAGE, continuity } from '../../src/tools/workloads/counter-image.ts';
import type { Beat } from '../../src/tools/workloads/heartbeat.ts';
import { beatsOf, waitForBeats } from '../../src/tools/demo/demo.ts';
import { processesWhere } from './processes.ts';

/** The test bed a fault test drives: its state dir, its cluster (once up) and each host's engine. */
export interface TwoHosts {
  stateDir: string;
  cluster: () => Cluster;
  engine: (host: string) => DockerEngine;
}

/** How long a fault test's steps may take. */
export const LONG = { timeout: 240_000 };

/** The short timeouts a fault test runs its agents with, so a fault is seen in seconds (each overridable). */
const FAULT_ENV: Readonly<Record<string, string>> = {
  FERRY_MIGRATION_LINK_TIMEOUT_MS: '3000',
  FERRY_MIGRATION_LEASE_MS: '6000',
  FERRY_MIGRATION_VERIFY_MS: '500',
  FERRY_MIGRATION_REQUEST_TIMEOUT_MS: '5000',
};

/**
 * The 2-host test bed of one fault-test file (called at its top): sets the agents' short
 * timeouts (`env` adds or overrides), brings the bed up before the file's tests with its
 * images (`prepare`), keeps its logs when a test failed, and takes it down after.
 */
export function faultBed(o: { filename: string; subnet: string; env?: Record<string, string>; prepare: (engine: (host: string) => DockerEngine) => Promise<void> }): TwoHosts & { config: Config } {
  Object.assign(process.env, FAULT_ENV, o.env);
  const stateDir = path.join(tmpdir(), `ferry-it-${path.basename(o.filename, '.test.ts')}-${process.pid}`);
  const config = parseConfig({ testbed: { stateDir, subnet: o.subnet, hosts: 2, bandwidthMbit: 1000 } });
  let cluster: Cluster | undefined;
  const engines: Record<string, DockerEngine> = {};
  const engine = (host: string) => engines[host] as DockerEngine;
  const logs = keepLogsOnFailure(o.filename, config);
  before(async () => {
    cluster = await logs.watch(testbedUp({ config, log: () => undefined }));
    for (const h of cluster.hosts) engines[h.name] = new DockerEngine(h.dockerSocket);
    await o.prepare(engine);
  }, LONG);
  after(async () => {
    await logs.keep();
    await testbedDown({ config, log: () => undefined });
  }, LONG);
  return { stateDir, config, engine, cluster: () => cluster as Cluster };
}

/** Starts the counter on h1 with 192 MiB of ballast (state for a migration to move), none of that name on h2; returns its StartedAt. */
export async function startCounter(bed: TwoHosts, name: string, labels?: Record<string, string>): Promise<string> {
  await bed.engine('h1').removeContainer(name);
  await bed.engine('h2').removeContainer(name);
  const id = await bed.engine('h1').createContainer(name, { Image: COUNTER_IMAGE, Env: ['BALLAST_MIB=192'], ...(labels ? { Labels: labels } : {}), HostConfig: { Memory: 512 * 1024 * 1024 } });
  await bed.engine('h1').startContainer(id);
  await waitForBeats(bed.engine('h1'), name, 8);
  return (await bed.engine('h1').inspectContainer(name)).State.StartedAt;
}

/** A hook that acts once, when the migration enters `phase`. */
export function atPhase(phase: SourcePhase, act: () => unknown): { hook: { show: (ev: MigrationEvent) => void }; fired: () => boolean } {
  let fired = false;
  return {
    hook: { show: (ev) => { if (!fired && ev.type === 'phase' && ev.phase === phase) { fired = true; void act(); } } },
    fired: () => fired,
  };
}

/** The agent PID of a host, as the cluster file says now (it changes when the agent restarts). */
export async function agentPid(bed: TwoHosts, host: string): Promise<number> {
  const pid = (await loadCluster(bed.stateDir)).hosts.find((h) => h.name === host)?.pids.agent ?? 0;
  assert.ok(pid > 0, `${host}'s agent runs`);
  return pid;
}

/** True for CRIU itself (dump, restore) and for the lazy-pages daemon with its shell guard. */
export const isCriu = (argv: string[]): boolean => argv.includes('lazy-pages') || argv.some((a) => path.basename(a) === 'criu');

/** True for the lazy-pages daemon and its shell guard. */
export const isLazyPages = (argv: string[]): boolean => argv.includes('lazy-pages');

/** Processes `match` accepts inside a host's network namespace (CRIU processes by default). */
export function criuOn(bed: TwoHosts, host: string, match: (argv: string[]) => boolean = isCriu): number[] {
  const netns = bed.cluster().hosts.find((h) => h.name === host)?.netns ?? '';
  const ns = `net:[${statSync(path.join('/var/run/netns', netns)).ino}]`;
  const inNs = (pid: number) => {
    try {
      return readlinkSync(`/proc/${pid}/ns/net`) === ns;
    } catch {
      return false;
    }
  };
  return processesWhere(match).filter(inNs);
}

/** How {@link assertOneCopyOnSource} reads the heartbeat and which leftover processes it looks for. */
export interface OneCopyOptions {
  /** The workload's heartbeat (the counter's by default). */
  beats?: (engine: DockerEngine, name: string) => Promise<Beat[]>;
  /** Processes that must be gone, per host (default: no CRIU process on either host). */
  noneLeft?: Array<{ host: string; match: (argv: string[]) => boolean; what: string }>;
}

const NO_CRIU_LEFT: NonNullable<OneCopyOptions['noneLeft']> = [
  { host: 'h1', match: isCriu, what: 'no CRIU process left on the source' },
  { host: 'h2', match: isCriu, what: 'no CRIU process or lazy-pages daemon left on the destination' },
];

/** Waits until exactly one copy runs: the source's, thawed, the same process, its heartbeat going on; none on the destination, no leftover process. */
export async function assertOneCopyOnSource(bed: TwoHosts, name: string, startedAt: string, timeoutMs: number, o: OneCopyOptions = {}): Promise<void> {
  const beats = o.beats ?? beatsOf;
  const until = Date.now() + timeoutMs;
  for (;;) {
    const c = await bed.engine('h1').findContainer(name);
    const d = await bed.engine('h2').findContainer(name);
    if (c?.State.Running && !c.State.Paused && !d) break;
    if (Date.now() > until) assert.fail(`not settled to one copy on h1: h1 ${c?.State.Status ?? 'absent'} paused=${String(c?.State.Paused)}, h2 ${d?.State.Status ?? 'absent'}`);
    await sleep(300);
  }
  const c = await bed.engine('h1').inspectContainer(name);
  assert.equal(c.State.StartedAt, startedAt, 'the source was never restarted');
  const before = (await beats(bed.engine('h1'), name)).at(-1)?.n ?? 0;
  await sleep(800);
  const counter = continuity(await beats(bed.engine('h1'), name));
  assert.equal(counter.continuous, true, counter.problem);
  assert.ok(counter.last > before, `the counter goes on past ${before}`);
  for (const left of o.noneLeft ?? NO_CRIU_LEFT) assert.deepEqual(criuOn(bed, left.host, left.match), [], left.what);
}

/** Waits until the destination says it aborted migration `id` and its received images are gone. */
export async function assertDestinationAborted(bed: TwoHosts, id: string, timeoutMs: number): Promise<void> {
  const client = agentClient(readCluster(clusterFile(bed.stateDir)), 'h2', 10_000);
  const until = Date.now() + timeoutMs;
  for (;;) {
    const status = await client.call<{ phase: string | null; word: string }>('GET', `/v1/incoming/${encodeURIComponent(id)}`).catch(() => undefined);
    if (status?.word === 'aborted') break;
    if (Date.now() > until) assert.fail(`the destination did not abort ${id} within ${timeoutMs} ms (phase ${status?.phase ?? 'unknown'})`);
    await sleep(300);
  }
  const h2Root = bed.cluster().hosts.find((h) => h.name === 'h2')?.dataRoot ?? '';
  assert.equal(existsSync(path.join(h2Root, 'ferry-images', id)), false, 'the destination dropped the images it received');
}
