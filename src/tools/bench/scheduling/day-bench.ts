/**
 * @module tools/bench/scheduling/day-bench — `ferry bench scheduling-day`: one scripted day of load
 * (steady, peak, quiet) played on a 6-host test bed of its own (each host capped at a share of
 * the machine's CPU by its cgroup) once per policy — elastic, spread, binpack, kube — through
 * a real `ferry controller` process with a fresh database each time. Measured per policy:
 * node-hours awake (hosts not asleep, sampled every second), live migrations, and SLA seconds
 * (container-seconds with less than 90 % of the CPU wanted, from each workload's own log).
 */
import { mkdirSync, rmSync } from 'node:fs';
import { copyFile, readFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseConfig } from '../../../core/config.ts';
import { ControlClient, type Credentials } from '../../../adapters/http-api/client.ts';
import type { ContainerRecord, MigrationRow } from '../../../apps/controller/records.ts';
import { startControllerProcess, stopControllerProcess } from '../../../apps/controller/process.ts';
import type { NodeReport } from '../../../apps/controller/node-report.ts';
import { DockerEngine } from '../../../adapters/docker/engine.ts';
import { keepLogsAfterFailure, bedCredentials, testbedDown, testbedUp, type Cluster, clusterFile } from '../../testbed/index.ts';
import { ensureWorkloadImage } from '../../workloads/catalog.ts';
import { parseLoadLog, slaShortfallSeconds } from '../../workloads/load-log.ts';
import { defaultDay, profileEnv, steps, type DayContainer, type DayScript } from './day-script.ts';
import { meanAwake, nodeHoursAwake, type AwakeSample, type PolicyDay } from './day-report.ts';

/** The policies compared, elastic first. */
export const DAY_POLICIES = ['elastic', 'spread', 'binpack', 'kube'] as const;

/** The test bed of this benchmark (apart from the demo's, the tests' and the migration benchmark's). */
const DAY_TESTBED = { hosts: 6, subnet: '10.223.0', stateDir: '/var/lib/ferry/bench-day-testbed', hostCpus: 0.25, hostMemoryMiB: 1024 };
const PORT = 7183;
/** The scheduler's parameters for a day compressed into minutes (environment twins of the config keys). */
export const DAY_SCHEDULER_ENV: Readonly<Record<string, string>> = Object.freeze({
  FERRY_SCHEDULER_SAMPLE_EVERY_MS: '1000',
  FERRY_SCHEDULER_SAMPLES: '5',
  FERRY_SCHEDULER_DEFAULT_APP_TYPE: 'cpu-intensive',
  FERRY_SCHEDULER_GREEN_BELOW: '0.2',
  FERRY_SCHEDULER_RED_ABOVE: '0.7',
  FERRY_SCHEDULER_OVERLOAD_W: '0.85',
  FERRY_SCHEDULER_OVERLOAD_FOR_MS: '10000',
  FERRY_SCHEDULER_IDLE_FOR_MS: '20000',
  FERRY_SCHEDULER_COOLDOWN_MS: '60000',
  FERRY_SCHEDULER_MIGRATION_BUDGET: '3',
  FERRY_SCHEDULER_BUDGET_PERIOD_MS: '30000',
  FERRY_CONTROLLER_TICK_MS: '1000',
});

/** Options of a run. */
export interface DayBenchOptions {
  policies: readonly string[];
  seconds: number;
  say: (line: string) => void;
}

/** What the benchmark writes. */
export interface DayResults {
  startedAt: string;
  script: DayScript;
  testbed: typeof DAY_TESTBED;
  scheduler: Readonly<Record<string, string>>;
  policies: Record<string, Omit<PolicyDay, 'policy'>>;
}

