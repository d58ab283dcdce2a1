/**
 * @module tools/demo/demo — the README's first command: a test bed of hosts, a counter container
 * with in-memory state and a heartbeat log, a live migration, and the proof that the
 * counter went on from where it was on the destination (no reset, no repeat, no skip).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { FerryError } from '../../core/errors.ts';
import { DockerEngine } from '../../adapters/docker/engine.ts';
import type { Cluster } from '../../apps/cli/cluster.ts';
import { clusterHost } from '../../apps/cli/cluster.ts';
import { migrate } from '../../apps/cli/migrate-client.ts';
import type { MigrationObserver } from '../../apps/cli/progress.ts';
import type { MigrationReport } from '../../domain/migration/report.ts';
import { COUNTER_IMAGE, continuity, ensureCounterImage, parseBeats } from '../workloads/counter-image.ts';

/** What the demo shows. */
export interface DemoResult {
  report: MigrationReport;
  counterBefore: number;
  counterAfter: number;
  continuous: boolean;
  /** Longest silence of the heartbeat, as an observer reading it sees the service gap. */
  serviceGapMs: number;
  /** True when the source host has no container of that name left. */
  sourceClean: boolean;
  problem?: string;
}

/** How the demo runs. */
export interface DemoOptions {
  cluster: Cluster;
  clusterFile: string;
  from: string;
  to: string;
  ballastMiB: number;
  say: (line: string) => void;
  view?: MigrationObserver;
}

/** Starts the counter on the source, migrates it, and checks it on the destination. */
export async function runDemo(o: DemoOptions): Promise<DemoResult> {
  const src = new DockerEngine(clusterHost(o.cluster, o.from).dockerSocket);
  const dst = new DockerEngine(clusterHost(o.cluster, o.to).dockerSocket);
  o.say(`building the workload image ${COUNTER_IMAGE} on ${o.from} (static C counter on busybox, no registry)`);
  await ensureCounterImage(src);
  for (const e of [src, dst]) await e.removeContainer('counter');
  const id = await src.createContainer('counter', { Image: COUNTER_IMAGE, Env: [`BALLAST_MIB=${o.ballastMiB}`], Labels: { 'ferry.demo': 'counter' } });
  await src.startContainer(id);
  o.say(`started container "counter" on ${o.from}: an in-memory counter, a heartbeat log and ${o.ballastMiB} MiB of resident memory`);
  await waitForBeats(src, 'counter', 15 + Math.ceil(o.ballastMiB / 25));
  const counterBefore = (await beatsOf(src, 'counter')).at(-1)?.n ?? 0;
  o.say(`counter on ${o.from} is at ${counterBefore}; migrating ${o.from} -> ${o.to}`);
  const report = await migrate('counter', { from: o.from, to: o.to, strategy: 'precopy', cluster: o.clusterFile }, o.view);
  if (report.outcome !== 'migrated') {
    throw new FerryError('FERRY_ERR_INTERNAL', `the demo migration ended ${report.outcome}: ${report.error?.code ?? ''} ${report.error?.message ?? ''}`);
  }
  await sleep(1500);
  const beats = await beatsOf(dst, 'counter');
  const c = continuity(beats);
  const sourceClean = (await src.findContainer('counter')) === undefined;
  return { report, counterBefore, counterAfter: c.last, continuous: c.continuous && c.last > counterBefore, serviceGapMs: c.longestGapMs, sourceClean, ...(c.problem ? { problem: c.problem } : {}) };
}

/** Reads a container's heartbeat log from its writable layer. */
export async function beatsOf(engine: DockerEngine, name: string) {
  const c = await engine.inspectContainer(name);
  const upper = c.GraphDriver.Data['UpperDir'] ?? '';
  return parseBeats(await readFile(path.join(upper, 'data', 'counter.log'), 'utf8').catch(() => ''));
}

/** Waits until the counter has beaten `n` times. */
export async function waitForBeats(engine: DockerEngine, name: string, n: number, timeoutMs = 60_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if ((await beatsOf(engine, name)).length >= n) return;
    await sleep(200);
  }
  throw new FerryError('FERRY_ERR_INTERNAL', `container ${name} did not reach ${n} heartbeats in ${timeoutMs} ms`);
}
