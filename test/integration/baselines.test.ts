/**
 * @module test/integration/baselines.test — the two baselines of `ferry bench migrate` on a
 * real 2-host test bed (own subnet 10.217.0 and state dir, no agents): Docker's checkpoint +
 * rsync + restore and podman's checkpoint export/import each move the counter (32 MiB of
 * incompressible memory) from h1 to h2, where its heartbeat goes on from where it stopped;
 * afterwards nothing they made is left on either host, also after a failed run. Needs root.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseConfig } from '../../src/core/config.ts';
import { DockerEngine } from '../../src/adapters/docker/engine.ts';
import { podmanPaths, runDockerStopCopy, runPodman, podmanVersion, type BaselineInput, type BaselineResult } from '../../src/tools/bench/baselines/index.ts';
import { listProcesses, planOfCluster, testbedDown, testbedUp, type Cluster } from '../../src/tools/testbed/index.ts';
import { COUNTER_IMAGE, continuity, ensureCounterImage, parseBeats, type Beat } from '../../src/tools/workloads/counter-image.ts';
import { isCode } from '../support/errors.ts';
import { keepLogsOnFailure } from '../support/kept-logs.ts';

const stateDir = path.join(tmpdir(), `ferry-it-baselines-${process.pid}`);
const config = parseConfig({ testbed: { stateDir, subnet: '10.217.0', hosts: 2, bandwidthMbit: 1000 } });
// A failed test keeps the test bed's logs (agents, dockerds, CRIU) before `after` tears it down.
const logs = keepLogsOnFailure(import.meta.filename, config);
const LONG = { timeout: 120_000 };
const BALLAST_MIB = 32;

let cluster: Cluster;

function input(name: string, over: Partial<BaselineInput> = {}): BaselineInput {
  return {
    cluster, from: 'h1', to: 'h2', image: COUNTER_IMAGE, name, env: [`BALLAST_MIB=${BALLAST_MIB}`],
    heartbeatPath: '/data/counter.log', warmupMs: 2000, ...over,
  };
}

/** One counter, no reset or skip, beating before the freeze and again after it. */
function assertHeartbeatContinued(r: BaselineResult): void {
  const beats = parseBeats(r.heartbeat);
  const c = continuity(beats);
  assert.equal(c.continuous, true, c.problem);
  let gapAt = 1;
  for (let i = 1; i < beats.length; i++) {
    const gap = (b: number): number => (beats[b] as Beat).atMs - (beats[b - 1] as Beat).atMs;
    if (gap(i) > gap(gapAt)) gapAt = i;
  }
  assert.ok(gapAt >= 10, `beat ${gapAt} is the freeze: the counter ran during the warm-up`);
  assert.ok(beats.length - gapAt >= 8, `${beats.length - gapAt} beats after the freeze: it runs on the destination`);
  assert.ok(c.longestGapMs <= r.frozenMs + 1000, `the longest silence (${c.longestGapMs} ms) is the freeze (${r.frozenMs} ms)`);
}

function assertMeasured(r: BaselineResult, phases: string[]): void {
  assert.equal(r.problem, undefined);
  assert.ok(r.totalMs > 0 && r.frozenMs > 0 && r.frozenMs <= r.totalMs, `total ${r.totalMs} ms, frozen ${r.frozenMs} ms`);
  assert.deepEqual(Object.keys(r.phases).sort(), [...phases].sort());
  assert.ok(r.wireBytes > BALLAST_MIB * 1024 * 1024 * 0.95, `${r.wireBytes} bytes crossed h1's link (the ballast is incompressible)`);
}

/** Nothing of a run is left: no container, no staging or podman directories, no rsync daemon. */
async function assertNothingLeft(name: string): Promise<void> {
  for (const h of cluster.hosts) {
    assert.equal(await new DockerEngine(h.dockerSocket).findContainer(name), undefined, `no ${name} on ${h.name}`);
  }
  for (const h of planOfCluster(cluster).hosts) {
    const p = podmanPaths(h);
    for (const dir of [path.join(h.dir, `baseline-stopcopy-${name}`), p.base, p.runroot]) assert.equal(existsSync(dir), false, `${dir} is gone`);
  }
  const daemons = (await listProcesses()).filter((p) => p.argv.includes('--daemon') && p.argv.some((a) => a.startsWith(`--config=${stateDir}`)));
  assert.deepEqual(daemons, [], 'no rsync daemon of this test bed runs');
}

before(async () => {
  cluster = await logs.watch(testbedUp({ config, agents: false, log: () => undefined }));
  await ensureCounterImage(new DockerEngine((cluster.hosts[0] as Cluster['hosts'][number]).dockerSocket));
}, LONG);

after(async () => {
  await logs.keep();
  await testbedDown({ config, log: () => undefined });
}, LONG);

describe('baselines of ferry bench migrate', () => {
  it('baseline-stopcopy: docker checkpoint, rsync over the test-bed link, docker start --checkpoint', LONG, async () => {
    const r = await runDockerStopCopy(input('bl-docker'));
    console.log(`baseline-stopcopy: ${JSON.stringify({ ...r, heartbeat: `${parseBeats(r.heartbeat).length} beats` })}`);
    assertMeasured(r, ['checkpoint', 'copy', 'create', 'restore']);
    assert.equal(r.frozenMs, r.totalMs, 'the naive path is frozen from its first step');
    assert.ok((r.footprintBytes ?? 0) >= BALLAST_MIB * 1024 * 1024, `footprint ${r.footprintBytes}`);
    assertHeartbeatContinued(r);
    await assertNothingLeft('bl-docker');
  });

  it('podman: checkpoint --export, rsync over the test-bed link, restore --import', LONG, async () => {
    assert.match(await podmanVersion(), /^\d+\.\d+/);
    const r = await runPodman(input('bl-podman'));
    console.log(`podman: ${JSON.stringify({ ...r, heartbeat: `${parseBeats(r.heartbeat).length} beats` })}`);
    assertMeasured(r, ['checkpoint', 'copy', 'restore']);
    assertHeartbeatContinued(r);
    await assertNothingLeft('bl-podman');
  });

  it('a run that fails at the restore or at the checkpoint removes what it made on both hosts', LONG, async () => {
    // A destination data root where Docker does not look: the checkpoint lands there and the start fails.
    const misplaced = path.join(stateDir, 'elsewhere');
    const broken = { ...cluster, hosts: cluster.hosts.map((h) => (h.name === 'h2' ? { ...h, dataRoot: misplaced } : h)) };
    await assert.rejects(runDockerStopCopy(input('bl-fail', { cluster: broken, warmupMs: 300 })), isCode('FERRY_ERR_RESTORE'));
    await rm(misplaced, { recursive: true, force: true });
    await assertNothingLeft('bl-fail');
    // A counter that cannot get its ballast exits at once: podman's checkpoint fails after the container and the daemon exist.
    await assert.rejects(runPodman(input('bl-fail', { env: ['BALLAST_MIB=100000000'], warmupMs: 300 })), isCode('FERRY_ERR_CHECKPOINT'));
    await assertNothingLeft('bl-fail');
  });
});
