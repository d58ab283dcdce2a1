/**
 * @module domain/scheduler/plugins/fits-resources — filter: the requests of the node's containers
 * (this tick's reservations included) plus the new request must fit the node's capacity, for
 * memory and CPU, and for network when the request asks for any. Requests, not measured use:
 * a request is what the container may claim at any time.
 */
import type { FilterPlugin, SchedulingCycle, SchedulingRequest, Status } from '../framework.ts';
import type { NodeView, Resources } from '../types.ts';

/** The plugin's name. */
export const NAME = 'fits-resources';

/** Why a node refuses. */
export const REASONS = {
  memory: 'insufficient-memory',
  cpu: 'insufficient-cpu',
  network: 'insufficient-network',
} as const;

type Reason = (typeof REASONS)[keyof typeof REASONS];

/** The hot loop's refusals: one shared constant per reason. */
const QUIET: Record<string, Status> = Object.fromEntries(Object.values(REASONS).map((r) => [r, Object.freeze({ plugin: NAME, reason: r, detail: r.replace('-', ' ') })]));

/** Filter: requested + request ≤ capacity, memory first (it cannot be overcommitted), then CPU, then network. */
export const fitsResources: FilterPlugin = {
  name: NAME,
  filter,
  filterAll(cycle, req, positions, count) {
    const c = cycle.columns();
    const want = req.request;
    let k = 0;
    for (let j = 0; j < count; j++) {
      const i = positions[j]!;
      if (shortOf(c.requestedMemory[i]!, c.requestedCpu[i]!, c.requestedNetwork[i]!, c.capacityMemory[i]!, c.capacityCpu[i]!, c.capacityNetwork[i]!, want) === undefined) positions[k++] = i;
    }
    return k;
  },
};

/** The node form: a shared constant per reason in the hot loop, the numbers when the cycle explains. */
function filter(cycle: SchedulingCycle, req: SchedulingRequest, node: NodeView): Status | undefined {
  const used = cycle.requested(node);
  const cap = node.capacity;
  const want = req.request;
  const reason = shortOf(used.memoryMiB, used.cpuMillis, used.networkMbps, cap.memoryMiB, cap.cpuMillis, cap.networkMbps, want);
  if (reason === undefined) return undefined;
  if (!cycle.explain) return QUIET[reason];
  if (reason === REASONS.memory) return refuse(reason, want.memoryMiB, cap.memoryMiB - used.memoryMiB, cap.memoryMiB, 'MiB');
  if (reason === REASONS.cpu) return refuse(reason, want.cpuMillis, cap.cpuMillis - used.cpuMillis, cap.cpuMillis, 'm');
  return refuse(reason, want.networkMbps, cap.networkMbps - used.networkMbps, cap.networkMbps, 'Mbit/s');
}

/** The first resource the request does not fit in (memory, CPU, then network if it asks for any), or undefined. */
function shortOf(usedMemory: number, usedCpu: number, usedNetwork: number, capMemory: number, capCpu: number, capNetwork: number, want: Resources): Reason | undefined {
  if (usedMemory + want.memoryMiB > capMemory) return REASONS.memory;
  if (usedCpu + want.cpuMillis > capCpu) return REASONS.cpu;
  if (want.networkMbps > 0 && usedNetwork + want.networkMbps > capNetwork) return REASONS.network;
  return undefined;
}

/** A refusal with the numbers: what the request needs and what the node has free. */
function refuse(reason: string, need: number, free: number, capacity: number, unit: string): Status {
  const u = unit === 'm' ? 'm' : ` ${unit}`;
  const left = Math.max(0, Math.floor(free));
  return {
    plugin: NAME,
    reason,
    detail: `needs ${need}${u}, free ${left}${u} of ${capacity}${u}`,
    compact: { prefix: `needs ${need}${u}, free`, value: String(left) },
  };
}