/** Runs the day once per policy. */
export async function runDayBench(o: DayBenchOptions): Promise<DayResults> {
  const script = defaultDay(o.seconds);
  const config = parseConfig({ testbed: DAY_TESTBED });
  Object.assign(process.env, DAY_SCHEDULER_ENV); // the agents inherit S
  o.say(`bench: test bed of ${DAY_TESTBED.hosts} hosts × ${DAY_TESTBED.hostCpus} CPU on ${DAY_TESTBED.subnet}`);
  // A test bed that failed to come up is taken down too (its dockerd and namespaces never outlive the run).
  const cluster = await testbedUp({ config, log: () => undefined }).catch(async (err: unknown) => {
    await testbedDown({ config, log: () => undefined });
    throw err;
  });
  const results: DayResults = { startedAt: new Date().toISOString(), script, testbed: DAY_TESTBED, scheduler: DAY_SCHEDULER_ENV, policies: {} };
  try {
    const credentials = await bedCredentials(cluster);
    for (const h of cluster.hosts) await ensureWorkloadImage(new DockerEngine(h.dockerSocket), 'load');
    for (const policy of o.policies) {
      o.say(`bench: ${policy}: playing a ${script.seconds} s day`);
      const played = await playDay(cluster, credentials, policy, script, o.say).catch(async (err: unknown) => {
        await keepDayLogs(cluster, policy, err, o.say);
        throw err;
      });
      const day: Omit<PolicyDay, 'policy'> = { ...played };
      delete (day as Partial<PolicyDay>).policy;
      results.policies[policy] = day;
      o.say(`bench: ${policy}: ${day.nodeHoursAwake.toFixed(1)} node-hours awake, ${day.migrations} migrations, ${day.slaSeconds} SLA seconds`);
    }
  } finally {
    await testbedDown({ config, log: () => undefined });
  }
  return results;
}

/** A failed day keeps the hosts' logs and the controller's log before the test bed is torn down, and says where. */
async function keepDayLogs(cluster: Cluster, policy: string, err: unknown, say: (l: string) => void): Promise<void> {
  const kept = await keepLogsAfterFailure(cluster.stateDir, { what: `bench-day-${policy}`, error: err }, say);
  if (!kept) return;
  await copyFile(path.join(DAY_TESTBED.stateDir, `controller-${policy}`, 'controller.log'), path.join(kept, `controller-${policy}.log`))
    .catch((e: unknown) => say(`the controller log of ${policy} could not be kept: ${String(e)}`));
  say(`bench: ${policy} failed; logs kept in ${kept} (the hosts' and controller-${policy}.log)`);
}

/** Plays the day under one policy on a clean cluster. */
async function playDay(cluster: Cluster, credentials: Credentials, policy: string, script: DayScript, say: (l: string) => void): Promise<PolicyDay> {
  await wakeAll(cluster, credentials);
  const stateDir = path.join(DAY_TESTBED.stateDir, `controller-${policy}`);
  rmSync(stateDir, { recursive: true, force: true });
  mkdirSync(stateDir, { recursive: true });
  const ctl = await startControllerProcess({ clusterFile: clusterFile(DAY_TESTBED.stateDir), stateDir, port: PORT, credentials, env: DAY_SCHEDULER_ENV, logFile: path.join(stateDir, 'controller.log'), policy });
  const client = ctl.client;
  try {
    await waitRegistered(client, cluster.hosts.length);
    const timeline: AwakeSample[] = [];
    const sla: Record<string, number> = {};
    let unschedulable = 0;
    const t0 = Date.now();
    const elapsed = (): number => (Date.now() - t0) / 1000;
    const sampler = sampleAwake(client, elapsed, timeline, script.seconds);
    for (const step of steps(script)) {
      const wait = step.at * 1000 - (Date.now() - t0);
      if (wait > 0) await sleep(wait);
      if (step.kind === 'start') {
        unschedulable += await start(client, step.container, say);
      } else {
        sla[step.container.name] = await stop(client, cluster, step.container.name);
      }
    }
    const rest = script.seconds * 1000 - (Date.now() - t0);
    if (rest > 0) await sleep(rest);
    await sampler;
    for (const c of await client.call<ContainerRecord[]>('GET', '/v1/containers')) sla[c.name] = await stop(client, cluster, c.name);
    const migrations = await client.call<MigrationRow[]>('GET', '/v1/migrations');
    return {
      policy,
      nodeHoursAwake: nodeHoursAwake(timeline, script),
      meanAwake: meanAwake(timeline, script),
      migrations: migrations.filter((m) => m.state === 'migrated').length,
      failedMigrations: migrations.filter((m) => m.state === 'failed' || m.state === 'rolled-back').length,
      slaSeconds: Object.values(sla).reduce((a, b) => a + b, 0),
      slaByContainer: sla,
      unschedulable,
      timeline,
    };
  } finally {
    await stopControllerProcess(ctl);
  }
}

