/** @module tools/testbed/commands — the pure command lines the test bed runs (ip, tc, mount, dockerd, agent). */
import { join } from 'node:path';
import { TBF_LATENCY, type ClientPlan, type ClusterNetPlan, type HostPlan, type TestbedPlan } from './plan.ts';

/** A program and its arguments (run with execFile/spawn, never through a shell). */
export interface CommandLine {
  file: string;
  args: string[];
}

/** The burst of a tbf queue: 10 ms worth of traffic, at least 64 KiB (one GSO packet). */
export function tbfBurstBytes(mbit: number): number {
  return Math.max(64 * 1024, Math.ceil((mbit * 1_000_000) / 8 / 100));
}

/** `tc qdisc replace ... tbf` for a device (in a namespace when `netns` is given). */
export function tbfCommand(dev: string, mbit: number, netns?: string): CommandLine {
  const ns = netns ? ['-n', netns] : [];
  return {
    file: 'tc',
    args: [...ns, 'qdisc', 'replace', 'dev', dev, 'root', 'tbf', 'rate', `${mbit}mbit`, 'burst', String(tbfBurstBytes(mbit)), 'latency', TBF_LATENCY],
  };
}

/** A namespace joined to the bridge by a veth pair: what a host and the client host both are. */
export interface NamespaceLink {
  netns: string;
  vethRoot: string;
  vethPeer: string;
  ifname: string;
  cidr: string;
}

/** `ip` commands that create a namespace with its veth pair on the bridge and its address, in order. */
function namespaceOnBridge(ns: NamespaceLink, bridge: string): CommandLine[] {
  const ip = (...args: string[]): CommandLine => ({ file: 'ip', args });
  return [
    ip('netns', 'add', ns.netns),
    ip('-n', ns.netns, 'link', 'set', 'lo', 'up'),
    ip('link', 'add', 'name', ns.vethRoot, 'type', 'veth', 'peer', 'name', ns.vethPeer),
    ip('link', 'set', ns.vethPeer, 'netns', ns.netns),
    ip('-n', ns.netns, 'link', 'set', ns.vethPeer, 'name', ns.ifname),
    ip('-n', ns.netns, 'addr', 'add', ns.cidr, 'dev', ns.ifname),
    ip('-n', ns.netns, 'link', 'set', ns.ifname, 'up'),
    ip('link', 'set', ns.vethRoot, 'master', bridge),
    ip('link', 'set', ns.vethRoot, 'up'),
  ];
}

/** `ip` commands that give a host its namespace, veth pair, address and a route to the object store via the bridge, in order. */
export function hostNetCommands(host: HostPlan, bridge: string, via: { bridgeIp: string; storageAddress: string }): CommandLine[] {
  const cmds = namespaceOnBridge(host, bridge);
  // The route goes in once the host's end is up, before the root end joins the bridge.
  cmds.splice(cmds.length - 2, 0, { file: 'ip', args: ['-n', host.netns, 'route', 'add', `${via.storageAddress}/32`, 'via', via.bridgeIp] });
  return cmds;
}

/** `ip` commands that give the client host its namespace, veth pair and address on the cluster network's subnet, in order. */
export function clientNetCommands(client: ClientPlan, bridge: string): CommandLine[] {
  return namespaceOnBridge(client, bridge);
}

/** The Engine API body that creates the cluster network on one host: macvlan on the host's link, the shared subnet, the host's own slice. */
export function clusterNetworkBody(net: ClusterNetPlan, host: HostPlan): Record<string, unknown> {
  return {
    Name: net.name, Driver: 'macvlan', CheckDuplicate: true,
    IPAM: { Driver: 'default', Config: [{ Subnet: net.subnet, Gateway: net.gateway, IPRange: host.clusterRange }] },
    Options: { parent: host.ifname, macvlan_mode: 'bridge' },
    Labels: { 'ferry.cluster-network': 'testbed' },
  };
}

/** `ip` commands that create the bridge in the root namespace. */
export function bridgeCommands(bridge: string, cidr: string): CommandLine[] {
  return [
    { file: 'ip', args: ['link', 'add', 'name', bridge, 'type', 'bridge'] },
    { file: 'ip', args: ['addr', 'add', cidr, 'dev', bridge] },
    { file: 'ip', args: ['link', 'set', bridge, 'up'] },
  ];
}

/** The tmpfs mount of a small-disk host's Docker data root. */
export function smallDiskMount(host: HostPlan): CommandLine {
  return { file: 'mount', args: ['-t', 'tmpfs', '-o', `size=${host.smallDiskMiB}m,mode=0711`, `ferry-testbed-${host.name}`, host.dataRoot] };
}

