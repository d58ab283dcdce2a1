/**
 * @module tools/bench/baselines/rsync-daemon — the baselines' copy over the test-bed network: an
 * `rsync --daemon` in the destination's namespace, bound to its test-bed address only, that
 * receives into one staging directory; the client pushes from inside the source's namespace,
 * so the bytes cross the source's shaped veth.
 */
import { spawn } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { FerryError } from '../../../core/errors.ts';
import { runOrThrow } from '../../../adapters/host/run.ts';
import { type CommandLine, type HostPlan, terminate } from '../../testbed/index.ts';
import { inNetns, listeningPorts } from './netns.ts';

/** The daemon's one module: the staging directory. */
export const RSYNC_MODULE = 'stage';
/** Ports the daemon picks from (above the test bed's agents, below the ephemeral range). */
export const PORT_RANGE = { min: 20_000, max: 32_000 } as const;
/** rsync flags of every push: archive, hard links, ACLs, xattrs (overlay whiteouts and opaque dirs), numeric owners. */
export const RSYNC_FLAGS = ['-aHAX', '--numeric-ids'] as const;

const READY_TIMEOUT_MS = 10_000;
const PUSH_TIMEOUT_MS = 30 * 60_000;
const START_ATTEMPTS = 3;

/** Where a daemon keeps its files and what it serves. */
export interface RsyncDaemonPlan {
  /** Holds rsyncd.conf and rsyncd.log. */
  workDir: string;
  /** The module's directory: everything pushed lands here. */
  moduleDir: string;
  /** The address it binds to (the destination's test-bed IP). */
  address: string;
  port: number;
  /** The only clients it accepts, as a CIDR (the test-bed subnet). */
  allow: string;
}

/** The daemon's configuration file: one writable module, root-owned files kept as sent, nothing outside `allow`. */
export function rsyncdConfig(plan: RsyncDaemonPlan): string {
  return [
    '# ferry bench baseline: receives one migration, then is stopped by PID',
    `address = ${plan.address}`,
    `port = ${plan.port}`,
    `log file = ${path.join(plan.workDir, 'rsyncd.log')}`,
    'reverse lookup = no',
    'use chroot = yes',
    'numeric ids = yes',
    `[${RSYNC_MODULE}]`,
    `  path = ${plan.moduleDir}`,
    '  read only = no',
    '  uid = 0',
    '  gid = 0',
    `  hosts allow = ${plan.allow}`,
    '  hosts deny = *',
    '',
  ].join('\n');
}

/** The daemon's command line, in the host's namespace, in the foreground (so its PID is the one to stop). */
export function rsyncdCommand(netnsPath: string, configFile: string, address: string, port: number): CommandLine {
  return inNetns(netnsPath, 'rsync', ['--daemon', '--no-detach', `--config=${configFile}`, `--address=${address}`, `--port=${port}`]);
}

/** A push of `source` (a directory ending in '/', or a file) to `url`, from inside the source's namespace. */
export function rsyncPushCommand(netnsPath: string, source: string, url: string): CommandLine {
  return inNetns(netnsPath, 'rsync', [...RSYNC_FLAGS, source, url]);
}

/** A port of PORT_RANGE that nothing listens on, chosen at random. */
export function pickPort(used: ReadonlySet<number>, random: () => number = Math.random): number {
  const span = PORT_RANGE.max - PORT_RANGE.min;
  const start = Math.floor(random() * span);
  for (let i = 0; i < span; i++) {
    const port = PORT_RANGE.min + ((start + i) % span);
    if (!used.has(port)) return port;
  }
  throw new FerryError('FERRY_ERR_TESTBED', `no free TCP port in ${PORT_RANGE.min}..${PORT_RANGE.max} for the rsync daemon`);
}

/** A running daemon. */
export interface RsyncDaemon {
  pid: number;
  /** The rsync URL of a path under the module (a directory when it ends in '/'). */
  url(sub: string): string;
  /** Stops it by its PID (SIGTERM, then SIGKILL). */
  stop(): Promise<void>;
}

/** Starts a daemon in `host`'s namespace on a free port; `allow` is the test-bed subnet as a CIDR. */
export async function startRsyncDaemon(host: HostPlan, dirs: { workDir: string; moduleDir: string }, allow: string): Promise<RsyncDaemon> {
  await mkdir(dirs.workDir, { recursive: true, mode: 0o700 });
  await mkdir(dirs.moduleDir, { recursive: true, mode: 0o700 });
  let lastError = '';
  for (let attempt = 0; attempt < START_ATTEMPTS; attempt++) {
    const plan: RsyncDaemonPlan = { ...dirs, address: host.ip, port: pickPort(await listeningPorts(host.netnsPath)), allow };
    const started = await tryStart(host, plan);
    if (typeof started !== 'string') return started;
    lastError = started;
    if (!/in use/i.test(started)) break;
  }
  throw new FerryError('FERRY_ERR_TESTBED', `rsync --daemon did not start in ${host.netns} on ${host.ip}: ${lastError}`);
}

/** One start on one port: the daemon, or why it did not come up. */
async function tryStart(host: HostPlan, plan: RsyncDaemonPlan): Promise<RsyncDaemon | string> {
  const configFile = path.join(plan.workDir, 'rsyncd.conf');
  await writeFile(configFile, rsyncdConfig(plan), { mode: 0o600 });
  const cmd = rsyncdCommand(host.netnsPath, configFile, plan.address, plan.port);
  const child = spawn(cmd.file, cmd.args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  let exited = false;
  child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
  child.on('exit', () => { exited = true; });
  child.on('error', (err) => { exited = true; stderr += err.message; });
  const pid = child.pid ?? -1;
  const daemon: RsyncDaemon = {
    pid,
    url: (sub) => `rsync://${plan.address}:${plan.port}/${RSYNC_MODULE}/${sub}`,
    stop: async () => {
      if (pid > 0 && !exited) await terminate(pid, 5_000);
    },
  };
  const until = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < until && !exited) {
    if (await accepts(plan.address, plan.port)) return daemon;
    await sleep(50);
  }
  await daemon.stop();
  const log = await readFile(path.join(plan.workDir, 'rsyncd.log'), 'utf8').catch(() => '');
  return (stderr.trim() || log.trim().split('\n').slice(-3).join(' | ') || 'it did not accept connections').slice(0, 500);
}

/** True when a TCP connection to address:port succeeds (the test bed's bridge reaches every host). */
function accepts(address: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.createConnection({ host: address, port, timeout: 1_000 });
    const done = (ok: boolean): void => { socket.destroy(); resolve(ok); };
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
    socket.once('timeout', () => done(false));
  });
}

/** Pushes `source` to `url` from inside a namespace; failures are FERRY_ERR_DATA_LINK. */
export async function rsyncPush(netnsPath: string, source: string, url: string): Promise<void> {
  const cmd = rsyncPushCommand(netnsPath, source, url);
  await runOrThrow('FERRY_ERR_DATA_LINK', cmd.file, cmd.args, 'check the test-bed link and the rsync daemon log', { timeoutMs: PUSH_TIMEOUT_MS });
}
