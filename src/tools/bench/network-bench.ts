/**
 * @module tools/bench/network-bench — `ferry bench network`: the services workload (redis-server,
 * lighttpd, dnsmasq) on the cluster network of its own 2-host test bed, its clients on the
 * client host; first the clients run without any move (the comparison), then the container
 * moves back and forth while they run. Results: network-results.ts.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseConfig } from '../../core/config.ts';
import { DockerEngine } from '../../adapters/docker/engine.ts';
import { migrate } from '../../apps/cli/migrate-client.ts';
import type { MigrateRequest } from '../../domain/migration/protocol.ts';
import { keepLogsAfterFailure, testbedDown, testbedUp, type Cluster, clusterFile } from '../testbed/index.ts';
import { ensureWorkloadImage, SERVICES_IMAGE } from '../workloads/catalog.ts';
import { clientArgv, type ClientName } from '../workloads/clients/launch.ts';
import { readJsonLines } from '../workloads/clients/json-log.ts';
import { parseRedisLog } from '../workloads/clients/redis-log.ts';
import { parseHttpLog } from '../workloads/clients/http-log.ts';
import { parseDnsLog } from '../workloads/clients/dns-log.ts';
import { verifyAcked } from '../workloads/clients/redis-verify.ts';
import { REDIS_PORT } from '../workloads/services-spec.ts';
import { longestWaitIn, networkTargets, type NetworkBenchResults, type NetworkMove, type NetworkRun, type SlowRequest } from './network-results.ts';

/** The benchmark's own test bed. */
const TESTBED = { stateDir: '/var/lib/ferry/bench-network-testbed', subnet: '10.236.0', hosts: 2, bandwidthMbit: 1000 };
const NAME = 'bench-services';

/** Options of {@link runNetworkBench}. */
export interface NetworkBenchOptions {
  moves: number;
  strategy: MigrateRequest['strategy'];
  /** The HTTP load, requests per second over its connections. */
  httpRate: number;
  /** How long the clients run on between moves, and without any move, in ms. */
  settleMs: number;
  stillMs: number;
  say: (line: string) => void;
}

/** Runs the benchmark and returns its results (the caller writes them). */
export async function runNetworkBench(o: NetworkBenchOptions): Promise<NetworkBenchResults> {
  const startedAt = new Date().toISOString();
  const config = parseConfig({ testbed: TESTBED });
  o.say(`bench network: starting a 2-host test bed on ${TESTBED.subnet}.0/24 with its cluster network and client host`);
  // A test bed that failed to come up is taken down too (its dockerd and namespaces never outlive the run).
  const cluster = await testbedUp({ config, log: () => undefined }).catch(async (err: unknown) => {
    await testbedDown({ config, log: () => undefined });
    throw err;
  });
  const logDir = path.join(TESTBED.stateDir, 'clients');
  await mkdir(logDir, { recursive: true });
  try {
    const engine = (host: string) => new DockerEngine(cluster.hosts.find((h) => h.name === host)?.dockerSocket ?? '', config.deadlines);
    for (const h of ['h1', 'h2']) await ensureWorkloadImage(engine(h), 'services');
    const id = await engine('h1').createContainer(NAME, { Image: SERVICES_IMAGE, HostConfig: { NetworkMode: config.network.cluster, Memory: 512 * 1024 * 1024 } });
    await engine('h1').startContainer(id);
    const ip = (await engine('h1').inspectContainer(id)).NetworkSettings?.Networks?.[config.network.cluster]?.IPAddress ?? '';
    await sleep(2000);
    o.say(`bench network: services at ${ip}; clients run ${o.stillMs / 1000} s without a move`);
    const still = await clientsDuring(cluster, ip, o, path.join(logDir, 'still'), 'no migration', () => sleep(o.stillMs));
    const moves: NetworkMove[] = [];
    const moving = await clientsDuring(cluster, ip, o, path.join(logDir, 'moving'), o.strategy, async () => {
      let here = 'h1';
      for (let n = 1; n <= o.moves; n++) {
        const to = here === 'h1' ? 'h2' : 'h1';
        const startedAt = Date.now();
        const report = await migrate(NAME, { strategy: o.strategy, cluster: clusterFile(cluster.stateDir), from: here, to });
        moves.push({ n, from: here, to, outcome: report.outcome, startedAt, endedAt: Date.now(), frozenMs: report.frozenMs ?? 0, clientGapMs: report.network?.clientGapMs ?? 0, connections: report.network?.connections ?? { inside: 0, outside: 0 }, redisWaitMs: 0, httpWaitMs: 0 });
        o.say(`bench network: move ${n} ${here} -> ${to}: ${report.outcome}, frozen ${report.frozenMs} ms, gap ${report.network?.clientGapMs} ms${report.error ? `: ${report.error.message}` : ''}`);
        if (report.outcome === 'migrated') here = to;
        await sleep(o.settleMs);
      }
    }, moves);
    return {
      kind: 'ferry-bench-network', startedAt, finishedAt: new Date().toISOString(), strategy: o.strategy,
      machine: `${os.cpus().length} vCPU, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Linux ${os.release()}`,
      still, moving, moves, targets: networkTargets(still, moving, moves),
    };
  } catch (err) {
    await keepLogsAfterFailure(cluster.stateDir, { what: 'bench-network', error: err }, o.say);
    throw err;
  } finally {
    await testbedDown({ config, log: () => undefined });
    await rm(logDir, { recursive: true, force: true });
  }
}

