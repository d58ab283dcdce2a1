/**
 * @module test/integration/testbed.test — starts the real test bed (namespaces, bridge, veths,
 * tbf, one dockerd per host, agents when `ferry agent` is wired in) on its own subnet and state
 * dir, checks it, breaks it uncleanly, brings it up again, and checks that `down` leaves nothing.
 * Needs root.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseConfig } from '../../src/core/config.ts';
import { ensurePrerequisites, installCriuPrefix, probeCriuAt, probeCriuFunction, runDoctor, probeNetem } from '../../src/tools/doctor/index.ts';
import {
  hostProcesses, loadCluster, planFromConfig, repoRoot, setLinkState, testbedDown, testbedStatus, testbedUp, type Cluster,
} from '../../src/tools/testbed/index.ts';
import { keepLogsOnFailure } from '../support/kept-logs.ts';
import { alive } from '../support/processes.ts';

const isRoot = process.getuid?.() === 0;
/** Made by `up`, removed by `down` (not created here, so a skipped run leaves nothing). */
const stateDir = join(tmpdir(), `ferry-it-testbed-${process.pid}`);
const subnet = '10.214.0';
const config = parseConfig({ testbed: { stateDir, subnet, hosts: 2, bandwidthMbit: 100 } });
// A failed test keeps the test bed's logs (agents, dockerds, CRIU) before `after` tears it down.
const logs = keepLogsOnFailure(import.meta.filename, config);
const plan = planFromConfig(config);
const TIMEOUT = { timeout: 180_000 };

/** `ferry agent` is wired into the CLI in this checkout (then the test bed starts agents). */
function agentCommandAvailable(): boolean {
  const root = repoRoot();
  const r = spawnSync(join(root, 'node_modules/node/bin/node'), ['--disable-warning=ExperimentalWarning', join(root, 'src/cmd/ferry/main.ts'), '--help'], { encoding: 'utf8' });
  return /^\s+agent\b/m.test(r.stdout);
}

