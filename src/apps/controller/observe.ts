/**
 * @module apps/controller/observe — one observation pass: ask every awake node for its load
 * samples and its containers, store the samples, and reconcile where each container really
 * runs (the agents are the truth for presence; the controller's records are the intent). A
 * migration that finished while the controller was away is found here.
 */
import type { AgentContainer, NodePort } from './node-port.ts';
import type { StateStore } from './state-store.ts';
import type { NodeRecord } from './records.ts';

/** What one pass saw. */
export interface Observation {
  /** Nodes whose agent did not answer. */
  unreachable: Set<string>;
  /** Containers each answering node runs. */
  running: Map<string, AgentContainer[]>;
  /** Changes made to container records, for events. */
  moved: Array<{ container: string; from: string; to: string }>;
  lost: string[];
  /** Nodes whose agent reports a power state the records did not have. */
  power: Array<{ node: string; power: 'awake' | 'sleeping' }>;
}

/** Polls the nodes and updates the store. */
export async function observe(store: StateStore, portOf: (n: NodeRecord) => NodePort, now: () => number): Promise<Observation> {
  const seen: Observation = { unreachable: new Set(), running: new Map(), moved: [], lost: [], power: [] };
  await Promise.all(store.nodes().map(async (n) => {
    const port = portOf(n);
    try {
      const m = await port.metrics();
      store.touchNode(n.name, now());
      if ((m.power === 'sleeping') !== (n.state === 'sleeping') && n.state !== 'waking') seen.power.push({ node: n.name, power: m.power });
      if (m.power === 'sleeping') return;
      const last = store.lastSamples(n.name, 1)[0];
      const newest = m.samples.at(-1);
      if (last && newest && newest.seq < last.seq) store.clearSamples(n.name); // the agent restarted: a new series
      store.addSamples(m.samples.map((s) => ({ node: n.name, seq: s.seq, at: s.at, load: s.node, containers: s.containers.map((c) => ({ name: c.name, cpuMillis: c.cpuMillis, memoryMiB: c.memoryMiB, networkMbps: c.networkMbps, dirtyRateMBps: c.dirtyRateMBps })) })));
      seen.running.set(n.name, (await port.containers()).filter((c) => c.running));
    } catch {
      seen.unreachable.add(n.name);
    }
  }));
  reconcile(store, seen);
  return seen;
}

/** Moves container records to where an agent runs them; marks lost what no reachable agent runs. */
function reconcile(store: StateStore, seen: Observation): void {
  const where = new Map<string, string>();
  for (const [node, list] of seen.running) for (const c of list) where.set(c.name, node);
  for (const c of store.containers()) {
    if (c.status === 'migrating') continue; // the migration's own record decides
    const at = where.get(c.name);
    if (at && at !== c.node) {
      seen.moved.push({ container: c.name, from: c.node, to: at });
      store.putContainer({ ...c, node: at, status: 'running' });
    } else if (!at && !seen.unreachable.has(c.node) && seen.running.has(c.node) && c.status === 'running') {
      // Only a node that answered can say a container is gone.
      seen.lost.push(c.name);
      store.putContainer({ ...c, status: 'lost' });
    } else if (at && c.status === 'lost') {
      store.putContainer({ ...c, node: at, status: 'running' });
    }
  }
}