/** dockerd in the host's network namespace (nsenter, not `ip netns exec`: that remounts /sys). */
export function dockerdCommand(host: HostPlan): CommandLine {
  return {
    file: 'nsenter',
    args: [`--net=${host.netnsPath}`, 'dockerd',
      '--config-file', host.daemonConfig,
      '--data-root', host.dataRoot,
      '--exec-root', host.execRoot,
      '-H', `unix://${host.dockerSocket}`,
      '--pidfile', host.dockerdPidFile,
      '--bip', host.dockerBip,
      ...(host.cpuQuotaUs > 0 ? ['--cgroup-parent', host.cgroupParent] : []),
      '--experimental'],
  };
}

/** Where a repository checkout keeps the Node binary and the CLI entry point. */
export interface RepoPaths {
  node: string;
  main: string;
}

/** The repository paths, from the repository root. */
export function repoPaths(root: string): RepoPaths {
  return { node: join(root, 'node_modules/node/bin/node'), main: join(root, 'src/cmd/ferry/main.ts') };
}

/** `ferry <args>` run by this checkout's Node (what the agent and the power hook run). */
function ferryArgv(repo: RepoPaths, args: readonly string[]): string[] {
  return [repo.node, '--disable-warning=ExperimentalWarning', repo.main, ...args];
}

/** The power hook of a host: `ferry testbed power ... HOST`, to which the agent appends `off` or `on`. */
export function powerHookArgv(plan: Pick<TestbedPlan, 'stateDir' | 'subnet'>, host: HostPlan, repo: RepoPaths): string[] {
  return ferryArgv(repo, ['testbed', 'power', '--state-dir', plan.stateDir, '--subnet', plan.subnet, host.name]);
}

/**
 * The flags that tell an agent what its host offers and how to power it: capacity always,
 * the cgroup parent only when the host's CPU is capped.
 */
export function agentHostFlags(plan: Pick<TestbedPlan, 'stateDir' | 'subnet'>, host: HostPlan, repo: RepoPaths): Array<[flag: string, value: string]> {
  return [
    ['--power-hook', JSON.stringify(powerHookArgv(plan, host, repo))],
    ['--capacity-cpu-millis', String(host.capacity.cpuMillis)],
    ['--capacity-memory-mib', String(host.capacity.memoryMiB)],
    ['--capacity-network-mbps', String(host.capacity.networkMbps)],
    ...(host.cpuQuotaUs > 0 ? [['--cgroup-parent', host.cgroupParent] as [string, string]] : []),
  ];
}

/** `ferry agent` in the host's network namespace, with every host flag ({@link agentHostFlags}). */
export function agentCommand(plan: Pick<TestbedPlan, 'stateDir' | 'subnet' | 'tokenFile' | 'tls' | 'pkiDir'>, host: HostPlan, repo: RepoPaths): CommandLine {
  return {
    file: 'nsenter',
    args: [`--net=${host.netnsPath}`, ...ferryArgv(repo, ['agent',
      '--name', host.name,
      '--listen', host.ip,
      '--control-port', String(host.controlPort),
      '--data-port', String(host.dataPort),
      '--docker-socket', host.dockerSocket,
      '--runc-root', `${host.execRoot}/runtime-runc/moby`,
      '--state-dir', host.agentStateDir,
      '--token-file', plan.tokenFile,
      ...(plan.tls ? ['--pki-dir', plan.pkiDir] : ['--plain-beyond-loopback']),
      ...agentHostFlags(plan, host, repo).flat()])],
  };
}

/** True when `argv` has `flag value` (or `flag=value`) as consecutive arguments. */
export function hasArgPair(argv: readonly string[], flag: string, value: string): boolean {
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === flag && argv[i + 1] === value) return true;
    if (argv[i] === `${flag}=${value}`) return true;
  }
  return false;
}

/** Recognizers of a host's processes by their exact arguments (never by a pattern). */
export const recognize = {
  dockerd: (host: HostPlan, argv: readonly string[]): boolean =>
    (argv[0] ?? '').endsWith('dockerd') && (hasArgPair(argv, '--exec-root', host.execRoot) || hasArgPair(argv, '--pidfile', host.dockerdPidFile)),
  containerd: (host: HostPlan, argv: readonly string[]): boolean =>
    (argv[0] ?? '').endsWith('containerd') && hasArgPair(argv, '--config', host.containerdConfig),
  shim: (host: HostPlan, argv: readonly string[]): boolean =>
    hasArgPair(argv, '-namespace', 'moby') && hasArgPair(argv, '-address', host.containerdSocket),
  agent: (host: HostPlan, argv: readonly string[]): boolean =>
    argv.includes('agent') && hasArgPair(argv, '--name', host.name) && hasArgPair(argv, '--state-dir', host.agentStateDir),
};
