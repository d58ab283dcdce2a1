/**
 * @module domain/scheduler/unschedulable — what `schedule()` answers when no node passes the filters:
 * under a policy that wakes nodes, the sleeping (or already waking) node that would pass once
 * awake; otherwise every node's refusal, and one compact message grouping the nodes by reason
 * ("no node can take web-1 (cpu 2000m, memory 4096 MiB): insufficient memory: h1, h2 (needs
 * 4096 MiB, free 1024/2048); asleep: h3"). This path is cold: it may allocate per node.
 */
import { FerryError } from '../../core/errors.ts';
import type { Decision, Policy, Refusal, ScheduleOptions, SchedulingCycle, SchedulingRequest, Status } from './framework.ts';
import type { ClusterView, NodeView, Resources, Utilisation } from './types.ts';

/** How many node names (and values) one group of the message shows before "and N more". */
const SHOWN = 8;
const IDLE: Utilisation = Object.freeze({ cpu: 0, memory: 0, network: 0 });

/** The node as it would be once awake: active, idle. */
function asAwake(node: NodeView): NodeView {
  return { ...node, state: 'active', usage: IDLE };
}

/** The first filter that refuses the node, or undefined. */
function firstRefusal(policy: Policy, cycle: SchedulingCycle, req: SchedulingRequest, node: NodeView): Status | undefined {
  for (const f of policy.filters) {
    const s = f.filter(cycle, req, node);
    if (s) return s;
  }
  return undefined;
}

/** True when a has more capacity than b (memory, then CPU, then network), ties to the lower name. */
function roomier(a: NodeView, b: NodeView): boolean {
  const x: Resources = a.capacity;
  const y: Resources = b.capacity;
  if (x.memoryMiB !== y.memoryMiB) return x.memoryMiB > y.memoryMiB;
  if (x.cpuMillis !== y.cpuMillis) return x.cpuMillis > y.cpuMillis;
  if (x.networkMbps !== y.networkMbps) return x.networkMbps > y.networkMbps;
  return a.name < b.name;
}

/** A view's waking and sleeping nodes, roomiest first (computed once per view). */
const ASLEEP = new WeakMap<ClusterView, { waking: NodeView[]; sleeping: NodeView[] }>();

function asleepByRoom(view: ClusterView): { waking: NodeView[]; sleeping: NodeView[] } {
  let found = ASLEEP.get(view);
  if (!found) {
    const order = (a: NodeView, b: NodeView): number => (roomier(a, b) ? -1 : 1);
    found = { waking: view.nodes.filter((n) => n.state === 'waking').sort(order), sleeping: view.nodes.filter((n) => n.state === 'sleeping').sort(order) };
    ASLEEP.set(view, found);
  }
  return found;
}

/** Unexplained: the hot loop refused every awake node; the roomiest waking, else sleeping, node that could take it. */
function quietNoFit(policy: Policy, cycle: SchedulingCycle, view: ClusterView, req: SchedulingRequest, options: ScheduleOptions): Decision {
  const numbers = (n: NodeView): Record<string, number> => ({ cpuMillis: n.capacity.cpuMillis, memoryMiB: n.capacity.memoryMiB, networkMbps: n.capacity.networkMbps });
  const can = (n: NodeView): boolean => !options.exclude?.has(n.name) && firstRefusal(policy, cycle, req, asAwake(n)) === undefined;
  if (policy.wakeSleeping) {
    const { waking, sleeping } = asleepByRoom(view);
    const w = waking.find(can);
    if (w) return { kind: 'wake', node: w.name, reason: 'already-waking', detail: `no active node can take ${req.name}; ${w.name} is already waking and can: wait for it`, numbers: numbers(w) };
    const s = sleeping.find(can);
    if (s) return { kind: 'wake', node: s.name, reason: 'wake-to-fit', detail: `no active node can take ${req.name}; wake ${s.name}, the largest sleeping node that can (cpu ${s.capacity.cpuMillis}m, memory ${s.capacity.memoryMiB} MiB)`, numbers: numbers(s) };
  }
  const message = `no node can take ${req.name} (${describeRequest(req.request)})`;
  return { kind: 'unschedulable', reason: 'no-node-fits', message, detail: message, numbers: { nodes: view.nodes.length }, refusals: [] };
}