/** Runs a Node script inside a host's network namespace; resolves with its stdout once it exits. */
function nodeIn(netns: string, script: string, args: string[], onStdout?: (chunk: string) => void): { done: Promise<{ code: number | null; out: string }>; kill: () => void } {
  const child = spawn('nsenter', [`--net=/var/run/netns/${netns}`, process.execPath, '--input-type=module', '-e', script, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => { out += d; onStdout?.(d); });
  const done = new Promise<{ code: number | null; out: string }>((resolve) => child.on('close', (code) => resolve({ code, out })));
  return { done, kill: () => child.kill('SIGKILL') };
}

const SERVER = `
import net from 'node:net';
const [ip, port] = process.argv.slice(-2);
const server = net.createServer((s) => { let n = 0; s.on('data', (d) => { n += d.length; }); s.on('end', () => { s.end('got ' + n); server.close(); }); });
server.listen(Number(port), ip, () => process.stdout.write('listening\\n'));
setTimeout(() => process.exit(3), 30000).unref();
`;

const CLIENT = `
import net from 'node:net';
const [ip, port, bytes, timeout] = process.argv.slice(-4);
const t0 = Date.now();
const s = net.connect({ host: ip, port: Number(port), timeout: Number(timeout) });
let reply = '';
s.on('connect', () => s.end(Buffer.alloc(Number(bytes), 7)));
s.on('data', (d) => { reply += d; });
s.on('end', () => { process.stdout.write(JSON.stringify({ reply, ms: Date.now() - t0 })); });
s.on('timeout', () => { process.stdout.write(JSON.stringify({ error: 'timeout' })); process.exit(0); });
s.on('error', (e) => { process.stdout.write(JSON.stringify({ error: e.code })); process.exit(0); });
`;

/** Sends `bytes` from host `from` to a one-shot server on host `to`; returns the reply or the error. */
async function transfer(from: string, to: string, toIp: string, port: number, bytes: number, timeoutMs = 5000): Promise<{ reply?: string; ms?: number; error?: string }> {
  let listening!: () => void;
  const ready = new Promise<void>((resolve) => { listening = resolve; });
  const server = nodeIn(to, SERVER, [toIp, String(port)], (d) => { if (d.includes('listening')) listening(); });
  await Promise.race([ready, sleep(10_000).then(() => { throw new Error('server in the namespace did not start'); })]);
  const client = await nodeIn(from, CLIENT, [toIp, String(port), String(bytes), String(timeoutMs)]).done;
  server.kill();
  await server.done;
  return JSON.parse(client.out || '{"error":"no output"}') as { reply?: string; ms?: number; error?: string };
}


function ipJsonLinks(): string[] {
  const r = spawnSync('ip', ['-j', 'link', 'show'], { encoding: 'utf8' });
  return (JSON.parse(r.stdout) as Array<{ ifname: string }>).map((l) => l.ifname);
}

/** Every trace of this test bed still on the machine (processes, mounts, namespaces, links, dirs). */
function traces(): string[] {
  const left: string[] = [];
  const netns = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout;
  for (const h of plan.hosts) if (netns.split('\n').some((l) => l.split(' ')[0] === h.netns)) left.push(`netns ${h.netns}`);
  const ours = new Set([plan.bridge, ...plan.hosts.flatMap((h) => [h.vethRoot, h.vethPeer])]);
  for (const l of ipJsonLinks()) if (ours.has(l)) left.push(`link ${l}`);
  const roots = [stateDir, ...plan.hosts.map((h) => h.execRoot)];
  for (const line of readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
    const mp = line.split(' ')[4];
    if (mp && roots.some((r) => mp === r || mp.startsWith(`${r}/`))) left.push(`mount ${mp}`);
  }
  for (const pid of spawnSync('ls', ['/proc'], { encoding: 'utf8' }).stdout.split('\n').filter((p) => /^\d+$/.test(p))) {
    let argv: string[];
    try {
      argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    } catch {
      continue;
    }
    if (!alive(Number(pid))) continue;
    if (argv.some((a) => roots.some((r) => a.includes(r)))) left.push(`process ${pid} ${argv.join(' ')}`);
  }
  for (const h of plan.hosts) if (existsSync(h.execRoot) || existsSync(h.dockerSocket) || existsSync(h.dir)) left.push(`files of ${h.name}`);
  return left;
}

void describe('testbed (integration, needs root)', { skip: isRoot ? false : 'needs root' }, () => {
  const agents = isRoot && agentCommandAvailable();
  let cluster: Cluster;
  const log = (line: string): void => { process.stderr.write(`  [testbed] ${line}\n`); };

  before(async () => {
    await testbedDown({ config });
  });

  after(async () => {
    await logs.keep();
    await testbedDown({ config }).catch((err: unknown) => { process.stderr.write(`cleanup failed: ${String(err)}\n`); });
    rmSync(stateDir, { recursive: true, force: true });
  });

  void it('the doctor finds every prerequisite, and a second --fix does nothing', TIMEOUT, async () => {
    const pre = await ensurePrerequisites({ config, log });
    assert.ok(existsSync(join(pre.criuDir, 'criu')), `criu in ${pre.criuDir}`);
    const again = await runDoctor({ config, fix: true });
    assert.equal(again.ok, true);
    assert.deepEqual(again.actions, ['nothing to fix: everything `--fix` can supply is already present']);
    assert.ok(again.checks.some((c) => c.id === 'criu:mem_dirty_track' && c.status === 'fact'));
    assert.ok(again.checks.some((c) => c.id === 'criu:uffd-noncoop' && c.status === 'fact'));
  });

  void it('CRIU unpacks into a fresh prefix from the newest suite whose CRIU passes the functional probe', TIMEOUT, async () => {
    const prefix = join(mkdtempSync(join(tmpdir(), 'ferry-it-criu-')), 'prefix');
    try {
      const line = await installCriuPrefix(parseConfig({ prerequisites: { criuPrefix: prefix } }), log);
      assert.match(line, /installed CRIU 4\.\d+\.\d+ from .* into .*functional probe passed/);
      const probe = await probeCriuAt(join(prefix, 'bin/criu'));
      assert.equal(probe.usable, true, probe.check.detail);
      assert.ok((probe.version?.major ?? 0) >= 4);
      const functional = await probeCriuFunction(join(prefix, 'bin/criu'), { workDir: join(prefix, '..', 'probe'), timeoutMs: 30_000 });
      assert.equal(functional.ok, true, functional.detail);
    } finally {
      rmSync(join(prefix, '..'), { recursive: true, force: true });
    }
  });

  void it(`up: 2 hosts on ${subnet}, h2 with a 64 MiB disk (agents ${agents ? 'on' : 'off'})`, TIMEOUT, async () => {
    cluster = await testbedUp({ config, agents, smallDisk: { h2: 64 }, log });
    assert.deepEqual(cluster.hosts.map((h) => [h.name, h.ip, h.controlUrl]), [['h1', '10.214.0.11', 'https://10.214.0.11:7070'], ['h2', '10.214.0.12', 'https://10.214.0.12:7070']]);
    assert.deepEqual(await loadCluster(stateDir), cluster);
    assert.equal(statSync(cluster.tokenFile).mode & 0o777, 0o600);
    assert.match(readFileSync(cluster.tokenFile, 'utf8'), /^[0-9a-f]{64}$/);
    const tmpfs = readFileSync('/proc/mounts', 'utf8').split('\n').find((l) => l.split(' ')[1] === cluster.hosts[1]?.dataRoot);
    assert.match(tmpfs ?? '', /^ferry-testbed-h2 \S+ tmpfs .*size=65536k/);
  });

  void it('status: every host healthy, rate 100 Mbit/s on both veth ends, latency limitation reported', TIMEOUT, async () => {
    const s = await testbedStatus({ config });
    assert.equal(s.healthy, true, JSON.stringify(s.hosts));
    for (const h of s.hosts) {
      assert.equal(h.netns, true);
      assert.equal(h.dockerd.ping, true);
      assert.deepEqual(h.rateMbit, { root: 100, host: 100 });
      if (agents) assert.equal(h.agent?.health, true);
    }
    const netem = await probeNetem();
    assert.equal(s.limitations.length > 0, netem.status !== 'ok');
  });

  void it('tc qdisc show lists tbf at the configured rate on both ends', TIMEOUT, () => {
    for (const h of plan.hosts) {
      const root = spawnSync('tc', ['qdisc', 'show', 'dev', h.vethRoot], { encoding: 'utf8' }).stdout;
      const inner = spawnSync('tc', ['-n', h.netns, 'qdisc', 'show', 'dev', 'eth0'], { encoding: 'utf8' }).stdout;
      assert.match(root, /qdisc tbf \S+ root .*rate 100Mbit/);
      assert.match(inner, /qdisc tbf \S+ root .*rate 100Mbit/);
    }
  });

  void it('TCP flows between the host namespaces, at the shaped rate', TIMEOUT, async () => {
    const bytes = 4 * 1024 * 1024;
    const r = await transfer('ferry-0ad600-h1', 'ferry-0ad600-h2', '10.214.0.12', 5601, bytes, 20_000);
    assert.equal(r.reply, `got ${bytes}`, JSON.stringify(r));
    // 32 Mbit through a 100 Mbit/s tbf (125 kB burst) takes at least ~0.3 s
    assert.ok((r.ms ?? 0) >= 250, `4 MiB moved in ${r.ms} ms: not shaped`);
    const back = await transfer('ferry-0ad600-h2', 'ferry-0ad600-h1', '10.214.0.11', 5602, 1000);
    assert.equal(back.reply, 'got 1000', JSON.stringify(back));
  });

  void it('setLinkState down cuts a host off, up restores it', TIMEOUT, async () => {
    await setLinkState('h2', 'down', { stateDir });
    const cut = await transfer('ferry-0ad600-h1', 'ferry-0ad600-h2', '10.214.0.12', 5603, 1000, 1500);
    assert.ok(cut.error, `expected no connection while h2's link is down, got ${JSON.stringify(cut)}`);
    await setLinkState('h2', 'up', { stateDir });
    let ok = false;
    for (let i = 0; i < 20 && !ok; i++) {
      ok = (await transfer('ferry-0ad600-h1', 'ferry-0ad600-h2', '10.214.0.12', 5604 + i, 1000, 1500)).reply === 'got 1000';
      if (!ok) await sleep(250);
    }
    assert.ok(ok, 'h2 reachable again after link up');
  });

  void it('an unclean stop (kill -9 of a dockerd with a running container, cluster.json deleted) is cleaned by the next up', TIMEOUT, async () => {
    const h1 = cluster.hosts[0];
    assert.ok(h1);
    const image = mkdtempSync(join(tmpdir(), 'ferry-it-image-'));
    try {
      spawnSync('mkdir', ['-p', join(image, 'bin')]);
      spawnSync('cp', ['/usr/bin/busybox', join(image, 'bin/busybox')]);
      spawnSync('ln', ['-s', 'busybox', join(image, 'bin/sleep')]);
      const tar = spawn('tar', ['-C', image, '-c', '.'], { stdio: ['ignore', 'pipe', 'inherit'] });
      const imp = spawn('docker', ['-H', `unix://${h1.dockerSocket}`, 'import', '-', 'ferry-it-busybox:1'], { stdio: ['pipe', 'ignore', 'inherit'] });
      tar.stdout.pipe(imp.stdin);
      assert.equal(await new Promise((resolve) => imp.on('close', resolve)), 0, 'docker import');
    } finally {
      rmSync(image, { recursive: true, force: true });
    }
    const run = spawnSync('docker', ['-H', `unix://${h1.dockerSocket}`, 'run', '-d', '--name', 'it-sleeper', 'ferry-it-busybox:1', '/bin/sleep', '3600'], { encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    const before = await hostProcesses('h1', { stateDir });
    assert.equal(before.shims.length, 1);
    const shim = before.shims[0];
    assert.ok(shim && before.dockerd);
    process.kill(before.dockerd, 'SIGKILL');
    rmSync(join(stateDir, 'cluster.json'));
    await sleep(300);

    cluster = await testbedUp({ config, agents, log });
    const s = await testbedStatus({ config });
    assert.equal(s.healthy, true, JSON.stringify(s.hosts));
    assert.equal(alive(shim.pid), false, 'old shim is gone');
    assert.equal(existsSync(`/sys/fs/cgroup/memory/docker/${shim.containerId}`), false, 'old container cgroup is gone');
    assert.deepEqual((await hostProcesses('h1', { stateDir })).shims, []);
  });

  void it('down removes every namespace, process, mount, link and directory of the test bed', TIMEOUT, async () => {
    const removed = await testbedDown({ config });
    assert.ok(removed.some((r) => r.startsWith('netns ferry-0ad600-h1')));
    assert.ok(removed.some((r) => r === 'bridge fybr0ad600'));
    assert.deepEqual(traces(), []);
    assert.equal(existsSync(join(stateDir, 'cluster.json')), false);
    assert.deepEqual(await testbedDown({ config }), [], 'a second down finds nothing');
  });
});
