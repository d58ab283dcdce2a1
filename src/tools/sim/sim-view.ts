/**
 * @module tools/sim/sim-view — the simulated cluster as the controller stores a real one: node and
 * container records and each node's last D load samples, turned into the scheduler's
 * `ClusterView` by the controller's own `buildView`. So the scheduler sees a simulated cluster
 * exactly as it sees agents: averaged samples, unseen containers as their requests.
 */
import { buildView } from '../../apps/controller/cluster-view.ts';
import type { ContainerRecord, NodeRecord, SampleRow } from '../../apps/controller/records.ts';
import type { ClusterView } from '../../domain/scheduler/index.ts';
import type { SimHost } from './sim-host.ts';
import type { SimContainerSpec } from './trace/types.ts';

/** Each host's last D samples, oldest first. */
export class SampleBook {
  private readonly rows = new Map<string, SampleRow[]>();
  private seq = 0;
  private readonly keep: number;

  constructor(keep: number) {
    this.keep = keep;
  }

  /** Takes a sample of every awake host at t. */
  sample(hosts: readonly SimHost[], t: number): void {
    for (const h of hosts) {
      if (!h.awake) continue;
      h.settle(t);
      const s = h.takeSample(t);
      const list = this.rows.get(h.spec.name) ?? [];
      list.push({ node: h.spec.name, seq: ++this.seq, at: t, load: s.load, containers: s.containers });
      if (list.length > this.keep) list.shift();
      this.rows.set(h.spec.name, list);
    }
  }

  /** Forgets a host's samples (it slept or woke: its old load says nothing now), restarting its sums at t. */
  clear(host: SimHost, t: number): void {
    this.rows.delete(host.spec.name);
    host.settle(t);
    host.takeSample(t);
  }

  /** The samples of one host. */
  of(node: string): readonly SampleRow[] {
    return this.rows.get(node) ?? [];
  }
}

/** The scheduler's view of the simulated cluster at t. */
export function simView(hosts: readonly SimHost[], samples: SampleBook, t: number, bound?: ReadonlyMap<SimHost, readonly SimContainerSpec[]>): ClusterView {
  const nodes: NodeRecord[] = [];
  const containers: ContainerRecord[] = [];
  for (const h of hosts) {
    const s = h.spec;
    nodes.push({ name: s.name, controlUrl: '', dataHost: '', capacity: s.capacity, state: h.state, zone: s.zone, rack: s.rack, registeredAt: 0, lastSeen: t });
    for (const c of h.containers) {
      const spec = c.spec;
      containers.push({ name: spec.name, app: spec.app, appType: spec.appType, node: s.name, image: 'sim', request: spec.request, status: c.migration ? 'migrating' : 'running', createdAt: c.startedAt });
    }
    // Bound to a waking host: the controller's records would list them there already.
    for (const spec of bound?.get(h) ?? []) containers.push({ name: spec.name, app: spec.app, appType: spec.appType, node: s.name, image: 'sim', request: spec.request, status: 'running', createdAt: t });
  }
  return buildView({ now: t, nodes, containers, samplesOf: (n) => samples.of(n) });
}
