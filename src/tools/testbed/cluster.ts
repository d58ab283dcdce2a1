/** @module tools/testbed/cluster — stateDir/cluster.json: what a running test bed is made of, written by `up` and read by tests (its format is apps/cli/cluster-file.ts). */
import { readFile, rename, writeFile } from 'node:fs/promises';
import { FerryError } from '../../core/errors.ts';
import { loadConfig } from '../../core/config.ts';
import { clusterFile, parseCluster, type Cluster, type ClusterHost } from '../../apps/cli/cluster-file.ts';
import { planTestbed, type HostPlan, type TestbedPlan } from './plan.ts';
import { TESTBED_OPERATOR } from './pki.ts';

// The format lives with the CLI that reads it; the test bed's callers find it here too.
export { clusterFile, findHost, parseCluster, type Cluster, type ClusterHost } from '../../apps/cli/cluster-file.ts';

/** The cluster.json content for a plan and the PIDs that `up` recorded. */
export function clusterFromPlan(plan: TestbedPlan, pids: ReadonlyMap<string, ClusterHost['pids']>, agents: boolean, createdAt: Date): Cluster {
  return {
    tokenFile: plan.tokenFile, createdAt: createdAt.toISOString(), bandwidthMbit: plan.bandwidthMbit,
    stateDir: plan.stateDir, subnet: plan.subnet, runDir: plan.runDir, bridge: plan.bridge, agents,
    ...(plan.tls ? { pki: { dir: plan.pkiDir, operator: TESTBED_OPERATOR } } : {}),
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

/** Reads stateDir/cluster.json (default state dir: testbed.stateDir); throws FERRY_ERR_TESTBED when no test bed is up. */
export async function loadCluster(stateDir: string = loadConfig().testbed.stateDir): Promise<Cluster> {
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

/** The plan a cluster was made from (same names and paths), to act on one of its hosts. */
export function planOfCluster(cluster: Cluster): TestbedPlan {
  const first = cluster.hosts[0];
  const cpuMillis = first?.capacity?.cpuMillis ?? 0;
  return planTestbed({
    hosts: cluster.hosts.length, subnet: cluster.subnet, stateDir: cluster.stateDir, runDir: cluster.runDir,
    bandwidthMbit: cluster.bandwidthMbit, controlPort: first?.controlPort ?? 7070, dataPort: first?.dataPort ?? 7071,
    hostCpus: first?.cgroupParent ? cpuMillis / 1000 : 0, machineCpus: first?.cgroupParent ? 0 : cpuMillis / 1000,
    hostMemoryMiB: first?.capacity?.memoryMiB ?? 0,
    tls: cluster.pki !== undefined,
    smallDisk: Object.fromEntries(cluster.hosts.filter((h) => h.smallDiskMiB > 0).map((h) => [h.name, h.smallDiskMiB])),
  });
}
