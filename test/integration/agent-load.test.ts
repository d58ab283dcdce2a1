/**
 * @module test/integration/agent-load.test — an agent's node API on a real 2-host test bed
 * (subnet 10.221.0, network namespaces, one dockerd each): deploys containers through
 * POST /v1/containers, checks that /v1/metrics shows plausible CPU, memory and network for
 * them and for the node, removes them, and puts the node to sleep and wakes it with a power
 * hook that records its calls — including an agent restarted while asleep, first without an
 * engine at all. The agent is started here (not by the test bed) so that it gets that hook;
 * `ferry agent` is run through its own command module, so that the test does not depend on
 * every other command of the CLI. Needs root.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, openSync, closeSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseConfig } from '../../src/core/config.ts';
import { ControlClient } from '../../src/adapters/http-api/client.ts';
import { DockerEngine } from '../../src/adapters/docker/engine.ts';
import { bedCredentials, planFromConfig, repoRoot, testbedDown, testbedUp } from '../../src/tools/testbed/index.ts';
import { ensureWorkloadImage } from '../../src/tools/workloads/catalog.ts';
import { parseLoadLog } from '../../src/tools/workloads/load-log.ts';
import { ContainerList, DeployAnswer } from '../../src/apps/agent/containers-protocol.ts';
import { HealthAnswer, MetricsAnswer } from '../../src/apps/agent/metrics-protocol.ts';
import { codeOf } from '../support/errors.ts';
import { keepLogsOnFailure } from '../support/kept-logs.ts';

const isRoot = process.getuid?.() === 0;
const SUBNET = '10.221.0';
const stateDir = path.join(tmpdir(), `ferry-it-agent-load-${process.pid}`);
// Each host gets one core, enforced on its cgroup parent; the agent reads the node's CPU there.
const config = parseConfig({ testbed: { stateDir, subnet: SUBNET, hosts: 2, bandwidthMbit: 1000, hostCpus: 1 } });
// A failed test keeps the test bed's logs (agents, dockerds, CRIU) before `after` tears it down.
const logs = keepLogsOnFailure(import.meta.filename, config);
const plan = planFromConfig(config);
const [h1, h2] = plan.hosts;
const EVERY_MS = 1000;
const LONG = { timeout: 120_000 };
const CAPACITY = { cpuMillis: 1000, memoryMiB: 2048, networkMbps: 1000 };

let work: string;
let hookLog: string;
let agent: ChildProcess | undefined;
let listener: ChildProcess | undefined;
let client: ControlClient;
let engine: DockerEngine;

/** `ferry agent` through its own command module (see the module header). */
const LAUNCH = `
const { Command } = await import(${JSON.stringify(pathToFileURL(path.join(repoRoot(), 'node_modules/commander/index.js')).href)});
const { registerAgent } = await import(${JSON.stringify(pathToFileURL(path.join(repoRoot(), 'src/cmd/ferry/commands/agent.ts')).href)});
const program = new Command('ferry');
registerAgent(program);
await program.parseAsync(process.argv.slice(1), { from: 'user' });
`;

/** Starts h1's agent in h1's namespace (its arguments are those the test bed's `down` recognizes) and waits for its health. */
async function startH1Agent(dockerSocket = h1?.dockerSocket ?? ''): Promise<void> {
  if (!h1) throw new Error('no h1 in the plan');
  const log = openSync(path.join(work, 'agent.log'), 'a');
  agent = spawn('nsenter', [`--net=${h1.netnsPath}`, process.execPath, '--disable-warning=ExperimentalWarning', '--input-type=module', '-e', LAUNCH,
    'agent', '--name', h1.name, '--listen', h1.ip, '--control-port', String(h1.controlPort), '--data-port', String(h1.dataPort),
    '--docker-socket', dockerSocket, '--runc-root', `${h1.execRoot}/runtime-runc/moby`, '--state-dir', h1.agentStateDir, '--token-file', plan.tokenFile, '--pki-dir', plan.pkiDir,
    '--capacity-cpu-millis', String(CAPACITY.cpuMillis), '--capacity-memory-mib', String(CAPACITY.memoryMiB), '--capacity-network-mbps', String(CAPACITY.networkMbps),
    '--cgroup-parent', h1.cgroupParent,
    '--power-hook', JSON.stringify([path.join(work, 'hook.sh'), h1.name]),
  ], { stdio: ['ignore', log, log], env: { ...process.env, FERRY_SCHEDULER_SAMPLE_EVERY_MS: String(EVERY_MS) } });
  closeSync(log);
  const child = agent;
  const until = Date.now() + 30_000;
  while (Date.now() < until) {
    if (child.exitCode !== null) break;
    const ok = await client.call('GET', '/v1/health', undefined, 1000).then(() => true, () => false);
    if (ok) return;
    await sleep(200);
  }
  throw new Error(`h1's agent did not become healthy: ${readFileSync(path.join(work, 'agent.log'), 'utf8').slice(-2000)}`);
}

