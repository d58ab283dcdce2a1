/** @module tools/testbed/plan — the pure plan of a test bed: every name, address, directory and command line, from configuration. */
import { availableParallelism, totalmem } from 'node:os';
import { join } from 'node:path';
import { FerryError } from '../../core/errors.ts';
import type { Config } from '../../core/config.ts';

/** Most hosts a test bed can have (the config schema's limit); cleanup covers all of them. */
export const MAX_HOSTS = 16;
/** The subnet whose test bed gets the plain names (ferrybr0, ferry-h1, fyh1a). */
export const DEFAULT_SUBNET = '10.213.0';
/** Where exec-roots and sockets live (short: unix socket paths are limited to 107 bytes). */
export const RUN_DIR = '/run/ferry';
/** Latency bound of the tbf queue. */
export const TBF_LATENCY = '50ms';
/** CFS period of a host's cgroup parent, in µs (the kernel's default); the quota is a share of it. */
export const CPU_PERIOD_US = 100_000;

/** What one host offers, as cluster.json and the agent's --capacity-* flags state it. */
export interface HostCapacity {
  /** CPU in millicores: testbed.hostCpus × 1000, or the machine's cores × 1000 without a cap. */
  cpuMillis: number;
  /** Declared memory in MiB (not enforced): testbed.hostMemoryMiB, or the machine's MemTotal. */
  memoryMiB: number;
  /** The host's link rate, testbed.bandwidthMbit. */
  networkMbps: number;
}

/** Everything about one host of the test bed. */
export interface HostPlan {
  index: number;
  name: string;
  ip: string;
  cidr: string;
  netns: string;
  netnsPath: string;
  /** veth end in the root namespace, attached to the bridge. */
  vethRoot: string;
  /** veth end moved into the host's namespace, then renamed to `ifname`. */
  vethPeer: string;
  ifname: string;
  dockerBip: string;
  dir: string;
  dataRoot: string;
  execRoot: string;
  dockerSocket: string;
  daemonConfig: string;
  dockerdPidFile: string;
  containerdSocket: string;
  containerdConfig: string;
  containerdPidFile: string;
  logDir: string;
  agentStateDir: string;
  agentPidFile: string;
  controlUrl: string;
  controlPort: number;
  dataPort: number;
  /** Size of a tmpfs Docker data root in MiB; 0: the data root is a plain directory. */
  smallDiskMiB: number;
  /**
   * The host's cgroup, relative to each cgroup controller's root (absolute, as dockerd's
   * --cgroup-parent wants it, so runc does not resolve it against its own cgroup). In use only
   * when `cpuQuotaUs` > 0; cleanup removes it whenever it exists.
   */
  cgroupParent: string;
  /** CFS quota of `cgroupParent` per `cpuPeriodUs`, in µs; 0: no cap, containers stay under Docker's /docker. */
  cpuQuotaUs: number;
  /** CFS period of `cgroupParent`, in µs. */
  cpuPeriodUs: number;
  /** What the host offers. */
  capacity: HostCapacity;
  /** The addresses this host's Docker hands out on the cluster network (its own slice, so no two hosts give out the same one). */
  clusterRange: string;
}

/**
 * The cluster network: a Docker macvlan network on every host with the same subnet, on the
 * host's link to the shared bridge (one L2 segment), so a container's address and MAC do not
 * depend on its host. Its own /24 (the test-bed subnet with 128 added to the third octet),
 * the bridge as gateway, a slice of it per host for Docker's own allocation.
 */
export interface ClusterNetPlan {
  /** The Docker network's name (config network.cluster). */
  name: string;
  /** e.g. 10.213.128.0/24. */
  subnet: string;
  /** The bridge's address on it, the containers' gateway. */
  gateway: string;
}

/** The client host: a namespace on the same bridge, without dockerd, where clients of the containers run. */
export interface ClientPlan {
  netns: string;
  netnsPath: string;
  vethRoot: string;
  vethPeer: string;
  ifname: string;
  /** Its address on the cluster network's subnet. */
  ip: string;
  cidr: string;
}

