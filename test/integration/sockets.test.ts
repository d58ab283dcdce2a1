/**
 * @module test/integration/sockets.test — a server that holds sockets moves with every
 * strategy on a real 2-host test bed: its process listens on TCP and UDP, holds a connected
 * unix socket pair with a message queued in it and 16 MiB of memory (workloads/sockets.c).
 * After each migration a client in the container's network namespace asks it over TCP to
 * check itself: the same process, the same memory, the queued unix message still there, the
 * UDP socket still receiving, and a counter that went on. Needs root and CRIU >= 4.2 (4.1
 * cannot dump an inet socket on kernels >= 6.16).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readFile, rm, rmdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseConfig } from '../../src/core/config.ts';
import { DockerEngine } from '../../src/adapters/docker/engine.ts';
import { run } from '../../src/adapters/host/run.ts';
import { testbedDown, testbedUp, type Cluster, clusterFile } from '../../src/tools/testbed/index.ts';
import { migrate } from '../../src/apps/cli/migrate-client.ts';
import { helperBinary, judgeRestore, parseSocketsAnswer, type SocketsAnswer } from '../../src/tools/doctor/index.ts';
import { ensureWorkloadImage, workloadSpec } from '../../src/tools/workloads/catalog.ts';
import { continuity, parseBeats } from '../../src/tools/workloads/heartbeat.ts';
import { keepLogsOnFailure } from '../support/kept-logs.ts';

const stateDir = path.join(tmpdir(), `ferry-it-sockets-${process.pid}`);
const config = parseConfig({ testbed: { stateDir, subnet: '10.225.0', hosts: 2, bandwidthMbit: 1000 } });
// A failed test keeps the test bed's logs (agents, dockerds, CRIU) before `after` tears it down.
const logs = keepLogsOnFailure(import.meta.filename, config);
const LONG = { timeout: 240_000 };
const SOCKETS = workloadSpec('sockets');
process.env['FERRY_MIGRATION_LINK_TIMEOUT_MS'] = '5000';
process.env['FERRY_MIGRATION_VERIFY_MS'] = '500';
// prestore: a directory store every test-bed host sees (they share this machine's file system).
process.env['FERRY_STORE_KIND'] = 'directory';
process.env['FERRY_STORE_DIR'] = path.join(stateDir, 'store');

let cluster: Cluster;
let client: string;
const engines: Record<string, DockerEngine> = {};
const engine = (host: string) => engines[host] as DockerEngine;

/** Asks the server in a container to check itself, from a client in the container's network namespace. */
async function check(host: string, name: string): Promise<SocketsAnswer> {
  const pid = (await engine(host).inspectContainer(name)).State.Pid;
  const r = await run('nsenter', ['-t', String(pid), '-n', client, 'check', '127.0.0.1', '7000'], { timeoutMs: 15_000 });
  const answer = parseSocketsAnswer(r.stdout);
  assert.ok(answer, `no answer from ${name} on ${host}: ${r.stdout}${r.stderr}${r.failure ?? ''}`);
  return answer;
}

async function beats(host: string, name: string) {
  const upper = (await engine(host).inspectContainer(name)).GraphDriver.Data['UpperDir'] ?? '';
  return parseBeats(await readFile(path.join(upper, SOCKETS.heartbeatPath), 'utf8').catch(() => ''));
}

before(async () => {
  await mkdir(path.join(stateDir, 'store'), { recursive: true });
  client = await helperBinary('sockets', path.join(config.prerequisites.probeDir, 'bin'));
  cluster = await logs.watch(testbedUp({ config, log: () => undefined }));
  for (const h of cluster.hosts) engines[h.name] = new DockerEngine(h.dockerSocket);
  for (const h of cluster.hosts) await ensureWorkloadImage(engine(h.name), 'sockets');
}, LONG);

after(async () => {
  await logs.keep();
  await testbedDown({ config, log: () => undefined });
  await rm(path.join(stateDir, 'store'), { recursive: true, force: true });
  await rmdir(stateDir).catch(() => undefined); // only when nothing else is left in it
}, LONG);

describe('a server holding TCP, UDP and unix sockets', () => {
  for (const strategy of ['stop-copy', 'precopy', 'prestore', 'postcopy'] as const) {
    it(`moves with --strategy ${strategy}, every socket and its memory intact`, LONG, async () => {
      const name = `sockets-${strategy}`;
      await engine('h1').removeContainer(name);
      const id = await engine('h1').createContainer(name, { Image: SOCKETS.image, Env: [...SOCKETS.env] });
      await engine('h1').startContainer(id);
      const until = Date.now() + 30_000;
      while ((await beats('h1', name)).length < 10) {
        if (Date.now() > until) assert.fail(`${name} did not start beating`);
        await sleep(200);
      }
      const before = await check('h1', name);
      assert.equal(before.ok, true, JSON.stringify(before));
      const report = await migrate(name, { from: 'h1', to: 'h2', strategy, cluster: clusterFile(stateDir) });
      assert.equal(report.outcome, 'migrated', JSON.stringify(report.error));
      assert.equal(await engine('h1').findContainer(name), undefined, 'the source copy is gone');
      const after = await check('h2', name);
      assert.equal(judgeRestore(before, after), null);
      assert.ok(after.count > before.count, `the counter went on (${before.count} → ${after.count})`);
      await sleep(500);
      const c = continuity(await beats('h2', name));
      assert.equal(c.continuous, true, c.problem);
      await engine('h2').removeContainer(name);
    });
  }
});
