/**
 * @module apps/controller/cluster-view — turns what the controller stored (nodes, containers, the
 * last D load samples) into the scheduler's `ClusterView`. Pure: the paper's averaging over D
 * samples happens here, and a container not yet seen in any sample counts as its request.
 */
import type { ClusterView, ContainerView, NodeView, Resources, Utilisation } from '../../domain/scheduler/index.ts';
import type { ContainerRecord, NodeRecord, SampleRow } from './records.ts';

/** Mean load of the samples, absolute units; undefined when there are none. */
export function meanLoad(samples: readonly SampleRow[]): Resources | undefined {
  if (samples.length === 0) return undefined;
  const sum = { cpuMillis: 0, memoryMiB: 0, networkMbps: 0 };
  for (const s of samples) {
    sum.cpuMillis += s.load.cpuMillis;
    sum.memoryMiB += s.load.memoryMiB;
    sum.networkMbps += s.load.networkMbps;
  }
  const n = samples.length;
  return { cpuMillis: sum.cpuMillis / n, memoryMiB: sum.memoryMiB / n, networkMbps: sum.networkMbps / n };
}

/** Utilisation as fractions of capacity (a zero capacity counts as fully used when anything is asked of it). */
export function utilisation(load: Resources, capacity: Resources): Utilisation {
  const frac = (used: number, cap: number): number => (cap > 0 ? used / cap : used > 0 ? 1 : 0);
  return { cpu: frac(load.cpuMillis, capacity.cpuMillis), memory: frac(load.memoryMiB, capacity.memoryMiB), network: frac(load.networkMbps, capacity.networkMbps) };
}

/** Each container's mean load over the samples that list it, with its dirty rate. */
function containerLoads(samples: readonly SampleRow[]): Map<string, { load: Resources; dirtyRateMBps: number }> {
  const acc = new Map<string, { cpu: number; mem: number; net: number; dirty: number; n: number }>();
  for (const s of samples) {
    for (const c of s.containers) {
      const a = acc.get(c.name) ?? { cpu: 0, mem: 0, net: 0, dirty: 0, n: 0 };
      a.cpu += c.cpuMillis;
      a.mem += c.memoryMiB;
      a.net += c.networkMbps;
      a.dirty += c.dirtyRateMBps;
      a.n += 1;
      acc.set(c.name, a);
    }
  }
  const out = new Map<string, { load: Resources; dirtyRateMBps: number }>();
  for (const [name, a] of acc) out.set(name, { load: { cpuMillis: a.cpu / a.n, memoryMiB: a.mem / a.n, networkMbps: a.net / a.n }, dirtyRateMBps: a.dirty / a.n });
  return out;
}

/** Inputs of one view. */
export interface ViewInputs {
  now: number;
  nodes: readonly NodeRecord[];
  containers: readonly ContainerRecord[];
  /** The last D samples of a node, oldest first. */
  samplesOf: (node: string) => readonly SampleRow[];
  /** Which nodes hold the first data replica of which apps. */
  dataOf?: (node: string) => readonly string[];
}

/** Builds the scheduler's view of the cluster. */
export function buildView(inputs: ViewInputs): ClusterView {
  const byNode = new Map<string, ContainerRecord[]>();
  for (const c of inputs.containers) {
    if (c.status === 'removed' || c.status === 'lost') continue;
    const list = byNode.get(c.node) ?? [];
    list.push(c);
    byNode.set(c.node, list);
  }
  const nodes: NodeView[] = inputs.nodes.map((n) => {
    const samples = inputs.samplesOf(n.name);
    const seen = containerLoads(samples);
    const containers: ContainerView[] = (byNode.get(n.name) ?? []).map((c) => {
      const s = seen.get(c.name);
      return {
        name: c.name, app: c.app, appType: c.appType, node: n.name, request: c.request,
        usage: s?.load ?? c.request, dirtyRateMBps: s?.dirtyRateMBps ?? 0, migrating: c.status === 'migrating',
      };
    });
    // Containers placed after the last sample are not in the node's measured load yet: add their requests.
    const measured = meanLoad(samples) ?? { cpuMillis: 0, memoryMiB: 0, networkMbps: 0 };
    const unseen = containers.filter((c) => !seen.has(c.name));
    const load = unseen.reduce((a, c) => ({ cpuMillis: a.cpuMillis + c.request.cpuMillis, memoryMiB: a.memoryMiB + c.request.memoryMiB, networkMbps: a.networkMbps + c.request.networkMbps }), measured);
    const view: NodeView = { name: n.name, state: n.state, capacity: n.capacity, usage: utilisation(load, n.capacity), containers, zone: n.zone, rack: n.rack };
    const data = inputs.dataOf?.(n.name);
    return data && data.length ? { ...view, dataOf: data } : view;
  });
  return { now: inputs.now, nodes };
}
