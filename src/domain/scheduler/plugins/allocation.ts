/**
 * @module domain/scheduler/plugins/allocation — the requested fractions the Kubernetes-style scorers
 * share: (requests on the node + the new request) / capacity, for CPU and memory, capped at 1;
 * for one node, or for every position of the cycle's columns.
 */
import type { NodeColumns, SchedulingCycle, SchedulingRequest } from '../framework.ts';
import type { NodeView } from '../types.ts';

/** (requested + request) / capacity for CPU, capped at 1 (a zero capacity counts as full). */
export function cpuFraction(cycle: SchedulingCycle, req: SchedulingRequest, node: NodeView): number {
  return capped(cycle.requested(node).cpuMillis + req.request.cpuMillis, node.capacity.cpuMillis);
}

/** (requested + request) / capacity for memory, capped at 1 (a zero capacity counts as full). */
export function memoryFraction(cycle: SchedulingCycle, req: SchedulingRequest, node: NodeView): number {
  return capped(cycle.requested(node).memoryMiB + req.request.memoryMiB, node.capacity.memoryMiB);
}

/** The batch form of a score of the two fractions: `out[j]` = `score(cpu, memory)` of the node at `positions[j]`, from the columns. */
export function scoreFractions(c: NodeColumns, req: SchedulingRequest, positions: Int32Array, count: number, out: Float64Array, score: (cpu: number, memory: number) => number): void {
  const cpu = req.request.cpuMillis;
  const memory = req.request.memoryMiB;
  for (let j = 0; j < count; j++) {
    const i = positions[j]!;
    out[j] = score(capped(c.requestedCpu[i]! + cpu, c.capacityCpu[i]!), capped(c.requestedMemory[i]! + memory, c.capacityMemory[i]!));
  }
}

/** amount / capacity in [0, 1]. */
function capped(amount: number, capacity: number): number {
  if (!(capacity > 0)) return 1;
  const f = amount / capacity;
  return f > 1 ? 1 : f < 0 ? 0 : f;
}