/** Stops h1's agent (SIGTERM) and waits for it to exit. */
async function stopH1Agent(): Promise<void> {
  const child = agent;
  agent = undefined;
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await Promise.race([exited, sleep(10_000).then(() => child.kill('SIGKILL'))]);
  await exited;
}

/** A byte sink on h2, for a container on h1 to send to. */
async function startListener(): Promise<void> {
  if (!h2) throw new Error('no h2 in the plan');
  const script = `import net from 'node:net';
net.createServer((s) => s.resume().on('error', () => {})).listen(9999, ${JSON.stringify(h2.ip)}, () => process.stdout.write('listening\\n'));`;
  listener = spawn('nsenter', [`--net=${h2.netnsPath}`, process.execPath, '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  const out = listener.stdout;
  await new Promise<void>((resolve, reject) => {
    out?.setEncoding('utf8').on('data', (d: string) => { if (d.includes('listening')) resolve(); });
    listener?.once('exit', () => reject(new Error('the listener on h2 exited')));
  });
}

/**
 * Waits until the agent has `n` samples that each show every named container, besides the
 * first that shows them (that one measures each from its start, not over the interval).
 */
async function samplesWith(names: string[], n: number): Promise<MetricsAnswer['samples']> {
  const until = Date.now() + 30_000;
  for (;;) {
    const m = MetricsAnswer.parse(await client.call('GET', '/v1/metrics'));
    const full = m.samples.filter((s) => names.every((name) => s.containers.some((c) => c.name === name)));
    if (full.length > n) return full.slice(-n);
    if (Date.now() > until) assert.fail(`fewer than ${n} samples show ${names.join(', ')}: ${JSON.stringify(m.samples.slice(-2))}`);
    await sleep(EVERY_MS / 2);
  }
}

const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
const hookCalls = (): string[] => (existsSync(hookLog) ? readFileSync(hookLog, 'utf8').trim().split('\n').filter(Boolean) : []);
const say = (line: string): void => { process.stderr.write(`  [agent-load] ${line}\n`); };

void describe('an agent\'s node API: containers, load metrics, power (integration, needs root)', { skip: isRoot ? false : 'needs root' }, () => {
  before(async () => {
    work = mkdtempSync(path.join(tmpdir(), 'ferry-it-agent-load-work-'));
    hookLog = path.join(work, 'hook.log');
    writeFileSync(path.join(work, 'hook.sh'), `#!/bin/sh\necho "$*" >> ${JSON.stringify(hookLog)}\n`);
    chmodSync(path.join(work, 'hook.sh'), 0o755);
    const cluster = await logs.watch(testbedUp({ config, agents: false, log: () => undefined }));
    engine = new DockerEngine(h1?.dockerSocket ?? '');
    client = new ControlClient(h1?.controlUrl ?? '', await bedCredentials(cluster), 60_000);
    await ensureWorkloadImage(engine, 'loop');
    await startH1Agent();
    await startListener();
  }, LONG);

  after(async () => {
    await logs.keep();
    await stopH1Agent();
    listener?.kill('SIGKILL');
    await testbedDown({ config, log: () => undefined });
    rmSync(work, { recursive: true, force: true });
  }, LONG);

  it('deploys through POST /v1/containers: migratable, requests as labels, names and images checked', LONG, async () => {
    const body = { name: 'it-load', image: 'ferry/load:1', env: ['CPU_MILLIS=500', 'MEM_MIB=64'], labels: { 'ferry.app': 'it' }, cpuMillis: 500, memoryMiB: 64 };
    const made = DeployAnswer.parse(await client.call('POST', '/v1/containers', body, 300_000));
    assert.equal(made.name, 'it-load');
    const c = await engine.inspectContainer('it-load');
    assert.equal(c.Id, made.id);
    assert.equal(c.State.Running, true);
    assert.equal(c.Config.Tty, false);
    assert.equal(c.HostConfig.Privileged, false);
    assert.deepEqual([c.HostConfig.NanoCpus, c.HostConfig.CpuQuota, c.HostConfig.Memory], [0, 0, 0], 'requests are not enforced per container');
    assert.deepEqual(c.Config.Labels, { 'ferry.app': 'it', 'ferry.request.cpu-millis': '500', 'ferry.request.memory-mib': '64' });

    const list = ContainerList.parse(await client.call('GET', '/v1/containers'));
    assert.deepEqual(list, [{ name: 'it-load', id: made.id, image: 'ferry/load:1', running: true, labels: c.Config.Labels }]);
    assert.equal(await codeOf(client.call('POST', '/v1/containers', body)), 'FERRY_ERR_NAME_TAKEN');
    const absent = await client.call('POST', '/v1/containers', { name: 'it-absent', image: 'ferry-it/absent:1' }).catch((e: Error) => e);
    assert.match(String(absent), /ferry-it\/absent:1 is not on this node's engine.*never pull/);
    assert.equal(await codeOf(client.call('POST', '/v1/containers', { name: 'it-x', image: 'ferry/loop:1', labels: { app: 'x' } })), 'FERRY_ERR_INVALID_INPUT');
    assert.equal(await engine.findContainer('it-absent'), undefined);
  });

  it('shows plausible CPU, memory and network per container and for the node', LONG, async () => {
    // A sender on h1 (through its docker0 and uplink) to the sink on h2: about 5 MiB every second.
    const send = `trap "exit 0" TERM; while :; do /bin/busybox dd if=/dev/zero bs=65536 count=80 2>/dev/null | /bin/busybox nc ${h2?.ip ?? ''} 9999; /bin/busybox sleep 1; done`;
    const netId = await engine.createContainer('it-net', { Image: 'ferry/loop:1', Cmd: ['/bin/busybox', 'sh', '-c', send], Labels: { 'ferry.app': 'net' } });
    await engine.startContainer(netId);
    const samples = await samplesWith(['it-load', 'it-net'], 4);
    const m = MetricsAnswer.parse(await client.call('GET', '/v1/metrics'));
    assert.deepEqual([m.node, m.power, m.everyMs, m.capacity], ['h1', 'awake', EVERY_MS, CAPACITY]);
    assert.ok(m.samples.length <= 60);
    const seqs = m.samples.map((s) => s.seq);
    assert.deepEqual(seqs, seqs.map((_, i) => (seqs[0] ?? 0) + i), 'consecutive, oldest first');

    const of = (name: string) => samples.map((s) => s.containers.find((c) => c.name === name)).filter((c) => c !== undefined);
    const load = { cpu: mean(of('it-load').map((c) => c.cpuMillis)), mem: mean(of('it-load').map((c) => c.memoryMiB)) };
    const net = { cpu: mean(of('it-net').map((c) => c.cpuMillis)), mbps: mean(of('it-net').map((c) => c.networkMbps)) };
    const node = { cpu: mean(samples.map((s) => s.node.cpuMillis)), mem: mean(samples.map((s) => s.node.memoryMiB)), mbps: mean(samples.map((s) => s.node.networkMbps)) };
    say(`it-load (CPU_MILLIS=500, MEM_MIB=64): ${load.cpu.toFixed(1)} millicores, ${load.mem.toFixed(1)} MiB`);
    say(`it-net (5 MiB/s to h2): ${net.mbps.toFixed(2)} Mbit/s, ${net.cpu.toFixed(1)} millicores`);
    say(`node h1: ${node.cpu.toFixed(1)} millicores, ${node.mem.toFixed(1)} MiB, ${node.mbps.toFixed(2)} Mbit/s on its uplink`);
    say(`last sample: ${JSON.stringify(samples.at(-1))}`);

    // The workload logs the CPU its own process clock says it got each second: the agent's cgroup reading must agree.
    const upper = (await engine.inspectContainer('it-load')).GraphDriver.Data['UpperDir'] ?? '';
    const got = mean(parseLoadLog(readFileSync(path.join(upper, 'data/load.log'), 'utf8')).slice(-samples.length).map((l) => l.got));
    say(`it-load's own log: got ${got.toFixed(1)} millicores over its last ${samples.length} seconds`);
    assert.ok(load.cpu > 250 && load.cpu < 650, `the load container burns up to its 500 millicores (${load.cpu})`);
    assert.ok(Math.abs(load.cpu - got) < 0.15 * got + 30, `the agent's ${load.cpu} millicores match the ${got} the workload says it got`);
    assert.ok(load.mem > 60 && load.mem < 100, `the load container holds about its 64 MiB (${load.mem})`);
    assert.deepEqual(of('it-load')[0]?.labels, { 'ferry.app': 'it', 'ferry.request.cpu-millis': '500', 'ferry.request.memory-mib': '64' });
    assert.ok(net.mbps > 5, `the sender moves traffic (${net.mbps} Mbit/s)`);
    assert.ok(node.mbps > net.mbps * 0.9 && node.mbps < net.mbps * 1.5 + 1, `the uplink carries the sender's traffic once, not thrice (${node.mbps} vs ${net.mbps})`);
    assert.ok(existsSync(`/sys/fs/cgroup/cpuacct${h1?.cgroupParent ?? ''}/cpuacct.usage`), 'the host\'s containers run under its cgroup parent');
    assert.ok(Math.abs(node.cpu - (load.cpu + net.cpu)) < 0.1 * node.cpu + 10, `the cgroup parent's CPU is about the sum of its containers' (${node.cpu} vs ${load.cpu + net.cpu})`);
    assert.ok(Math.abs(node.mem - load.mem - mean(of('it-net').map((c) => c.memoryMiB))) < 1, 'the node memory is the sum of its containers');
  });

  it('refuses sleep while containers exist; removes them with DELETE; then sleeps, refusing engine routes', LONG, async () => {
    assert.equal(await codeOf(client.call('POST', '/v1/power', { state: 'sleep' })), 'FERRY_ERR_NODE_BUSY');
    assert.deepEqual(hookCalls(), [], 'the hook did not run');
    const loadId = (await engine.inspectContainer('it-load')).Id;
    assert.deepEqual(await client.call('DELETE', '/v1/containers/it-load'), { name: 'it-load', id: loadId });
    assert.equal(await codeOf(client.call('DELETE', '/v1/containers/it-load')), 'FERRY_ERR_UNKNOWN_CONTAINER');
    assert.equal(await codeOf(client.call('POST', '/v1/power', { state: 'sleep' })), 'FERRY_ERR_NODE_BUSY', 'it-net is still there');
    await client.call('DELETE', '/v1/containers/it-net');
    assert.deepEqual(await client.call('GET', '/v1/containers'), []);
    assert.deepEqual(await engine.listContainers(true), [], 'gone from the engine');

    assert.deepEqual(await client.call('POST', '/v1/power', { state: 'sleep' }), { name: 'h1', power: 'sleeping' });
    assert.deepEqual(await client.call('POST', '/v1/power', { state: 'sleep' }), { name: 'h1', power: 'sleeping' }, 'idempotent');
    assert.deepEqual(hookCalls(), ['h1 off']);
    assert.deepEqual(HealthAnswer.parse(await client.call('GET', '/v1/health')), { name: 'h1', ok: true, power: 'sleeping' });
    for (const [method, p] of [['GET', '/v1/containers'], ['GET', '/v1/migrations'], ['GET', '/v1/incoming/m-x'], ['GET', '/v1/protections'], ['GET', '/v1/host']] as const) {
      assert.equal(await codeOf(client.call(method, p)), 'FERRY_ERR_NODE_ASLEEP', `${method} ${p}`);
    }
    await sleep(EVERY_MS * 2.5);
    const later = MetricsAnswer.parse(await client.call('GET', '/v1/metrics'));
    assert.equal(later.power, 'sleeping');
    assert.deepEqual(later.samples, [], 'the samples from before the sleep are forgotten, and none are taken while asleep');
  });

  it('an agent restarted while asleep starts asleep, even without an engine, and wakes with the hook', LONG, async () => {
    await stopH1Agent();
    await startH1Agent('/run/ferry/no-such-engine.sock');
    assert.equal(HealthAnswer.parse(await client.call('GET', '/v1/health')).power, 'sleeping');
    assert.equal(MetricsAnswer.parse(await client.call('GET', '/v1/metrics')).power, 'sleeping');
    assert.equal(await codeOf(client.call('GET', '/v1/containers')), 'FERRY_ERR_NODE_ASLEEP');
    await stopH1Agent();

    await startH1Agent();
    assert.equal(HealthAnswer.parse(await client.call('GET', '/v1/health')).power, 'sleeping');
    await sleep(EVERY_MS * 2.5);
    assert.deepEqual(MetricsAnswer.parse(await client.call('GET', '/v1/metrics')).samples, [], 'a restarted agent that sleeps samples nothing');
    assert.deepEqual(await client.call('POST', '/v1/power', { state: 'wake' }), { name: 'h1', power: 'awake' });
    assert.deepEqual(await client.call('POST', '/v1/power', { state: 'wake' }), { name: 'h1', power: 'awake' }, 'idempotent');
    assert.deepEqual(hookCalls(), ['h1 off', 'h1 on']);
    assert.equal((JSON.parse(readFileSync(path.join(h1?.agentStateDir ?? '', 'power.json'), 'utf8')) as { state: string }).state, 'awake');
    assert.deepEqual(await client.call('GET', '/v1/containers'), [], 'engine routes are served again');
    await samplesWith([], 1); // sampling resumed
  });
});