/** Runs the three clients on the client host while `work` runs; reads their logs and the Redis writes back (into `moves`, each move's waits). */
async function clientsDuring(cluster: Cluster, ip: string, o: NetworkBenchOptions, prefix: string, label: string, work: () => Promise<unknown>, moves: NetworkMove[] = []): Promise<NetworkRun> {
  const netns = cluster.client?.netns;
  const logs = { redis: `${prefix}-redis.jsonl`, http: `${prefix}-http.jsonl`, dns: `${prefix}-dns.jsonl` };
  const started = Date.now();
  const clients = [
    start('redis-writer', { host: ip, log: logs.redis, options: { prefix: `${path.basename(prefix)}-`, 'slow-ms': 50 }, ...(netns ? { netns } : {}) }),
    start('http-load', { host: ip, log: logs.http, options: { rate: o.httpRate, connections: 4, 'slow-ms': 50 }, ...(netns ? { netns } : {}) }),
    start('dns-asker', { host: ip, log: logs.dns, ...(netns ? { netns } : {}) }),
  ];
  try {
    await sleep(1500);
    await work();
  } finally {
    for (const c of clients) c.kill('SIGTERM');
    await Promise.all(clients.map((c) => (c.exitCode === null ? Promise.race([once(c, 'exit'), sleep(10_000)]) : Promise.resolve())));
  }
  const text = { redis: await readFile(logs.redis, 'utf8'), http: await readFile(logs.http, 'utf8'), dns: await readFile(logs.dns, 'utf8') };
  const lost = await verifyAcked(ip, REDIS_PORT, text.redis);
  const slow = (t: string): SlowRequest[] => readJsonLines(t).filter((l) => l.ev === 'slow' && typeof l['ms'] === 'number' && typeof l['since'] === 'number').map((l) => ({ ms: l['ms'] as number, since: l['since'] as number }));
  for (const m of moves) {
    m.redisWaitMs = longestWaitIn(slow(text.redis), m.startedAt, m.endedAt);
    m.httpWaitMs = longestWaitIn(slow(text.http), m.startedAt, m.endedAt);
  }
  return { label, durationMs: Date.now() - started, redis: parseRedisLog(text.redis), lost: { checked: lost.checked, missing: lost.missing, mismatched: lost.mismatched }, http: parseHttpLog(text.http), dns: parseDnsLog(text.dns) };
}

/** Starts a client (its log is its only output). */
function start(name: ClientName, launch: Parameters<typeof clientArgv>[1]): ChildProcess {
  const [cmd, ...args] = clientArgv(name, launch);
  return spawn(cmd as string, args, { stdio: 'ignore' });
}
