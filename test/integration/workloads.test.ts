/**
 * @module test/integration/workloads.test — the benchmark workloads on a real test-bed host:
 * builds the stream, loop and compile images without a registry (from the cache when warm),
 * runs each, and reads each heartbeat from the container's writable layer as an outside probe
 * would: it advances, continuously, at 10 beats a second or more. The stream answers SIGUSR1
 * with a "verify ... ok" line; the compile workload finishes a real build. Needs root.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseConfig } from '../../src/core/config.ts';
import { DockerEngine } from '../../src/adapters/docker/engine.ts';
import { testbedDown, testbedUp, type Cluster } from '../../src/tools/testbed/index.ts';
import { ensureWorkloadImage, workloadSpec } from '../../src/tools/workloads/catalog.ts';
import type { WorkloadName } from '../../src/tools/workloads/workload-types.ts';
import { beatRate, continuity, type Beat } from '../../src/tools/workloads/heartbeat.ts';
import { parseStreamVerifies } from '../../src/tools/workloads/stream-log.ts';
import { keepLogsOnFailure } from '../support/kept-logs.ts';

const isRoot = process.getuid?.() === 0;
const config = parseConfig({ testbed: { stateDir: '/var/lib/ferry/tb-workloads', subnet: '10.216.0', hosts: 2, bandwidthMbit: 1000 } });
// A failed test keeps the test bed's logs (agents, dockerds, CRIU) before `after` tears it down.
const logs = keepLogsOnFailure(import.meta.filename, config);
/** A cold build of the compile image runs debootstrap: minutes, not seconds. */
const BUILD = { timeout: 15 * 60_000 };
const RUN = { timeout: 180_000 };
const NAMES: readonly WorkloadName[] = ['stream', 'loop', 'compile'];
/** Small settings, so the test is quick: the stream holds 64 MiB. */
const ENV: Record<string, string[]> = { stream: ['STREAM_MIB=64', 'DIRTY_MBPS=20'], loop: [], compile: ['JOBS=2'] };

let cluster: Cluster;
let engine: DockerEngine;
const say = (line: string): void => { process.stderr.write(`  [workloads] ${line}\n`); };

/** A file of the container, read from its writable layer on the host. */
async function layerFile(name: string, inside: string): Promise<string> {
  const upper = (await engine.inspectContainer(name)).GraphDriver.Data['UpperDir'] ?? '';
  return readFile(path.join(upper, inside), 'utf8').catch(() => '');
}

async function beatsOf(name: WorkloadName): Promise<Beat[]> {
  const w = workloadSpec(name);
  return w.parse(await layerFile(`wl-${name}`, w.heartbeatPath));
}

/** Polls `probe` until it returns a value, or fails naming `what`. */
async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > until) assert.fail(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(250);
  }
}

void describe('workload images (integration, needs root)', { skip: isRoot ? false : 'needs root' }, () => {
  before(async () => {
    cluster = await logs.watch(testbedUp({ config, agents: false, log: say }));
    engine = new DockerEngine(cluster.hosts[0]?.dockerSocket ?? '');
  });

  after(async () => {
    await logs.keep();
    await testbedDown({ config }).catch((err: unknown) => { say(`cleanup failed: ${String(err)}`); });
  });

  void it('builds the stream, loop and compile images; a second ensure finds them; a removed one comes from the cache', BUILD, async () => {
    for (const name of NAMES) {
      const t0 = Date.now();
      const source = await ensureWorkloadImage(engine, name, { log: say });
      say(`${workloadSpec(name).image}: ${source} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
      assert.notEqual(source, 'present', 'a fresh test-bed engine has no workload image');
      assert.ok(await engine.findImage(workloadSpec(name).image));
      assert.equal(await ensureWorkloadImage(engine, name), 'present');
    }
    const rmi = spawnSync('docker', ['-H', `unix://${cluster.hosts[0]?.dockerSocket ?? ''}`, 'rmi', workloadSpec('loop').image], { encoding: 'utf8' });
    assert.equal(rmi.status, 0, rmi.stderr);
    assert.equal(await ensureWorkloadImage(engine, 'loop'), 'cache');
  });

  void it('each workload beats in its writable layer, continuously, at 10 beats a second or more', RUN, async () => {
    for (const name of NAMES) {
      const w = workloadSpec(name);
      await engine.removeContainer(`wl-${name}`);
      const id = await engine.createContainer(`wl-${name}`, { Image: w.image, Env: [...w.env, ...(ENV[name] ?? [])], Labels: { 'ferry.test': 'workloads' } });
      await engine.startContainer(id);
    }
    const first = new Map<WorkloadName, number>();
    for (const name of NAMES) first.set(name, await waitFor(`${name} to beat`, async () => (await beatsOf(name)).at(-1)?.n, 30_000));
    await sleep(3000);
    for (const name of NAMES) {
      const beats = await beatsOf(name);
      const c = continuity(beats);
      const rate = beatRate(beats);
      say(`${name}: ${beats.length} beats, ${rate.toFixed(2)} per second, longest silence ${c.longestGapMs} ms`);
      assert.equal(c.continuous, true, `${name}: ${c.problem}`);
      assert.ok(c.last >= (first.get(name) ?? 0) + 30, `${name}'s heartbeat advanced from ${first.get(name)} to ${c.last} in 3 s`);
      assert.ok(rate >= 10, `${name} beats ${rate.toFixed(2)} times a second`);
    }
  });

  void it('stream: SIGUSR1 appends a "verify ... ok" line (the kept checksum matches memory)', RUN, async () => {
    const verifyPath = workloadSpec('stream').verifyPath ?? '';
    const before = parseStreamVerifies(await layerFile('wl-stream', verifyPath)).length;
    await engine.signalContainer('wl-stream', 'SIGUSR1');
    const check = await waitFor('a verify line', async () => parseStreamVerifies(await layerFile('wl-stream', verifyPath))[before], 20_000);
    say(`stream: verify ${check.n} ${check.checksum} ${check.recomputed} ${check.ok ? 'ok' : 'MISMATCH'}`);
    assert.equal(check.ok, true);
    assert.equal((await engine.inspectContainer('wl-stream')).State.Running, true, 'the signal did not stop the stream');
  });

  void it('compile: make -j2 builds the code base to the end, and the heartbeat beats through it', RUN, async () => {
    const build = await waitFor('a finished build', async () => (await layerFile('wl-compile', '/data/builds.log')).split('\n').find((l) => l.trim() !== ''), 150_000);
    const [round, start, end, status] = build.split(' ');
    say(`compile: build ${round} took ${((Number(end) - Number(start)) / 1000).toFixed(1)} s: ${status}`);
    assert.equal(status, 'ok', (await layerFile('wl-compile', '/data/make.log')).split('\n').slice(-20).join('\n'));
    const beats = await beatsOf('compile');
    const c = continuity(beats);
    assert.equal(c.continuous, true, c.problem);
    say(`compile: ${beatRate(beats).toFixed(2)} beats per second over the build, longest silence ${c.longestGapMs} ms`);
    assert.ok(beatRate(beats) >= 10);
    for (const name of NAMES) await engine.removeContainer(`wl-${name}`);
  });
});