/** The whole test bed. */
export interface TestbedPlan {
  stateDir: string;
  runDir: string;
  subnet: string;
  /** Distinguishes names of test beds on other subnets ('' for the default subnet). */
  tag: string;
  bridge: string;
  bridgeCidr: string;
  /** The object store's address (the project's Ceph, on a dummy interface of the root namespace); every host routes to it via the bridge. */
  storageAddress: string;
  bandwidthMbit: number;
  tokenFile: string;
  clusterFile: string;
  /** Mutual TLS on every link (false: plain TCP with the token, tls.plainBeyondLoopback). */
  tls: boolean;
  /** The cluster CA and certificates `up` makes. */
  pkiDir: string;
  hosts: HostPlan[];
  clusterNet: ClusterNetPlan;
  client: ClientPlan;
}

/** What a plan is made from. */
export interface PlanInput {
  hosts: number;
  subnet: string;
  stateDir: string;
  bandwidthMbit: number;
  controlPort: number;
  dataPort: number;
  /** Host name → tmpfs size in MiB. */
  smallDisk?: Readonly<Record<string, number>>;
  runDir?: string;
  /** The object store's address (default 10.212.0.1). */
  storageAddress?: string;
  /** CPU cores each host may use, enforced by its cgroup parent's CFS quota (0 or absent: no cap). */
  hostCpus?: number;
  /** The machine's CPU cores, the capacity of an uncapped host (absent: 0). */
  machineCpus?: number;
  /** Declared memory per host in MiB (absent: 0). */
  hostMemoryMiB?: number;
  /** The cluster network's Docker name (default 'ferry'). */
  clusterNetwork?: string;
  /** Mutual TLS on every link (default true). */
  tls?: boolean;
}

/** The name tag of a subnet: '' for the default one, else its octets in hex (10.214.0 → 0ad600). */
export function nameTag(subnet: string): string {
  if (subnet === DEFAULT_SUBNET) return '';
  return subnetOctets(subnet).map((o) => o.toString(16).padStart(2, '0')).join('');
}

function subnetOctets(subnet: string): number[] {
  const octets = subnet.split('.').map(Number);
  if (octets.length !== 3 || octets.some((o) => !Number.isInteger(o) || o < 0 || o > 255)) {
    throw new FerryError('FERRY_ERR_CONFIG', `testbed.subnet ${JSON.stringify(subnet)} is not three octets like 10.213.0`);
  }
  return octets;
}

/** The cluster network's subnet prefix of a test-bed subnet: 128 added to its third octet (10.213.0 → 10.213.128). */
export function clusterSubnetOf(subnet: string): string {
  const [a, b, c] = subnetOctets(subnet) as [number, number, number];
  if (c >= 128) throw new FerryError('FERRY_ERR_CONFIG', `testbed.subnet ${subnet}: its third octet must be below 128, so the cluster network can take ${a}.${b}.${c + 128 > 255 ? '?' : c + 128}.0/24`);
  return `${a}.${b}.${c + 128}`;
}

/** Host i's slice of the cluster network: .16i/28 for hosts 1..15 (.16–.255), .8/29 for host 16; .1 is the gateway, .2 the client host. */
export function clusterRangeOf(prefix: string, index: number): string {
  return index <= 15 ? `${prefix}.${16 * index}/28` : `${prefix}.8/29`;
}