/** The decision when no awake node passes: wake (if the policy may) or unschedulable with every refusal. */
export function noFit(policy: Policy, cycle: SchedulingCycle, view: ClusterView, req: SchedulingRequest, options: ScheduleOptions): Decision {
  if (!cycle.explain) return quietNoFit(policy, cycle, view, req, options);
  const refused: Array<{ node: string; status: Status }> = [];
  let waking: NodeView | undefined;
  let sleeping: NodeView | undefined;
  for (const node of view.nodes) {
    if (options.exclude?.has(node.name)) {
      refused.push({ node: node.name, status: { plugin: 'schedule', reason: 'excluded', detail: 'excluded by the caller (the container\'s own node, or one being drained)' } });
      continue;
    }
    let status = firstRefusal(policy, cycle, req, node);
    if (status && policy.wakeSleeping && (node.state === 'sleeping' || node.state === 'waking')) {
      const awake = firstRefusal(policy, cycle, req, asAwake(node));
      if (!awake) {
        if (node.state === 'waking' && (!waking || roomier(node, waking))) waking = node;
        if (node.state === 'sleeping' && (!sleeping || roomier(node, sleeping))) sleeping = node;
      } else {
        status = awake;
      }
    }
    if (status) refused.push({ node: node.name, status });
  }
  const numbers = (n: NodeView): Record<string, number> => ({ cpuMillis: n.capacity.cpuMillis, memoryMiB: n.capacity.memoryMiB, networkMbps: n.capacity.networkMbps });
  if (waking) {
    return { kind: 'wake', node: waking.name, reason: 'already-waking', detail: `no active node can take ${req.name}; ${waking.name} is already waking and can: wait for it`, numbers: numbers(waking) };
  }
  if (sleeping) {
    const c = sleeping.capacity;
    return { kind: 'wake', node: sleeping.name, reason: 'wake-to-fit', detail: `no active node can take ${req.name}; wake ${sleeping.name}, the largest sleeping node that can (cpu ${c.cpuMillis}m, memory ${c.memoryMiB} MiB)`, numbers: numbers(sleeping) };
  }
  const message = unschedulableMessage(req, refused, view.nodes.length);
  const refusals: Refusal[] = refused.map((r) => ({ node: r.node, plugin: r.status.plugin, reason: r.status.reason, detail: r.status.detail }));
  return { kind: 'unschedulable', reason: 'no-node-fits', message, detail: message, numbers: { nodes: view.nodes.length, refused: refusals.length }, refusals };
}

/** The request in a few words: "cpu 2000m, memory 4096 MiB[, network 100 Mbit/s]". */
export function describeRequest(r: Resources): string {
  return `cpu ${r.cpuMillis}m, memory ${r.memoryMiB} MiB${r.networkMbps > 0 ? `, network ${r.networkMbps} Mbit/s` : ''}`;
}

/** One message listing why each node refused, nodes grouped by plugin and reason in node order. */
export function unschedulableMessage(req: SchedulingRequest, refused: ReadonlyArray<{ node: string; status: Status }>, nodeCount: number): string {
  const head = `no node can take ${req.name} (${describeRequest(req.request)})`;
  if (nodeCount === 0) return `${head}: the cluster has no nodes`;
  const groups = new Map<string, Array<{ node: string; status: Status }>>();
  for (const r of refused) {
    const key = `${r.status.plugin}\u0000${r.status.reason}`;
    const g = groups.get(key);
    if (g) g.push(r);
    else groups.set(key, [r]);
  }
  const parts = [...groups.values()].map((g) => {
    const first = g[0]!.status;
    const label = first.reason.replaceAll('-', ' ');
    const prefix = first.compact?.prefix;
    const values = prefix !== undefined && g.every((r) => r.status.compact?.prefix === prefix) ? g.map((r) => r.status.compact!.value) : undefined;
    const numbers = values ? ` (${prefix} ${shorten(values, '/', '/…')})` : '';
    return `${label}: ${shorten(g.map((r) => r.node), ', ', ` and ${g.length - SHOWN} more`)}${numbers}`;
  });
  return `${head}: ${parts.join('; ')}`;
}

/** The first SHOWN items joined, and a tail when there are more. */
function shorten(items: readonly string[], sep: string, tail: string): string {
  return items.length <= SHOWN ? items.join(sep) : `${items.slice(0, SHOWN).join(sep)}${tail}`;
}

/** The error for an unschedulable decision: FERRY_ERR_UNSCHEDULABLE with the message, the refusals as details. */
export function unschedulableError(d: Extract<Decision, { kind: 'unschedulable' }>): FerryError {
  return new FerryError('FERRY_ERR_UNSCHEDULABLE', d.message, { details: { refusals: d.refusals } });
}
