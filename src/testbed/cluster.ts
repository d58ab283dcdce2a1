/** @module testbed/cluster — stateDir/cluster.json: what a running test bed is made of, for the CLI and for tests. */
import { readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as z from 'zod';
import { FerryError } from '../core/errors.ts';
import { configFromEnv, parseConfig, type Config } from '../core/config.ts';
import { planTestbed, type HostPlan, type TestbedPlan } from './plan.ts';

const Pid = z.number().int().positive().nullable();

const HostSchema = z.object({
  name: z.string(),
  ip: z.string(),
  netns: z.string(),
  veth: z.string(),
  controlUrl: z.string(),
  controlPort: z.number().int(),
  dataPort: z.number().int(),
  dockerSocket: z.string(),
  dataRoot: z.string(),
  execRoot: z.string(),
  logDir: z.string(),
  smallDiskMiB: z.number().int().min(0),
  pids: z.object({ dockerd: Pid, agent: Pid }),
  /** dockerd's --cgroup-parent (relative to each cgroup controller's root); present only when the host's CPU is capped. */
  cgroupParent: z.string().startsWith('/').optional(),
  /** What the host offers (CPU enforced only when cgroupParent is set; memory declared). */
  capacity: z.object({
    cpuMillis: z.number().int().min(0),
    memoryMiB: z.number().int().min(0),
    networkMbps: z.number().positive(),
  }).optional(),
  /** 'off' after `ferry testbed power HOST off` (dockerd and containerd stopped on purpose); absent in files of older test beds. */
  power: z.enum(['on', 'off']).optional(),
});

const ClusterSchema = z.object({
  tokenFile: z.string(),
  createdAt: z.string(),
  bandwidthMbit: z.number().positive(),
  stateDir: z.string(),
  subnet: z.string(),
  runDir: z.string(),
  bridge: z.string(),
  /** Whether `up` started agents (false after `up --no-agents`). */
  agents: z.boolean(),
  hosts: z.array(HostSchema).min(1),
  /** The cluster network every host has (a container on it keeps its address when it moves). */
  clusterNetwork: z.object({ name: z.string(), subnet: z.string(), gateway: z.string() }).optional(),
  /** The client host: a namespace on the bridge without dockerd, for clients of the containers. */
  client: z.object({ netns: z.string(), ip: z.string() }).optional(),
});

/** One host of a running test bed, as cluster.json records it. */
export type ClusterHost = z.infer<typeof HostSchema>;
/** A running test bed, as cluster.json records it. */
export type Cluster = z.infer<typeof ClusterSchema>;

/** The configuration of this process (environment twins over defaults). */
export function currentConfig(): Config {
  return parseConfig(configFromEnv(process.env));
}

/** The cluster.json content for a plan and the PIDs that `up` recorded. */
export function clusterFromPlan(plan: TestbedPlan, pids: ReadonlyMap<string, ClusterHost['pids']>, agents: boolean, createdAt: Date): Cluster {
  return {
    tokenFile: plan.tokenFile, createdAt: createdAt.toISOString(), bandwidthMbit: plan.bandwidthMbit,
    stateDir: plan.stateDir, subnet: plan.subnet, runDir: plan.runDir, bridge: plan.bridge, agents,
    clusterNetwork: { ...plan.clusterNet }, client: { netns: plan.client.netns, ip: plan.client.ip },
    hosts: plan.hosts.map((h: HostPlan) => ({
      name: h.name, ip: h.ip, netns: h.netns, veth: h.vethRoot, controlUrl: h.controlUrl, controlPort: h.controlPort, dataPort: h.dataPort,
      dockerSocket: h.dockerSocket, dataRoot: h.dataRoot, execRoot: h.execRoot, logDir: h.logDir, smallDiskMiB: h.smallDiskMiB,
      pids: pids.get(h.name) ?? { dockerd: null, agent: null },
      ...(h.cpuQuotaUs > 0 ? { cgroupParent: h.cgroupParent } : {}),
      capacity: { ...h.capacity },
      power: 'on' as const,
    })),
  };
}

/** Validates parsed cluster.json content. */
export function parseCluster(raw: unknown, where = 'cluster.json'): Cluster {
  const r = ClusterSchema.safeParse(raw);
  if (!r.success) {
    const issue = r.error.issues[0];
    throw new FerryError('FERRY_ERR_TESTBED', `${where} is malformed at ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}; run \`ferry testbed down\` then \`ferry testbed up\``);
  }
  return r.data;
}

/** The path of cluster.json in a state dir. */
export function clusterFile(stateDir: string): string {
  return join(stateDir, 'cluster.json');
}

/** Reads stateDir/cluster.json (default state dir: testbed.stateDir); throws FERRY_ERR_TESTBED when no test bed is up. */
export async function loadCluster(stateDir: string = currentConfig().testbed.stateDir): Promise<Cluster> {
  const path = clusterFile(stateDir);
  const raw = await readFile(path, 'utf8').catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') throw new FerryError('FERRY_ERR_TESTBED', `no test bed is up: ${path} is missing; start one with \`ferry testbed up\``);
    throw err;
  });
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    throw new FerryError('FERRY_ERR_TESTBED', `${path} is not JSON; run \`ferry testbed down\` then \`ferry testbed up\``);
  }
  return parseCluster(json, path);
}

/** Reads cluster.json, or null when it is missing or unreadable (cleanup works without it). */
export async function tryLoadCluster(stateDir: string): Promise<Cluster | null> {
  return loadCluster(stateDir).catch(() => null);
}

/** Writes cluster.json atomically. */
export async function writeCluster(cluster: Cluster): Promise<void> {
  const path = clusterFile(cluster.stateDir);
  await writeFile(`${path}.tmp`, `${JSON.stringify(cluster, null, 2)}\n`, { mode: 0o644 });
  await rename(`${path}.tmp`, path);
}

/** The host of a cluster by name; throws FERRY_ERR_UNKNOWN_HOST naming the hosts there are. */
export function findHost(cluster: Cluster, name: string): ClusterHost {
  const host = cluster.hosts.find((h) => h.name === name);
  if (!host) throw new FerryError('FERRY_ERR_UNKNOWN_HOST', `no host ${JSON.stringify(name)} in the test bed (hosts: ${cluster.hosts.map((h) => h.name).join(', ')})`);
  return host;
}

/** The plan a cluster was made from (same names and paths), to act on one of its hosts. */
export function planOfCluster(cluster: Cluster): TestbedPlan {
  const first = cluster.hosts[0];
  const cpuMillis = first?.capacity?.cpuMillis ?? 0;
  return planTestbed({
    hosts: cluster.hosts.length, subnet: cluster.subnet, stateDir: cluster.stateDir, runDir: cluster.runDir,
    bandwidthMbit: cluster.bandwidthMbit, controlPort: first?.controlPort ?? 7070, dataPort: first?.dataPort ?? 7071,
    hostCpus: first?.cgroupParent ? cpuMillis / 1000 : 0, machineCpus: first?.cgroupParent ? 0 : cpuMillis / 1000,
    hostMemoryMiB: first?.capacity?.memoryMiB ?? 0,
    smallDisk: Object.fromEntries(cluster.hosts.filter((h) => h.smallDiskMiB > 0).map((h) => [h.name, h.smallDiskMiB])),
  });
}
