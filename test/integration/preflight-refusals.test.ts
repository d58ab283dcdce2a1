/**
 * @module test/integration/preflight-refusals.test — what the freeze would fail on is refused
 * at preflight, before any round or byte, on a real 2-host test bed (subnet 10.218.0, its own
 * state dir): a container whose process runs as uid 1000 when the agent lacks
 * CAP_SYS_RESOURCE; the message names the process and the fix, the container runs on
 * untouched on the source and the destination has nothing. A container holding an
 * established TCP connection inside it (a busybox nc pair on loopback), refused here until
 * connections moved, now moves with every strategy, the connection still established. Needs root.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, mkdir, readFile, rm, rmdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseConfig } from '../../src/core/config.ts';
import { DockerEngine } from '../../src/adapters/docker/engine.ts';
import { testbedDown, testbedUp, loadCluster, type Cluster, clusterFile } from '../../src/tools/testbed/index.ts';
import { migrate } from '../../src/apps/cli/migrate-client.ts';
import { readContainerProcesses } from '../../src/adapters/host/container-processes.ts';
import { CAP_SYS_RESOURCE, hasCap, parseProcStatus } from '../../src/adapters/host/proc-status.ts';
import { processTree } from '../../src/adapters/process-memory/process-tree.ts';
import type { MigrationReport } from '../../src/domain/migration/report.ts';
import { COUNTER_IMAGE, continuity, ensureCounterImage } from '../../src/tools/workloads/counter-image.ts';
import { beatsOf, waitForBeats } from '../../src/tools/demo/demo.ts';
import { keepLogsOnFailure } from '../support/kept-logs.ts';

const stateDir = path.join(tmpdir(), `ferry-it-preflight-${process.pid}`);
const config = parseConfig({ testbed: { stateDir, subnet: '10.218.0', hosts: 2, bandwidthMbit: 1000 } });
// A failed test keeps the test bed's logs (agents, dockerds, CRIU) before `after` tears it down.
const logs = keepLogsOnFailure(import.meta.filename, config);
const LONG = { timeout: 240_000 };
// prestore: a directory store every test-bed host sees (they share this machine's file system).
process.env['FERRY_STORE_KIND'] = 'directory';
process.env['FERRY_STORE_DIR'] = path.join(stateDir, 'store');

let cluster: Cluster;
let file: string;
const engines: Record<string, DockerEngine> = {};
const engine = (host: string) => engines[host] as DockerEngine;

// The counter, plus a loopback TCP connection inside the container that stays open: each nc
// reads from a `sleep`, so its stdin never ends.
const NC_PAIR = 'sleep 3600 | busybox nc -l -p 9000 >/dev/null & sleep 1; sleep 3600 | busybox nc 127.0.0.1 9000 >/dev/null & exec /bin/counter';

/** The container's connected TCP sockets (state ESTABLISHED), as the agent's preflight reads them. */
async function established(name: string, host = 'h1'): Promise<string[]> {
  const c = await readContainerProcesses(await processTree((await engine(host).inspectContainer(name)).State.Pid));
  const held = new Set(c.processes.flatMap((p) => p.fds.map((f) => /^socket:\[(\d+)\]$/.exec(f.target)?.[1]).filter(Boolean).map(Number)));
  return c.tcp.filter((s) => s.state === 1 && held.has(s.inode)).map((s) => `${s.local} → ${s.remote}`);
}

/** Refused at preflight: nothing sent, no round, the source untouched, nothing on the destination. */
async function assertRefusedUntouched(report: MigrationReport, name: string, startedAt: string): Promise<void> {
  assert.equal(report.outcome, 'rolled-back');
  assert.deepEqual(report.phases.map((p) => p.phase), ['preflight'], 'refused before stage, any round or the stop');
  assert.equal(report.bytes.wireBytes, 0, 'not a byte sent');
  assert.equal(report.precopy?.rounds?.length ?? 0, 0, 'no pre-copy round');
  assert.equal(report.prestore?.uploadedBytes ?? 0, 0, 'nothing uploaded to the store');
  const c = await engine('h1').inspectContainer(name);
  assert.equal(c.State.Running, true);
  assert.equal(c.State.Paused, false, 'never frozen');
  assert.equal(c.State.StartedAt, startedAt, 'never restarted');
  const before = (await beatsOf(engine('h1'), name)).at(-1)?.n ?? 0;
  await sleep(600);
  const beats = continuity(await beatsOf(engine('h1'), name));
  assert.equal(beats.continuous, true, beats.problem);
  assert.ok(beats.last > before, 'the counter goes on');
  assert.equal(await engine('h2').findContainer(name), undefined, 'no container on the destination');
  assert.equal(await engine('h2').findImage(COUNTER_IMAGE), undefined, 'no image sent to the destination');
}

