/** @module tools/testbed/control — acting on one host of a running test bed, for fault tests: agent stop/start, link down/up, its processes. */
import { FerryError } from '../../core/errors.ts';
import { loadConfig } from '../../core/config.ts';
import { criuBinDir } from '../doctor/index.ts';
import { bedCredentials, spawnAgent, killAgent, waitAgent, agentPids } from './agent.ts';
import { findHost, loadCluster, planOfCluster, writeCluster, type Cluster, type ClusterHost } from './cluster.ts';
import { recognize } from './commands.ts';
import { shimContainerId } from './containers.ts';
import { setVethState } from './net.ts';
import { listProcesses, readPidFile, verifiedPid } from './procs.ts';
import type { HostPlan } from './plan.ts';

/** A host by name (or anything with a name, such as a ClusterHost). */
export type HostRef = string | { name: string };

/** Where the test bed is (default: testbed.stateDir of the configuration). */
export interface HostOptions {
  stateDir?: string;
}

/** A host of a running test bed: its cluster.json entry and its plan. */
export interface ResolvedHost {
  cluster: Cluster;
  host: ClusterHost;
  plan: HostPlan;
}

/** Finds a host of the test bed in a state dir (FERRY_ERR_TESTBED when none is up, FERRY_ERR_UNKNOWN_HOST for a bad name). */
export async function resolveHost(ref: HostRef, options: HostOptions): Promise<ResolvedHost> {
  const cluster = await loadCluster(options.stateDir ?? loadConfig().testbed.stateDir);
  const host = findHost(cluster, typeof ref === 'string' ? ref : ref.name);
  const plan = planOfCluster(cluster).hosts.find((h) => h.name === host.name);
  if (!plan) throw new FerryError('FERRY_ERR_TESTBED', `cluster.json of ${cluster.stateDir} does not match its plan; run \`ferry testbed down\` then \`ferry testbed up\``);
  return { cluster, host, plan };
}

let updates: Promise<unknown> = Promise.resolve();

/** Changes one host's entry of cluster.json (serialized within this process). */
export function updateHost(stateDir: string, name: string, change: (host: ClusterHost) => void): Promise<Cluster> {
  const next = updates.then(async () => {
    const cluster = await loadCluster(stateDir);
    change(findHost(cluster, name));
    await writeCluster(cluster);
    return cluster;
  });
  updates = next.catch(() => {});
  return next;
}

/** Changes one host's PIDs in cluster.json. */
function updatePids(stateDir: string, name: string, change: Partial<ClusterHost['pids']>): Promise<Cluster> {
  return updateHost(stateDir, name, (host) => { host.pids = { ...host.pids, ...change }; });
}

/** Stops a host's agent (SIGTERM, SIGKILL after `graceMs`; or `signal: 'SIGKILL'` at once) and records it as stopped. */
export async function stopAgent(ref: HostRef, options: HostOptions & { signal?: 'SIGTERM' | 'SIGKILL'; graceMs?: number } = {}): Promise<void> {
  const { cluster, host, plan } = await resolveHost(ref, options);
  await killAgent(plan, host.pids.agent, options);
  await updatePids(cluster.stateDir, host.name, { agent: null });
}

/** (Re)starts a host's agent — stopping a running one first — and waits until it is healthy; returns the updated host. */
export async function startAgent(ref: HostRef, options: HostOptions & { timeoutMs?: number } = {}): Promise<ClusterHost> {
  const { cluster, host, plan } = await resolveHost(ref, options);
  await killAgent(plan, host.pids.agent);
  const criuDir = await criuBinDir(loadConfig()).catch(() => null);
  const pid = await spawnAgent(planOfCluster(cluster), plan, criuDir);
  const updated = await updatePids(cluster.stateDir, host.name, { agent: pid });
  await waitAgent(plan, pid, await bedCredentials(cluster), options.timeoutMs);
  return findHost(updated, host.name);
}

/** Brings a host's link (its veth) up or down; down cuts the host off the bridge. */
export async function setLinkState(ref: HostRef, state: 'up' | 'down', options: HostOptions = {}): Promise<void> {
  if (state !== 'up' && state !== 'down') throw new FerryError('FERRY_ERR_INVALID_INPUT', `link state must be up or down, got ${String(state)}`);
  const { host } = await resolveHost(ref, options);
  await setVethState(host.veth, state);
}

/** The live processes of one host. */
export interface HostProcesses {
  dockerd: number | null;
  containerd: number | null;
  agent: number | null;
  /** containerd-shims of the host's containers, with the container each serves. */
  shims: Array<{ pid: number; containerId: string | null }>;
}

/** The live processes of a host, found by recorded PID (verified) or exact arguments. */
export async function hostProcesses(ref: HostRef, options: HostOptions = {}): Promise<HostProcesses> {
  const { host, plan } = await resolveHost(ref, options);
  const procs = await listProcesses();
  const first = (match: (argv: readonly string[]) => boolean): number | null => procs.find((p) => match(p.argv))?.pid ?? null;
  const dockerd = (await verifiedPid(host.pids.dockerd, (a) => recognize.dockerd(plan, a))) ?? first((a) => recognize.dockerd(plan, a));
  const containerd = (await verifiedPid(await readPidFile(plan.containerdPidFile), (a) => recognize.containerd(plan, a))) ?? first((a) => recognize.containerd(plan, a));
  const agent = (await agentPids(plan, host.pids.agent))[0] ?? null;
  const shims = procs.filter((p) => recognize.shim(plan, p.argv)).map((p) => ({ pid: p.pid, containerId: shimContainerId(p.argv) }));
  return { dockerd, containerd, agent, shims };
}
