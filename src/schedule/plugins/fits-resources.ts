/**
 * @module schedule/plugins/fits-resources — filter: the requests of the node's containers
 * (this tick's reservations included) plus the new request must fit the node's capacity, for
 * memory and CPU, and for network when the request asks for any. Requests, not measured use:
 * a request is what the container may claim at any time.
 */
import type { FilterPlugin, Status } from '../framework.ts';

/** The plugin's name. */
export const NAME = 'fits-resources';

/** Why a node refuses. */
export const REASONS = {
  memory: 'insufficient-memory',
  cpu: 'insufficient-cpu',
  network: 'insufficient-network',
} as const;

/** The hot loop's refusals: one shared constant per reason. */
const QUIET: Record<string, Status> = Object.fromEntries(Object.values(REASONS).map((r) => [r, Object.freeze({ plugin: NAME, reason: r, detail: r.replace('-', ' ') })]));

/** Filter: requested + request ≤ capacity, memory first (it cannot be overcommitted), then CPU, then network. */
export const fitsResources: FilterPlugin = {
  name: NAME,
  filter(cycle, req, node) {
    const used = cycle.requested(node);
    const cap = node.capacity;
    const want = req.request;
    if (used.memoryMiB + want.memoryMiB > cap.memoryMiB) {
      return cycle.explain ? refuse(REASONS.memory, want.memoryMiB, cap.memoryMiB - used.memoryMiB, cap.memoryMiB, 'MiB') : QUIET[REASONS.memory];
    }
    if (used.cpuMillis + want.cpuMillis > cap.cpuMillis) {
      return cycle.explain ? refuse(REASONS.cpu, want.cpuMillis, cap.cpuMillis - used.cpuMillis, cap.cpuMillis, 'm') : QUIET[REASONS.cpu];
    }
    if (want.networkMbps > 0 && used.networkMbps + want.networkMbps > cap.networkMbps) {
      return cycle.explain ? refuse(REASONS.network, want.networkMbps, cap.networkMbps - used.networkMbps, cap.networkMbps, 'Mbit/s') : QUIET[REASONS.network];
    }
    return undefined;
  },
};

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
