/**
 * @module test/integration/testbed-capacity.test — a 2-host test bed on 10.220.0 whose hosts
 * offer 0.3 cores each (a CFS quota on each host's own cgroup parent): the cap really holds two
 * `load` containers that want 1000 millicores each to ~300 together, a pre-copy migration
 * restores a container into the other host's cgroup parent with its load log carrying on, and
 * the power hook refuses a host that holds a container and cycles an empty one off and on.
 * Needs root.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseConfig } from '../../src/core/config.ts';
import { DockerEngine } from '../../src/adapters/docker/engine.ts';
import {
  cgroupDirs, dockerPing, hostProcesses, planFromConfig, powerHookArgv, readCpuCap, repoRoot, setHostPower, testbedDown, testbedStatus, testbedUp,
  type Cluster, type HostPlan, repoPaths,
} from '../../src/tools/testbed/index.ts';
import { ensureWorkloadImage, workloadSpec } from '../../src/tools/workloads/catalog.ts';
import { continuity } from '../../src/tools/workloads/heartbeat.ts';
import { meanGot, parseLoadBeats, parseLoadLog, slaShortfallSeconds, type LoadLine } from '../../src/tools/workloads/load-log.ts';
import { codeOf } from '../support/errors.ts';
import { keepLogsOnFailure } from '../support/kept-logs.ts';

const isRoot = process.getuid?.() === 0;
const stateDir = path.join(tmpdir(), `ferry-it-capacity-${process.pid}`);
const subnet = '10.220.0';
const config = parseConfig({ testbed: { stateDir, subnet, hosts: 2, bandwidthMbit: 100, hostCpus: 0.3, hostMemoryMiB: 2048 } });
// A failed test keeps the test bed's logs (agents, dockerds, CRIU) before `after` tears it down.
const logs = keepLogsOnFailure(import.meta.filename, config);
const plan = planFromConfig(config);
const LOAD = workloadSpec('load');
const TIMEOUT = { timeout: 120_000 };
const repo = repoPaths(repoRoot());
const say = (line: string): void => { process.stderr.write(`  [capacity] ${line}\n`); };

/** A host of the plan by name. */
function hostPlan(name: string): HostPlan {
  const h = plan.hosts.find((p) => p.name === name);
  assert.ok(h, name);
  return h;
}

/** The CLI of this checkout loads (and so can run agents, `migrate` and the power hook). */
function cliLoads(): boolean {
  return spawnSync(repo.node, ['--disable-warning=ExperimentalWarning', repo.main, 'agent', '--help'], { encoding: 'utf8' }).status === 0;
}

/** Runs `ferry ARGS` (or a full argv) of this checkout; resolves with its exit code and output. */
function runArgv(argv: readonly string[]): Promise<{ code: number | null; out: string; err: string }> {
  const [file, ...args] = argv;
  const child = spawn(file ?? '', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => { out += d; });
  child.stderr.setEncoding('utf8').on('data', (d: string) => { err += d; });
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, out, err })));
}