before(async () => {
  await mkdir(path.join(stateDir, 'store'), { recursive: true });
  cluster = await logs.watch(testbedUp({ config, log: () => undefined }));
  file = clusterFile(cluster.stateDir);
  for (const h of cluster.hosts) engines[h.name] = new DockerEngine(h.dockerSocket);
  await ensureCounterImage(engine('h1'));
}, LONG);

after(async () => {
  await logs.keep();
  await testbedDown({ config, log: () => undefined });
  await rm(path.join(stateDir, 'store'), { recursive: true, force: true });
  await rmdir(stateDir).catch(() => undefined); // only when nothing else (kept logs) is left in it
}, LONG);

describe('preflight refuses what the freeze would fail on (and lets connections move)', () => {
  it('a process under uid 1000 when the agent lacks CAP_SYS_RESOURCE (skipped where the agent holds it: CRIU can then dump it)', LONG, async (t) => {
    const agentPid = (await loadCluster(stateDir)).hosts.find((h) => h.name === 'h1')?.pids.agent;
    assert.ok(agentPid, 'h1 has an agent');
    const agent = parseProcStatus(await readFile(`/proc/${agentPid}/status`, 'utf8'));
    assert.ok(agent);
    if (hasCap(agent.capEff, CAP_SYS_RESOURCE)) {
      t.skip('the agent has CAP_SYS_RESOURCE here, so CRIU can dump a non-root process and preflight rightly lets it pass');
      return;
    }
    const name = 'unprivileged';
    await engine('h1').removeContainer(name);
    const id = await engine('h1').createContainer(name, { Image: COUNTER_IMAGE, Env: ['BALLAST_MIB=8'], User: '1000' });
    // Give uid 1000 a writable /data for its heartbeat: the upper directory wins over the image's root-owned one.
    const data = path.join((await engine('h1').inspectContainer(id)).GraphDriver.Data['UpperDir'] ?? '', 'data');
    await mkdir(data, { recursive: true });
    await chmod(data, 0o777);
    await engine('h1').startContainer(id);
    await waitForBeats(engine('h1'), name, 8);
    const startedAt = (await engine('h1').inspectContainer(name)).State.StartedAt;
    const t0 = Date.now();
    const report = await migrate(name, { strategy: 'precopy', cluster: file, from: 'h1', to: 'h2' });
    const ms = Date.now() - t0;
    assert.equal(report.error?.code, 'FERRY_ERR_CRIU_UNSUPPORTED', JSON.stringify(report.error));
    assert.match(report.error?.message ?? '', /process \d+ \(counter\) runs as uid 1000\/1000\/1000 gid 0\/0\/0/);
    assert.match(report.error?.message ?? '', /CAP_SYS_RESOURCE.*\[rule non-root-without-cap-sys-resource\]\. Fix: .*--user 0/);
    await assertRefusedUntouched(report, name, startedAt);
    console.log(`# refused in ${ms} ms: ${report.error?.message}`);
    await engine('h1').removeContainer(name);
  });
  // Last: it sends the counter image to h2, which the refusal above checks is never sent.
  it('an established TCP connection inside the container (loopback) is no longer refused: it moves with every strategy, still established', LONG, async () => {
    const name = 'talker';
    await engine('h1').removeContainer(name);
    const id = await engine('h1').createContainer(name, { Image: COUNTER_IMAGE, Env: ['BALLAST_MIB=8'], Cmd: ['/bin/sh', '-c', NC_PAIR] });
    await engine('h1').startContainer(id);
    await waitForBeats(engine('h1'), name, 8);
    const until = Date.now() + 15_000;
    while ((await established(name)).length < 2) {
      if (Date.now() > until) assert.fail(`the nc pair in ${name} did not connect: ${(await established(name)).join(', ')}`);
      await sleep(200);
    }
    const pair = (await established(name)).sort();
    let here = 'h1';
    for (const strategy of ['stop-copy', 'precopy', 'prestore'] as const) {
      const to = here === 'h1' ? 'h2' : 'h1';
      const report = await migrate(name, { strategy, cluster: file, from: here, to });
      assert.equal(report.outcome, 'migrated', `${strategy}: ${JSON.stringify(report.error)}`);
      assert.deepEqual(report.network?.connections, { inside: 2, outside: 0 }, `${strategy}: both ends of the pair were carried`);
      assert.deepEqual((await established(name, to)).sort(), pair, `${strategy}: the same connection, still established`);
      console.log(`# ${strategy} ${here} -> ${to}: moved with its loopback connection, frozen ${report.frozenMs} ms`);
      here = to;
    }
    await engine(here).removeContainer(name);
  });
});
