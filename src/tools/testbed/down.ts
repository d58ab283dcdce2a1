/**
 * @module tools/testbed/down — removes exactly what `testbed up` made, from cluster.json when it is
 * there and from the plan's names, PID files and exact process arguments when it is not.
 */
import { access, readFile, readdir, rm, rmdir } from 'node:fs/promises';
import { FerryError } from '../../core/errors.ts';
import { loadConfig, type Config } from '../../core/config.ts';
import { run } from '../../adapters/host/run.ts';
import { killAgent } from './agent.ts';
import { cgroupDirs, removeCgroup } from './cgroup.ts';
import { tryLoadCluster, type Cluster } from './cluster.ts';
import { recognize } from './commands.ts';
import { stopDockerd } from './dockerd.ts';
import { deleteNet, netnsExists, rootLinks } from './net.ts';
import { mountsUnder, parseMountinfo } from './parse.ts';
import { cleanupPlan, RUN_DIR, type HostPlan, type TestbedPlan } from './plan.ts';
import { listProcesses } from './procs.ts';

/** Options of {@link testbedDown}. */
export interface DownOptions {
  config?: Config;
  /** Defaults to testbed.stateDir. */
  stateDir?: string;
  /** Subnet to derive names from when cluster.json is missing (defaults to testbed.subnet). */
  subnet?: string;
  log?: (line: string) => void;
}

/** Stops and removes the test bed of a state dir; returns one line per thing removed (empty: nothing was there). */
export async function testbedDown(options: DownOptions = {}): Promise<string[]> {
  const config = options.config ?? loadConfig();
  const stateDir = options.stateDir ?? config.testbed.stateDir;
  const cluster = await tryLoadCluster(stateDir);
  const subnets = new Set([cluster?.subnet ?? options.subnet ?? config.testbed.subnet]);
  if (options.subnet) subnets.add(options.subnet);
  const removed: string[] = [];
  for (const subnet of subnets) removed.push(...await cleanup(cleanupPlan(stateDir, subnet, cluster?.runDir ?? RUN_DIR), cluster, options.log));
  return removed;
}

const exists = (p: string): Promise<boolean> => access(p).then(() => true, () => false);

/** True when a host's cgroup parent exists in any hierarchy. */
async function hasCgroup(h: HostPlan): Promise<boolean> {
  for (const dir of await cgroupDirs(h.cgroupParent)) if (await exists(dir)) return true;
  return false;
}

/** The hosts of a cleanup plan that left anything behind (dir, exec root, socket, cgroup, netns, link or process). */
async function hostsWithLeftovers(plan: TestbedPlan): Promise<HostPlan[]> {
  const [procs, links] = await Promise.all([listProcesses(), rootLinks()]);
  const out: HostPlan[] = [];
  for (const h of plan.hosts) {
    const hasProc = procs.some((p) => recognize.dockerd(h, p.argv) || recognize.containerd(h, p.argv) || recognize.shim(h, p.argv) || recognize.agent(h, p.argv));
    const hasFs = (await exists(h.dir)) || (await exists(h.execRoot)) || (await exists(h.dockerSocket)) || (await hasCgroup(h));
    if (hasProc || hasFs || links.has(h.vethRoot) || links.has(h.vethPeer) || (await netnsExists(h.netns))) out.push(h);
  }
  return out;
}

/** Removes everything of a plan that exists; `cluster` (if any) supplies recorded PIDs. */
export async function cleanup(plan: TestbedPlan, cluster: Cluster | null, log: (line: string) => void = () => {}): Promise<string[]> {
  const removed: string[] = [];
  const note = (lines: string[]): void => { for (const l of lines) { removed.push(l); log(l); } };
  const hosts = await hostsWithLeftovers(plan);
  const recorded = (h: HostPlan): Cluster['hosts'][number]['pids'] | undefined => cluster?.hosts.find((c) => c.name === h.name)?.pids;
  for (const h of hosts) note(await killAgent(h, recorded(h)?.agent ?? null, { graceMs: 5_000 }));
  const stopped = await Promise.all(hosts.map((h) => stopDockerd(h, recorded(h)?.dockerd ?? null)));
  note(stopped.flat());
  // after the containers: a cgroup with tasks or children cannot be removed
  for (const h of hosts) note(await removeCgroup(h.cgroupParent));
  note(await unmountUnder(hosts.flatMap((h) => [h.dir, h.execRoot])));
  note(await deleteNet(plan));
  note(await removeFiles(plan, hosts));
  return removed;
}

/** Unmounts every mount at or under `roots`, deepest first (lazily if busy); throws if any stays. */
export async function unmountUnder(roots: readonly string[]): Promise<string[]> {
  const done: string[] = [];
  if (roots.length === 0) return done;
  for (let pass = 0; pass < 3; pass++) {
    const mounts = mountsUnder(parseMountinfo(await readFile('/proc/self/mountinfo', 'utf8')), roots);
    if (mounts.length === 0) return done;
    for (const m of mounts) {
      const r = await run('umount', [m.mountPoint], { timeoutMs: 30_000 });
      const ok = r.code === 0 || (await run('umount', ['-l', m.mountPoint], { timeoutMs: 30_000 })).code === 0;
      if (ok) done.push(`mount ${m.mountPoint} (${m.fsType})`);
    }
  }
  const left = mountsUnder(parseMountinfo(await readFile('/proc/self/mountinfo', 'utf8')), roots);
  if (left.length > 0) {
    throw new FerryError('FERRY_ERR_TESTBED', `mounts remain after unmounting: ${left.map((m) => m.mountPoint).join(', ')}; unmount them by hand (umount -l PATH), then run \`ferry testbed down\` again`);
  }
  return done;
}

/** Removes the hosts' dirs, exec roots and sockets, the token and cluster.json, then the state and run dirs if empty. */
async function removeFiles(plan: TestbedPlan, hosts: readonly HostPlan[]): Promise<string[]> {
  const done: string[] = [];
  for (const h of hosts) {
    for (const p of [h.dir, h.execRoot, h.dockerSocket]) {
      if (!(await exists(p))) continue;
      await rm(p, { recursive: true, force: true });
      done.push(`removed ${p}`);
    }
  }
  for (const p of [plan.tokenFile, plan.clusterFile, `${plan.clusterFile}.tmp`]) {
    if (!(await exists(p))) continue;
    await rm(p, { force: true });
    done.push(`removed ${p}`);
  }
  for (const dir of [plan.stateDir, plan.runDir]) {
    const entries = await readdir(dir).catch(() => null);
    if (entries !== null && entries.length === 0) await rmdir(dir).catch(() => {});
  }
  return done;
}
