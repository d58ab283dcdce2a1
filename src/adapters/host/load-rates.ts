/**
 * @module adapters/host/load-rates — the load model's inputs: readings of cumulative counters (CPU
 * time, bytes on the wire) and instantaneous memory, and the pure computation of one sample
 * of rates from two readings. No I/O here; the sampler and the readers do that.
 */

/** One container's counters at one instant. */
export interface ContainerReading {
  id: string;
  name: string;
  /** The container's ferry.* labels. */
  labels: Record<string, string>;
  /** When the container's current run started (epoch ms): its counters were zero then. */
  startedAt: number;
  /** Cumulative CPU time of its cgroup, in ns. */
  cpuNs: number;
  /** Resident memory now, in bytes. */
  memoryBytes: number;
  /** Cumulative bytes received plus sent by its network namespace. */
  netBytes: number;
}

/** The counters of a node and its containers at one instant. */
export interface LoadReading {
  /** Wall clock of the reading, epoch ms. */
  at: number;
  /** Monotonic clock of the reading, ms (intervals are measured on it). */
  mono: number;
  containers: ContainerReading[];
  /** Cumulative CPU time of the node's cgroup parent, in ns; absent: the node's CPU is its containers' sum. */
  nodeCpuNs?: number;
  /** Cumulative bytes received plus sent on the node's uplink. */
  nodeNetBytes: number;
}

/** The load of one container over an interval. */
export interface ContainerLoad {
  name: string;
  id: string;
  /** CPU used, in millicores (1000: one core busy). */
  cpuMillis: number;
  /** Resident memory at the end of the interval, in MiB. */
  memoryMiB: number;
  /** Bytes received plus sent, in Mbit/s. */
  networkMbps: number;
  /** Memory written per second, in MB/s (0: not measured; measuring it costs a page walk). */
  dirtyRateMBps: number;
  labels: Record<string, string>;
}

/** The load of a node over an interval. */
export interface NodeLoad {
  cpuMillis: number;
  memoryMiB: number;
  networkMbps: number;
}

/** One sample: the loads over the interval that ended at `at`. */
export interface LoadSample {
  /** Increases by one per sample of this agent. */
  seq: number;
  /** End of the interval, epoch ms. */
  at: number;
  node: NodeLoad;
  containers: ContainerLoad[];
}

const MIB = 1024 * 1024;

/** Rounds to `digits` decimals (samples go on the wire as JSON; no one needs 15 digits of noise). */
function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/** Millicores from CPU ns over seconds: ns / (s × 1e9) cores × 1000. */
function millicores(deltaNs: number, seconds: number): number {
  return round(Math.max(0, deltaNs) / (seconds * 1e6), 1);
}

/** Mbit/s from bytes over seconds. */
function mbps(deltaBytes: number, seconds: number): number {
  return round((Math.max(0, deltaBytes) * 8) / 1e6 / seconds, 3);
}

/**
 * The load of a container between two readings. A container the previous reading lacks (or
 * that restarted since: another start time) is measured from its start, when its counters
 * were zero — so a container that appears mid-interval is not reported idle.
 */
export function containerLoad(prev: ContainerReading | undefined, cur: ContainerReading, prevMono: number, curMono: number, curAt: number): ContainerLoad {
  const same = prev !== undefined && prev.startedAt === cur.startedAt;
  const seconds = same ? (curMono - prevMono) / 1000 : (curAt - cur.startedAt) / 1000;
  const base = same ? prev : { cpuNs: 0, netBytes: 0 };
  const ok = seconds > 0;
  return {
    name: cur.name,
    id: cur.id,
    cpuMillis: ok ? millicores(cur.cpuNs - base.cpuNs, seconds) : 0,
    memoryMiB: round(cur.memoryBytes / MIB, 1),
    networkMbps: ok ? mbps(cur.netBytes - base.netBytes, seconds) : 0,
    dirtyRateMBps: 0,
    labels: cur.labels,
  };
}

/**
 * One sample from two readings of the same node. The node's CPU is its cgroup parent's when
 * both readings have it (that includes work of containers that came and went within the
 * interval), else the sum of its containers'. Its memory is the sum of its containers'. Its
 * network is its uplink's; a counter that went down (the interface was recreated) counts 0.
 */
export function loadSample(prev: LoadReading, cur: LoadReading, seq: number): LoadSample {
  const seconds = (cur.mono - prev.mono) / 1000;
  const before = new Map(prev.containers.map((c) => [c.id, c]));
  const containers = cur.containers.map((c) => containerLoad(before.get(c.id), c, prev.mono, cur.mono, cur.at));
  const sum = (f: (c: ContainerLoad) => number): number => containers.reduce((s, c) => s + f(c), 0);
  const nodeCpu = prev.nodeCpuNs !== undefined && cur.nodeCpuNs !== undefined && seconds > 0
    ? millicores(cur.nodeCpuNs - prev.nodeCpuNs, seconds)
    : round(sum((c) => c.cpuMillis), 1);
  return {
    seq,
    at: cur.at,
    node: {
      cpuMillis: nodeCpu,
      memoryMiB: round(sum((c) => c.memoryMiB), 1),
      networkMbps: seconds > 0 ? mbps(cur.nodeNetBytes - prev.nodeNetBytes, seconds) : 0,
    },
    containers,
  };
}