/** Plans a test bed of `input.hosts` hosts. */
export function planTestbed(input: PlanInput): TestbedPlan {
  subnetOctets(input.subnet);
  if (!Number.isInteger(input.hosts) || input.hosts < 1 || input.hosts > MAX_HOSTS) {
    throw new FerryError('FERRY_ERR_CONFIG', `testbed.hosts must be 1..${MAX_HOSTS}, got ${input.hosts}`);
  }
  const tag = nameTag(input.subnet);
  const runDir = input.runDir ?? RUN_DIR;
  const hosts: HostPlan[] = [];
  const clusterPrefix = clusterSubnetOf(input.subnet);
  for (let i = 1; i <= input.hosts; i++) hosts.push({ ...planHost(input, tag, runDir, i), clusterRange: clusterRangeOf(clusterPrefix, i) });
  for (const name of Object.keys(input.smallDisk ?? {})) {
    if (!hosts.some((h) => h.name === name)) throw new FerryError('FERRY_ERR_CONFIG', `--small-disk names ${name}, but the test bed has hosts h1..h${input.hosts}`);
  }
  return {
    stateDir: input.stateDir, runDir, subnet: input.subnet, tag,
    bridge: tag ? `fybr${tag}` : 'ferrybr0',
    bridgeCidr: `${input.subnet}.1/24`,
    storageAddress: input.storageAddress ?? '10.212.0.1',
    bandwidthMbit: input.bandwidthMbit,
    tokenFile: join(input.stateDir, 'token'),
    clusterFile: join(input.stateDir, 'cluster.json'),
    tls: input.tls ?? true,
    pkiDir: join(input.stateDir, 'pki'),
    hosts,
    clusterNet: { name: input.clusterNetwork ?? 'ferry', subnet: `${clusterPrefix}.0/24`, gateway: `${clusterPrefix}.1` },
    client: {
      netns: tag ? `ferry-${tag}-client` : 'ferry-client', netnsPath: `/var/run/netns/${tag ? `ferry-${tag}-client` : 'ferry-client'}`,
      vethRoot: `fy${tag}cla`, vethPeer: `fy${tag}clb`, ifname: 'eth0', ip: `${clusterPrefix}.2`, cidr: `${clusterPrefix}.2/24`,
    },
  };
}

/** The CPU cap of every host, in millicores (0: none); refuses a quota below the kernel's 1 ms. */
function cpuCapMillis(hostCpus: number): number {
  if (!(hostCpus >= 0) || !Number.isFinite(hostCpus)) throw new FerryError('FERRY_ERR_CONFIG', `testbed.hostCpus must be 0 (no cap) or more, got ${hostCpus}`);
  const millis = Math.round(hostCpus * 1000);
  if (hostCpus > 0 && millis * (CPU_PERIOD_US / 1000) < 1000) {
    throw new FerryError('FERRY_ERR_CONFIG', `testbed.hostCpus ${hostCpus} is below the smallest CFS quota (0.01 cores)`);
  }
  return millis;
}

function planHost(input: PlanInput, tag: string, runDir: string, i: number): Omit<HostPlan, 'clusterRange'> {
  const name = `h${i}`;
  const ip = `${input.subnet}.${10 + i}`;
  const netns = tag ? `ferry-${tag}-${name}` : `ferry-${name}`;
  const dir = join(input.stateDir, name);
  const execRoot = join(runDir, tag ? `${tag}-${name}` : name);
  const dockerSocket = `${execRoot}.sock`;
  const containerdSocket = join(execRoot, 'containerd/containerd.sock');
  if (Buffer.byteLength(containerdSocket) > 100) {
    throw new FerryError('FERRY_ERR_CONFIG', `socket path ${containerdSocket} is too long for a unix socket; use a shorter run directory`);
  }
  return {
    index: i, name, ip, cidr: `${ip}/24`, netns, netnsPath: `/var/run/netns/${netns}`,
    vethRoot: `fy${tag}${name}a`, vethPeer: `fy${tag}${name}b`, ifname: 'eth0',
    dockerBip: `172.29.${i}.1/24`,
    dir, dataRoot: join(dir, 'docker'), execRoot, dockerSocket,
    daemonConfig: join(dir, 'daemon.json'), dockerdPidFile: join(dir, 'dockerd.pid'),
    containerdSocket, containerdConfig: join(execRoot, 'containerd/containerd.toml'),
    containerdPidFile: join(execRoot, 'containerd/containerd.pid'),
    logDir: join(dir, 'logs'), agentStateDir: join(dir, 'agent'), agentPidFile: join(dir, 'agent.pid'),
    controlUrl: `${input.tls ?? true ? 'https' : 'http'}://${ip}:${input.controlPort}`, controlPort: input.controlPort, dataPort: input.dataPort,
    smallDiskMiB: input.smallDisk?.[name] ?? 0,
    ...cpuPlan(input, tag, name),
  };
}

