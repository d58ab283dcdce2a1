/**
 * @module domain/scheduler/memory — what the rebalancer remembers between ticks, as plain JSON (the
 * controller keeps it in SQLite so a restart resumes; the simulator keeps it in RAM): each
 * node's colour and since when, since when it is green and since when its CPU is above W; each
 * container's last move; the migration budget's period and what it used. `remember` folds a
 * new view in and returns a new memory; the input is never changed.
 */
import { weightsFor, loadOf, type SchedulerParams } from './load-model.ts';
import { colourFor, inHysteresisBand, isMeasured } from './node-colour.ts';
import type { ClusterView, NodeColour } from './types.ts';

/** The memory's format version; another version is discarded and started afresh. */
export const MEMORY_VERSION = 1;

/** What is remembered of one node. Times are `view.now` values (ms). */
export interface NodeMemory {
  /** The colour last tick (absent: not measured — asleep, waking, unreachable — or new). */
  colour?: NodeColour;
  /** When it took that colour. */
  colourSince?: number;
  /** Since when it is green without a break (reset when woken or undrained). */
  greenSince?: number;
  /** Since when its CPU utilisation is above W without a break (reset after a relief move). */
  aboveWSince?: number;
}

/** What is remembered of one container. */
export interface ContainerMemory {
  /** When the rebalancer last asked to move it. */
  movedAt: number;
}

/** The rebalancer's memory. */
export interface RebalanceMemory {
  version: typeof MEMORY_VERSION;
  nodes: Record<string, NodeMemory>;
  containers: Record<string, ContainerMemory>;
  /** The migration budget: the current period's start and the moves started in it. */
  budget: { periodStart: number; used: number };
}

/** A memory with nothing in it. */
export function emptyMemory(now = 0): RebalanceMemory {
  return { version: MEMORY_VERSION, nodes: {}, containers: {}, budget: { periodStart: now, used: 0 } };
}

/** Folds a view into the memory: colours with hysteresis, the green and above-W clocks, the budget period, stale entries dropped. */
export function remember(view: ClusterView, memory: RebalanceMemory | undefined, params: SchedulerParams): RebalanceMemory {
  const now = view.now;
  const prev = memory && memory.version === MEMORY_VERSION ? memory : emptyMemory(now);
  const w = weightsFor(params.defaultAppType, params);
  const nodes: Record<string, NodeMemory> = {};
  for (const node of view.nodes) {
    const was = prev.nodes[node.name];
    if (!isMeasured(node)) {
      nodes[node.name] = {};
      continue;
    }
    const colour = colourFor(loadOf(node.usage, w), was?.colour, params);
    const rec: NodeMemory = { colour, colourSince: was?.colour === colour ? (was.colourSince ?? now) : now };
    if (colour === 'green') rec.greenSince = was?.colour === 'green' ? (was.greenSince ?? now) : now;
    if (node.usage.cpu > params.overloadW) rec.aboveWSince = was?.aboveWSince ?? now;
    nodes[node.name] = rec;
  }
  const keep = Math.max(params.cooldownMs, params.budgetPeriodMs);
  const containers: Record<string, ContainerMemory> = {};
  for (const [name, c] of Object.entries(prev.containers)) if (now - c.movedAt < keep && c.movedAt <= now) containers[name] = { movedAt: c.movedAt };
  let { periodStart, used } = prev.budget;
  if (now >= periodStart + params.budgetPeriodMs || now < periodStart) {
    periodStart = now;
    used = 0;
  }
  return { version: MEMORY_VERSION, nodes, containers, budget: { periodStart, used } };
}

/**
 * The colour for a Wi with the node's previous colour from the memory, read only inside a
 * hysteresis band (the scheduler asks this of 10,000 nodes per placement; most skip the lookup).
 */
export function colourRemembered(wi: number, node: string, memory: RebalanceMemory | undefined, params: SchedulerParams): NodeColour {
  return colourFor(wi, inHysteresisBand(wi, params) ? memory?.nodes[node]?.colour : undefined, params);
}

/** True while a container moved less than cooldownMs ago. */
export function inCooldown(memory: RebalanceMemory, container: string, now: number, params: SchedulerParams): boolean {
  const c = memory.containers[container];
  return c !== undefined && now - c.movedAt < params.cooldownMs;
}

/**
 * Moves the budget still allows in this period: migrationBudget minus the moves started in
 * it, minus migrations still in flight that started before it (or not by the rebalancer).
 */
export function budgetLeft(view: ClusterView, memory: RebalanceMemory, params: SchedulerParams): number {
  let earlier = 0;
  for (const node of view.nodes) {
    for (const c of node.containers) {
      if (!c.migrating) continue;
      const moved = memory.containers[c.name]?.movedAt;
      if (moved === undefined || moved < memory.budget.periodStart) earlier++;
    }
  }
  return Math.max(0, params.migrationBudget - memory.budget.used - earlier);
}
