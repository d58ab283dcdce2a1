/** @module apps/cli/cluster-file — the cluster file (a test bed's stateDir/cluster.json): its format, its validation and the lookup of a host; the test bed writes it, the CLI reads it. */
import { join } from 'node:path';
import * as z from 'zod';
import { FerryError } from '../../core/errors.ts';

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
  /** The cluster PKI (absent in files of older test beds): the directory `ferry pki` manages, and the operator whose certificate the CLI presents. */
  pki: z.object({ dir: z.string(), operator: z.string() }).optional(),
  /** The client host: a namespace on the bridge without dockerd, for clients of the containers. */
  client: z.object({ netns: z.string(), ip: z.string() }).optional(),
});

/** One host of a running test bed, as cluster.json records it. */
export type ClusterHost = z.infer<typeof HostSchema>;
/** A running test bed, as cluster.json records it. */
export type Cluster = z.infer<typeof ClusterSchema>;

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

/** The host of a cluster by name; throws FERRY_ERR_UNKNOWN_HOST naming the hosts there are. */
export function findHost(cluster: Cluster, name: string): ClusterHost {
  const host = cluster.hosts.find((h) => h.name === name);
  if (!host) throw new FerryError('FERRY_ERR_UNKNOWN_HOST', `no host ${JSON.stringify(name)} in the test bed (hosts: ${cluster.hosts.map((h) => h.name).join(', ')})`);
  return host;
}
