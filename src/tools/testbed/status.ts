/** @module tools/testbed/status — the health of a test bed per host (netns, dockerd, agent, link, tc rate), as data and as a table. */
import { loadConfig, type Config } from '../../core/config.ts';
import { probeNetem } from '../doctor/index.ts';
import { agentHealth, bedCredentials } from './agent.ts';
import { planOfCluster, tryLoadCluster, clusterFile } from './cluster.ts';
import { dockerPing } from './dockerd.ts';
import { linkState, netnsExists, rootQdisc } from './net.ts';
import { isAlive } from './procs.ts';

/** The state of one host. */
export interface HostStatus {
  name: string;
  ip: string;
  /** 'off' while the host sleeps (`ferry testbed power HOST off`): its dockerd is meant to be down. */
  power: 'on' | 'off';
  netns: boolean;
  dockerd: { pid: number | null; alive: boolean; ping: boolean };
  /** null when the test bed runs no agents (`up --no-agents`); pid null when this host's agent was stopped. */
  agent: { pid: number | null; alive: boolean; health: boolean } | null;
  /** Operational state of the host's veth ("UP", "DOWN"...), or null when it is missing. */
  link: string | null;
  /** Shaped rate in Mbit/s of the veth end in the root namespace and of eth0 in the host. */
  rateMbit: { root: number | null; host: number | null };
}

/** The state of the whole test bed. */
export interface TestbedStatus {
  up: boolean;
  stateDir: string;
  createdAt: string | null;
  bandwidthMbit: number | null;
  agents: boolean;
  hosts: HostStatus[];
  /** What the test bed cannot do on this machine (e.g. latency shaping without netem). */
  limitations: string[];
  /** Every host has its netns, a live answering dockerd, an up link, and a healthy agent when agents run. */
  healthy: boolean;
}

/** True when a host is fully working (a powered-off host: everything but its dockerd). */
export function hostHealthy(h: HostStatus): boolean {
  const engine = h.power === 'off' || (h.dockerd.alive && h.dockerd.ping);
  return h.netns && engine && h.link !== null && h.link !== 'DOWN' && (h.agent === null || (h.agent.alive && h.agent.health));
}

/** Looks at every host of the test bed in a state dir. */
export async function testbedStatus(options: { config?: Config; stateDir?: string } = {}): Promise<TestbedStatus> {
  const stateDir = options.stateDir ?? (options.config ?? loadConfig()).testbed.stateDir;
  const netem = await probeNetem();
  const limitations = netem.status === 'ok' ? [] : [`${netem.detail}: only bandwidth is shaped (tbf), links add no latency`];
  const cluster = await tryLoadCluster(stateDir);
  if (!cluster) return { up: false, stateDir, createdAt: null, bandwidthMbit: null, agents: false, hosts: [], limitations, healthy: false };
  const plan = planOfCluster(cluster);
  const credentials = await bedCredentials(cluster).catch(() => ({}));
  const hosts = await Promise.all(cluster.hosts.map(async (c): Promise<HostStatus> => {
    const p = plan.hosts.find((h) => h.name === c.name);
    const netns = await netnsExists(c.netns);
    const agentPid = c.pids.agent;
    return {
      name: c.name, ip: c.ip, power: c.power ?? 'on', netns,
      dockerd: { pid: c.pids.dockerd, alive: c.pids.dockerd !== null && (await isAlive(c.pids.dockerd)), ping: await dockerPing(c.dockerSocket) },
      agent: agentPid === null && !cluster.agents ? null : {
        pid: agentPid, alive: agentPid !== null && (await isAlive(agentPid)), health: (await agentHealth(c.controlUrl, credentials)).ok,
      },
      link: (await linkState(c.veth))?.operstate ?? null,
      rateMbit: {
        root: (await rootQdisc(c.veth))?.rateMbit ?? null,
        host: netns && p ? (await rootQdisc(p.ifname, c.netns))?.rateMbit ?? null : null,
      },
    };
  }));
  return {
    up: true, stateDir, createdAt: cluster.createdAt, bandwidthMbit: cluster.bandwidthMbit, agents: cluster.agents,
    hosts, limitations, healthy: hosts.every(hostHealthy),
  };
}

const yes = (b: boolean): string => (b ? 'yes' : 'NO');

/** The dockerd and ping cells: a powered-off host's dockerd is meant to be down. */
function engineCells(h: HostStatus): [string, string] {
  if (h.power === 'off') return [h.dockerd.alive ? `powered off, ${h.dockerd.pid} alive` : 'powered off', h.dockerd.ping ? 'yes' : '-'];
  return [h.dockerd.pid === null ? '-' : `${h.dockerd.pid}${h.dockerd.alive ? '' : ' (dead)'}`, yes(h.dockerd.ping)];
}

/** The status as a terminal table. */
export function formatStatus(s: TestbedStatus): string {
  if (!s.up) {
    return `no test bed is up (${clusterFile(s.stateDir)} is missing); start one with \`ferry testbed up\`\n${s.limitations.map((l) => `limitation: ${l}\n`).join('')}`;
  }
  const header = ['host', 'ip', 'netns', 'dockerd', 'ping', 'agent', 'health', 'link', 'rate Mbit/s (root/host)'];
  const rows: string[][] = [header];
  for (const h of s.hosts) {
    rows.push([
      h.name, h.ip, yes(h.netns),
      ...engineCells(h),
      h.agent === null ? 'off' : h.agent.pid === null ? 'stopped' : `${h.agent.pid}${h.agent.alive ? '' : ' (dead)'}`, h.agent === null ? '-' : yes(h.agent.health),
      h.link ?? 'missing', `${h.rateMbit.root ?? '-'}/${h.rateMbit.host ?? '-'}`,
    ]);
  }
  const widths = header.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  const lines = rows.map((r) => r.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd());
  lines.unshift(`test bed in ${s.stateDir}, up since ${s.createdAt}, ${s.bandwidthMbit} Mbit/s per link, agents ${s.agents ? 'on' : 'off'}`);
  for (const l of s.limitations) lines.push(`limitation: ${l}`);
  const asleep = s.hosts.filter((h) => h.power === 'off').map((h) => h.name);
  if (asleep.length > 0) lines.push(`powered off: ${asleep.join(', ')}`);
  lines.push(s.healthy ? 'all hosts healthy' : `unhealthy: ${s.hosts.filter((h) => !hostHealthy(h)).map((h) => h.name).join(', ')}`);
  return `${lines.join('\n')}\n`;
}
