/** @module tools/testbed/up — brings a test bed up: token, bridge, namespaces, veths, shaping, CPU caps, dockerds, agents, cluster.json. */
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { FerryError } from '../../core/errors.ts';
import { loadConfig, type Config } from '../../core/config.ts';
import { runOrThrow } from '../../adapters/host/run.ts';
import { ensurePrerequisites } from '../doctor/index.ts';
import { bedCredentials, spawnAgent, waitAgent } from './agent.ts';
import { ensureCpuCap } from './cgroup.ts';
import { clusterFromPlan, loadCluster, tryLoadCluster, writeCluster, type Cluster, type ClusterHost } from './cluster.ts';
import { smallDiskMount } from './commands.ts';
import { startDockerd, waitDockerd } from './dockerd.ts';
import { cleanup } from './down.ts';
import { createBridge, createClientNet, createHostNet, shapeHost } from './net.ts';
import { clusterNetworkBody } from './commands.ts';
import { DockerEngine } from '../../adapters/docker/engine.ts';
import { cleanupPlan, planFromConfig, type PlanOverrides } from './plan.ts';
import { createTestbedPki, TESTBED_OPERATOR } from './pki.ts';

/** Options of {@link testbedUp}. */
export interface UpOptions extends PlanOverrides {
  config?: Config;
  /** Start an agent per host (default true); false is `--no-agents`. */
  agents?: boolean;
  /** Let the doctor install missing prerequisites (default true). */
  fix?: boolean;
  log?: (line: string) => void;
}

/** Brings a test bed up (cleaning leftovers of an earlier one first) and returns its cluster.json content. */
export async function testbedUp(options: UpOptions = {}): Promise<Cluster> {
  const config = options.config ?? loadConfig();
  const log = options.log ?? (() => {});
  const plan = planFromConfig(config, options);
  if (process.getuid?.() !== 0) throw new FerryError('FERRY_ERR_PREREQUISITE', 'the test bed needs root (namespaces, veths, mounts, dockerd); run it as root');
  const { criuDir } = await ensurePrerequisites({ config, fix: options.fix ?? true, log });

  const earlier = await tryLoadCluster(plan.stateDir);
  const leftovers: string[] = [];
  for (const subnet of new Set([earlier?.subnet ?? plan.subnet, plan.subnet])) {
    leftovers.push(...await cleanup(cleanupPlan(plan.stateDir, subnet, earlier?.runDir ?? plan.runDir), earlier));
  }
  if (leftovers.length > 0) log(`removed leftovers of an earlier test bed (${leftovers.length}): ${leftovers.join('; ')}`);

  await mkdir(plan.stateDir, { recursive: true, mode: 0o711 });
  await writeFile(plan.tokenFile, randomBytes(32).toString('hex'), { mode: 0o600 });
  await chmod(plan.tokenFile, 0o600);
  log(`certificates: a new cluster CA, the controller's, each agent's and the operator's in ${await createTestbedPki(plan)} (${plan.tls ? 'mutual TLS on every link' : 'not used: testbed.tls is false, the links are plain TCP with the token'})`);

  log(`network: bridge ${plan.bridge} ${plan.bridgeCidr}, ${plan.hosts.length} hosts at ${plan.bandwidthMbit} Mbit/s`);
  await createBridge(plan);
  for (const host of plan.hosts) {
    await createHostNet(plan, host);
    await shapeHost(host, plan.bandwidthMbit);
    if (host.smallDiskMiB > 0) {
      await mkdir(host.dataRoot, { recursive: true, mode: 0o711 });
      const m = smallDiskMount(host);
      await runOrThrow('FERRY_ERR_TESTBED', m.file, m.args, 'check that tmpfs can be mounted (root, mount namespace)');
      log(`${host.name}: Docker data root is a ${host.smallDiskMiB} MiB tmpfs`);
    }
  }
  await createClientNet(plan);
  log(`client host: ${plan.client.netns} at ${plan.client.ip} (no dockerd), on the cluster network's subnet ${plan.clusterNet.subnet}`);

  const agents = options.agents ?? true;
  const pids = new Map<string, ClusterHost['pids']>();
  await Promise.all(plan.hosts.map(async (host) => {
    if (host.cpuQuotaUs > 0) {
      await ensureCpuCap(host);
      log(`${host.name}: containers under cgroup ${host.cgroupParent}, ${host.capacity.cpuMillis} millicores (CFS ${host.cpuQuotaUs}/${host.cpuPeriodUs} µs)`);
    }
    const pid = await startDockerd(host, criuDir);
    pids.set(host.name, { dockerd: pid, agent: null });
    await waitDockerd(host, pid);
    log(`${host.name}: dockerd ${pid} answers on ${host.dockerSocket}`);
    await new DockerEngine(host.dockerSocket, config.deadlines).createNetwork(clusterNetworkBody(plan.clusterNet, host));
    log(`${host.name}: cluster network ${plan.clusterNet.name} (macvlan on ${host.ifname}, ${plan.clusterNet.subnet}, this host hands out ${host.clusterRange})`);
  }));
  const createdAt = new Date();
  await writeCluster(clusterFromPlan(plan, pids, agents, createdAt));
  if (agents) {
    // record the agents' PIDs before waiting, so a failed start still shows (and cleans) them
    const spawned = await Promise.all(plan.hosts.map(async (host) => {
      const pid = await spawnAgent(plan, host, criuDir);
      const entry = pids.get(host.name);
      if (entry) entry.agent = pid;
      return { host, pid };
    }));
    await writeCluster(clusterFromPlan(plan, pids, agents, createdAt));
    const credentials = await bedCredentials({ tokenFile: plan.tokenFile, pki: plan.tls ? { dir: plan.pkiDir, operator: TESTBED_OPERATOR } : undefined });
    await Promise.all(spawned.map(async ({ host, pid }) => {
      await waitAgent(host, pid, credentials);
      log(`${host.name}: agent ${pid} healthy at ${host.controlUrl}`);
    }));
  }
  return loadCluster(plan.stateDir);
}