function cpuPlan(input: PlanInput, tag: string, name: string): Pick<HostPlan, 'cgroupParent' | 'cpuQuotaUs' | 'cpuPeriodUs' | 'capacity'> {
  const capMillis = cpuCapMillis(input.hostCpus ?? 0);
  return {
    cgroupParent: tag ? `/ferry-${tag}-${name}` : `/ferry-${name}`,
    cpuQuotaUs: capMillis * (CPU_PERIOD_US / 1000),
    cpuPeriodUs: CPU_PERIOD_US,
    capacity: {
      cpuMillis: capMillis > 0 ? capMillis : Math.round((input.machineCpus ?? 0) * 1000),
      memoryMiB: input.hostMemoryMiB ?? 0,
      networkMbps: input.bandwidthMbit,
    },
  };
}

/** Overrides of the configuration a `testbed up` may pass. */
export interface PlanOverrides {
  hosts?: number;
  bandwidthMbit?: number;
  smallDisk?: Readonly<Record<string, number>>;
  subnet?: string;
  stateDir?: string;
}

/** The machine the test bed runs on: its cores and memory (what an uncapped host offers). */
export interface MachineShape {
  cpus: number;
  memoryMiB: number;
}

/** This machine's cores (as the scheduler lets this process use them) and MemTotal. */
export function thisMachine(): MachineShape {
  return { cpus: availableParallelism(), memoryMiB: Math.floor(totalmem() / (1024 * 1024)) };
}

/** The plan of a configuration, with command-line overrides. */
export function planFromConfig(config: Config, overrides: PlanOverrides = {}, machine: MachineShape = thisMachine()): TestbedPlan {
  return planTestbed({
    hosts: overrides.hosts ?? config.testbed.hosts,
    subnet: overrides.subnet ?? config.testbed.subnet,
    stateDir: overrides.stateDir ?? config.testbed.stateDir,
    bandwidthMbit: overrides.bandwidthMbit ?? config.testbed.bandwidthMbit,
    controlPort: config.agent.controlPort,
    dataPort: config.agent.dataPort,
    storageAddress: config.storage.address,
    hostCpus: config.testbed.hostCpus,
    machineCpus: machine.cpus,
    hostMemoryMiB: config.testbed.hostMemoryMiB > 0 ? config.testbed.hostMemoryMiB : machine.memoryMiB,
    clusterNetwork: config.network.cluster,
    tls: config.testbed.tls,
    ...(overrides.smallDisk ? { smallDisk: overrides.smallDisk } : {}),
  });
}

/** The plan cleanup works from: every host a test bed on this subnet and state dir could have had. */
export function cleanupPlan(stateDir: string, subnet: string, runDir: string = RUN_DIR): TestbedPlan {
  return planTestbed({ hosts: MAX_HOSTS, subnet, stateDir, bandwidthMbit: 1, controlPort: 7070, dataPort: 7071, runDir });
}

/** Parses `--small-disk HOST[:MIB]` (MIB defaults to testbed.smallDiskMiB). */
export function parseSmallDisk(spec: string, defaultMiB: number): { host: string; mib: number } {
  const m = /^(h\d+)(?::(\d+))?$/.exec(spec.trim());
  const mib = m?.[2] !== undefined ? Number(m[2]) : defaultMiB;
  if (!m?.[1] || !(mib >= 1)) {
    throw new FerryError('FERRY_ERR_INVALID_INPUT', `--small-disk ${JSON.stringify(spec)}: expected HOST:MIB like h2:64 (or HOST with testbed.smallDiskMiB set)`);
  }
  return { host: m[1], mib };
}