void describe('testbed capacity and power (integration, needs root)', { skip: isRoot ? false : 'needs root' }, () => {
  const cli = isRoot && cliLoads();
  let cluster: Cluster;
  const engines = new Map<string, DockerEngine>();
  const engine = (host: string): DockerEngine => engines.get(host) as DockerEngine;

  /** The load log of a container as text, read from its writable layer. */
  async function loadText(host: string, name: string): Promise<string> {
    const upper = (await engine(host).inspectContainer(name)).GraphDriver.Data['UpperDir'] ?? '';
    return readFile(path.join(upper, LOAD.heartbeatPath), 'utf8').catch(() => '');
  }

  async function loadLog(host: string, name: string): Promise<LoadLine[]> {
    return parseLoadLog(await loadText(host, name));
  }

  async function waitLines(host: string, name: string, count: number): Promise<LoadLine[]> {
    const until = Date.now() + 60_000;
    for (;;) {
      const lines = await loadLog(host, name);
      if (lines.length >= count) return lines;
      if (Date.now() > until) assert.fail(`${name} on ${host} logged ${lines.length} lines, not ${count}`);
      await sleep(250);
    }
  }

  async function startLoad(host: string, name: string, millis: number): Promise<void> {
    await engine(host).removeContainer(name);
    const id = await engine(host).createContainer(name, { Image: LOAD.image, Env: [...LOAD.env, `CPU_MILLIS=${millis}`, 'MEM_MIB=16'] });
    await engine(host).startContainer(id);
  }

  /** The cgroup (cpu controller) of a container's main process. */
  async function cpuCgroupOf(host: string, name: string): Promise<string> {
    const pid = (await engine(host).inspectContainer(name)).State.Pid;
    return /^\d+:cpu:(.*)$/m.exec(readFileSync(`/proc/${pid}/cgroup`, 'utf8'))?.[1] ?? '';
  }

  /** Powers a host through its power hook (the agent's argv plus off|on), or the library when the CLI does not load. */
  async function power(host: string, state: 'off' | 'on'): Promise<void> {
    if (!cli) {
      await setHostPower(host, state, { stateDir, config });
      return;
    }
    const r = await runArgv([...powerHookArgv(plan, hostPlan(host), repo), state]);
    assert.equal(r.code, 0, `power hook ${state}: ${r.err}`);
  }

  before(async () => {
    await testbedDown({ config });
  });

  after(async () => {
    await logs.keep();
    await testbedDown({ config }).catch((err: unknown) => { process.stderr.write(`cleanup failed: ${String(err)}\n`); });
    rmSync(stateDir, { recursive: true, force: true });
  });

  void it(`up on ${subnet} with --host-cpus 0.3: a cgroup parent and CFS quota per host, recorded in cluster.json (agents ${cli ? 'on' : 'off'})`, TIMEOUT, async () => {
    cluster = await testbedUp({ config, agents: cli, log: say });
    assert.deepEqual(cluster.hosts.map((h) => [h.name, h.cgroupParent, h.capacity, h.power]), [
      ['h1', '/ferry-0adc00-h1', { cpuMillis: 300, memoryMiB: 2048, networkMbps: 100 }, 'on'],
      ['h2', '/ferry-0adc00-h2', { cpuMillis: 300, memoryMiB: 2048, networkMbps: 100 }, 'on'],
    ]);
    for (const h of plan.hosts) {
      assert.deepEqual(await readCpuCap(h), { quotaUs: 30_000, periodUs: 100_000 });
      const argv = readFileSync(`/proc/${cluster.hosts[h.index - 1]?.pids.dockerd}/cmdline`, 'utf8').split('\0');
      assert.equal(argv[argv.indexOf('--cgroup-parent') + 1], h.cgroupParent);
      engines.set(h.name, new DockerEngine(h.dockerSocket));
    }
    if (cli) {
      const agentArgv = readFileSync(`/proc/${cluster.hosts[0]?.pids.agent}/cmdline`, 'utf8').split('\0');
      assert.deepEqual(JSON.parse(agentArgv[agentArgv.indexOf('--power-hook') + 1] ?? '[]'), powerHookArgv(plan, hostPlan('h1'), repo));
      assert.equal(agentArgv[agentArgv.indexOf('--cgroup-parent') + 1], '/ferry-0adc00-h1');
      assert.equal(agentArgv[agentArgv.indexOf('--capacity-cpu-millis') + 1], '300');
    }
    for (const h of plan.hosts) await ensureWorkloadImage(engine(h.name), 'load');
  });

  void it('two load containers wanting 1000 millicores each on a 0.3-core host get ~300 together', TIMEOUT, async () => {
    await startLoad('h1', 'la', 1000);
    await startLoad('h1', 'lb', 1000);
    assert.equal(await cpuCgroupOf('h1', 'la'), `/ferry-0adc00-h1/${(await engine('h1').inspectContainer('la')).Id}`);
    await waitLines('h1', 'la', 9);
    await waitLines('h1', 'lb', 9);
    // the first seconds include the start of the other container
    const window = async (name: string): Promise<LoadLine[]> => (await loadLog('h1', name)).filter((l) => l.t >= 3 && l.t <= 8);
    const [a, b] = [await window('la'), await window('lb')];
    const total = meanGot(a) + meanGot(b);
    say(`h1 capped at 300 millicores: la got ${meanGot(a).toFixed(0)}, lb got ${meanGot(b).toFixed(0)}, together ${total.toFixed(0)} (each wanted 1000)`);
    assert.ok(total <= 330, `together ${total} millicores, over the 300 cap`);
    assert.ok(total >= 210, `together ${total} millicores, far under the 300 cap (is the machine saturated?)`);
    assert.equal(slaShortfallSeconds(a), a.length, 'every second of la falls short of its demand');
  });

  void it('precopy migration h1 -> h2 restores into h2\'s cgroup parent, and the load log carries on', { ...TIMEOUT, skip: cli ? false : 'the CLI does not load (no agents, no migrate)' }, async () => {
    const before = await loadLog('h1', 'lb');
    const r = await runArgv([repo.node, '--disable-warning=ExperimentalWarning', repo.main, 'migrate', 'lb', '--from', 'h1', '--to', 'h2', '--strategy', 'precopy', '--cluster', path.join(stateDir, 'cluster.json')]);
    assert.equal(r.code, 0, `migrate: ${r.out}\n${r.err}`);
    say(r.out.split('\n').filter((l) => /total|migrated/.test(l)).join(' | '));
    assert.equal(await engine('h1').findContainer('lb'), undefined, 'the source copy is gone');
    const c = await engine('h2').inspectContainer('lb');
    assert.equal(c.State.Running, true);
    assert.equal(await cpuCgroupOf('h2', 'lb'), `/ferry-0adc00-h2/${c.Id}`);
    const after = await waitLines('h2', 'lb', before.length + 6);
    assert.deepEqual(after.slice(0, before.length), before, 'the log came along');
    assert.equal(continuity(parseLoadBeats(await loadText('h2', 'lb'))).continuous, true, 'no restart: t only grows');
    const moved = after.slice(before.length);
    for (let i = 1; i < moved.length; i++) assert.ok((moved[i] as LoadLine).t > (moved[i - 1] as LoadLine).t);
    assert.ok((moved[0]?.t ?? 0) > (before.at(-1)?.t ?? 0), 'elapsed time goes on across the migration');
    say(`lb's log from 2 s before the migration (t:got): ${after.slice(Math.max(0, before.length - 2)).map((l) => `${l.t}:${l.got}`).join(' ')}`);
    // alone on h2, lb gets h2's whole cap; la, alone on h1 now, gets h1's
    const settled = (await waitLines('h2', 'lb', after.length + 4)).slice(-4);
    const la = (await loadLog('h1', 'la')).slice(-4);
    say(`after: lb on h2 got ${meanGot(settled).toFixed(0)}, la on h1 got ${meanGot(la).toFixed(0)}`);
    assert.ok(meanGot(settled) <= 330 && meanGot(settled) >= 200, `lb on h2 got ${meanGot(settled)}`);
    assert.ok(meanGot(la) <= 330 && meanGot(la) >= 200, `la on h1 got ${meanGot(la)}`);
  });

  void it('power off is refused while the host holds a container, and changes nothing', TIMEOUT, async () => {
    const held = cli ? 'h2' : 'h1';
    assert.equal(await codeOf(setHostPower(held, 'off', { stateDir, config })), 'FERRY_ERR_NODE_BUSY');
    if (cli) {
      const hook = await runArgv([...powerHookArgv(plan, hostPlan('h2'), repo), 'off']);
      assert.notEqual(hook.code, 0);
      assert.match(hook.err, /FERRY_ERR_NODE_BUSY: h2 still holds 1 container\(s\): lb \(running\)/);
    }
    assert.equal(await dockerPing(hostPlan(held).dockerSocket), true);
    assert.equal((await testbedStatus({ config })).hosts.every((h) => h.power === 'on'), true);
  });

  void it('an empty host powers off (dockerd and containerd gone, status says so) and on again', TIMEOUT, async () => {
    for (const h of ['h1', 'h2']) for (const name of ['la', 'lb']) await engine(h).removeContainer(name);
    await power('h2', 'off');
    const off = await testbedStatus({ config });
    const h2 = off.hosts.find((h) => h.name === 'h2');
    assert.equal(h2?.power, 'off');
    assert.equal(h2?.dockerd.ping, false);
    assert.equal(off.healthy, true, JSON.stringify(off.hosts));
    const procs = await hostProcesses('h2', { stateDir });
    assert.deepEqual([procs.dockerd, procs.containerd, procs.shims], [null, null, []]);
    assert.equal((await hostProcesses('h1', { stateDir })).dockerd !== null, true, 'h1 stays on');
    await power('h2', 'off');

    const t0 = Date.now();
    await power('h2', 'on');
    say(`h2 powered on in ${Date.now() - t0} ms`);
    const on = await testbedStatus({ config });
    assert.equal(on.hosts.find((h) => h.name === 'h2')?.power, 'on');
    assert.equal(on.healthy, true, JSON.stringify(on.hosts));
    assert.deepEqual(await readCpuCap(hostPlan('h2')), { quotaUs: 30_000, periodUs: 100_000 });
    await startLoad('h2', 'lc', 100);
    assert.match(await cpuCgroupOf('h2', 'lc'), /^\/ferry-0adc00-h2\/[0-9a-f]{64}$/);
    await waitLines('h2', 'lc', 2);
  });

  void it('down removes the hosts\' cgroups with everything else', TIMEOUT, async () => {
    const removed = await testbedDown({ config });
    assert.ok(removed.some((r) => r === 'cgroup /sys/fs/cgroup/cpu/ferry-0adc00-h1'), removed.join('\n'));
    for (const h of plan.hosts) for (const dir of await cgroupDirs(h.cgroupParent)) assert.equal(existsSync(dir), false, dir);
    assert.deepEqual(await testbedDown({ config }), [], 'a second down finds nothing');
  });
});