/** Deploys one container of the script; returns 1 when the scheduler refused it. */
async function start(client: ControlClient, c: DayContainer, say: (l: string) => void): Promise<number> {
  try {
    await client.call('POST', '/v1/containers', { image: 'ferry/load:1', name: c.name, app: c.app, appType: c.appType, cpuMillis: c.cpuMillis, memoryMiB: c.memoryMiB, env: [`MEM_MIB=${c.memMiB}`, profileEnv(c)] });
    return 0;
  } catch (err) {
    say(`bench:   ${c.name} not placed: ${(err as Error).message}`);
    return 1;
  }
}

/** Reads a container's load log (its SLA seconds), then removes it through the controller. */
async function stop(client: ControlClient, cluster: Cluster, name: string): Promise<number> {
  const rec = (await client.call<ContainerRecord[]>('GET', '/v1/containers')).find((c) => c.name === name);
  if (!rec) return 0; // never placed
  for (let i = 0; i < 120 && rec.status === 'migrating'; i++) {
    await sleep(1000);
    const now = (await client.call<ContainerRecord[]>('GET', '/v1/containers')).find((c) => c.name === name);
    if (!now || now.status !== 'migrating') Object.assign(rec, now ?? {});
  }
  const host = cluster.hosts.find((h) => h.name === rec.node);
  let seconds = 0;
  if (host) {
    const engine = new DockerEngine(host.dockerSocket);
    const upper = (await engine.inspectContainer(name)).GraphDriver.Data['UpperDir'] ?? '';
    seconds = slaShortfallSeconds(parseLoadLog(await readFile(path.join(upper, 'data/load.log'), 'utf8')));
  }
  await client.call('DELETE', `/v1/containers/${encodeURIComponent(name)}`);
  return seconds;
}

/** Samples the hosts awake every second until the day ends. */
async function sampleAwake(client: ControlClient, elapsed: () => number, out: AwakeSample[], seconds: number): Promise<void> {
  while (elapsed() < seconds) {
    try {
      const list = await client.call<NodeReport[]>('GET', '/v1/nodes', undefined, 5_000);
      out.push({ t: elapsed(), awake: list.filter((n) => n.state !== 'sleeping').length });
    } catch {
      /* a missed sample: the previous one holds */
    }
    await sleep(1000);
  }
}

/** Wakes every host through its agent (a policy's day starts with all hosts on, as a day of spread would). */
async function wakeAll(cluster: Cluster, credentials: Credentials): Promise<void> {
  for (const h of cluster.hosts) await new ControlClient(h.controlUrl, credentials, 120_000).call('POST', '/v1/power', { state: 'wake' });
}

/** Waits until every host is registered and measured. */
async function waitRegistered(client: ControlClient, hosts: number): Promise<void> {
  for (let i = 0; i < 120; i++) {
    const list = await client.call<NodeReport[]>('GET', '/v1/nodes');
    if (list.length === hosts && list.every((n) => n.state === 'active' && n.colour !== undefined)) return;
    await sleep(500);
  }
  throw new Error('the hosts were not all registered and measured within 60 s');
}
