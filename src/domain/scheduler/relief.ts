/**
 * @module domain/scheduler/relief — overload relief. The paper migrates applications off a node whose
 * average utilisation over a period exceeds a constant W; ferry measures that as the node's
 * CPU utilisation (Wc, the config's `overloadW`), not Wi: CPU is what starves co-located
 * containers, while memory is held by requests and network rarely saturates alone. A node
 * above W for overloadForMs gives up one container per relief, the cheapest to move live
 * (memory MiB × (1 + dirty MB/s): the pages a pre-copy must send) among those whose removal
 * brings it back to W or below, else the one that removes most CPU per unit of cost. The
 * destination comes from schedule() and must stay out of the red; when no active node can
 * take it, the largest sleeping node that can is woken.
 */
import { ACTION_REASONS } from './actions.ts';
import { fraction } from './load-model.ts';
import { inCooldown } from './memory.ts';
import type { TickPlan } from './tick-plan.ts';
import type { ContainerView, NodeView } from './types.ts';

/** A container of an overloaded node, priced. */
export interface Victim {
  container: ContainerView;
  /** CPU utilisation of the node it takes away. */
  removes: number;
  /** The node's CPU utilisation without it. */
  after: number;
  /** memory MiB × (1 + dirty MB/s). */
  cost: number;
  /** True when removing it alone brings the node to W or below. */
  enough: boolean;
}

/** The node's movable containers (not migrating, not cooling down), best victim first. */
export function rankVictims(node: NodeView, plan: TickPlan): Victim[] {
  const W = plan.params.overloadW;
  const victims: Victim[] = [];
  for (const c of node.containers) {
    if (c.migrating || inCooldown(plan.memory, c.name, plan.now, plan.params)) continue;
    const removes = fraction(c.usage.cpuMillis, node.capacity.cpuMillis);
    const after = node.usage.cpu - removes;
    victims.push({ container: c, removes, after, cost: Math.max(1, c.usage.memoryMiB) * (1 + Math.max(0, c.dirtyRateMBps)), enough: after <= W });
  }
  return victims.sort((a, b) => {
    if (a.enough !== b.enough) return a.enough ? -1 : 1;
    const d = a.enough ? a.cost - b.cost : b.removes / b.cost - a.removes / a.cost;
    if (d !== 0) return d;
    return a.container.name < b.container.name ? -1 : a.container.name > b.container.name ? 1 : 0;
  });
}

/** Relieves every node whose CPU stayed above W for overloadForMs, hottest first, within the budget. */
export function relieveOverloads(plan: TickPlan): void {
  const p = plan.params;
  const hot = plan.byName((n) => {
    const since = plan.memory.nodes[n.name]?.aboveWSince;
    return n.state === 'active' && since !== undefined && plan.now - since >= p.overloadForMs && !n.containers.some((c) => c.migrating);
  }).sort((a, b) => b.usage.cpu - a.usage.cpu);
  for (const node of hot) {
    if (plan.budget <= 0) return;
    relieve(node, plan);
  }
}

/** Moves the best victim that has a destination, or wakes a node for the first one. */
function relieve(node: NodeView, plan: TickPlan): void {
  const p = plan.params;
  const since = plan.memory.nodes[node.name]!.aboveWSince!;
  const victims = rankVictims(node, plan);
  let wake: { node: string; victim: Victim } | undefined;
  for (const v of victims) {
    const d = plan.destination(v.container, node.name);
    if (d.kind === 'place') {
      const c = v.container;
      const why = v.enough ? 'the cheapest container whose move brings it back to W' : 'no single move brings it back to W; the most CPU per unit of cost';
      plan.migrate(c, node.name, d.node, {
        reason: ACTION_REASONS.overloaded,
        detail: `${node.name}'s CPU at ${node.usage.cpu.toFixed(2)} stayed above W ${p.overloadW} for ${plan.secondsSince(since)} s: move ${c.name} (${why}: cost ${v.cost.toFixed(0)} = ${c.usage.memoryMiB} MiB × (1 + ${c.dirtyRateMBps} MB/s); CPU ${node.usage.cpu.toFixed(2)} → ${v.after.toFixed(2)}) to ${d.node}`,
        numbers: { cpu: node.usage.cpu, overloadW: p.overloadW, secondsAbove: plan.secondsSince(since), cpuAfter: v.after, cost: v.cost, memoryMiB: c.usage.memoryMiB, dirtyRateMBps: c.dirtyRateMBps, destinationScore: d.numbers['score'] ?? 0 },
      });
      // One move per relief: the node must stay above W for overloadForMs anew before the next.
      delete plan.nodeMemory(node.name).aboveWSince;
      return;
    }
    if (d.kind === 'wake' && d.reason === 'wake-to-fit' && !wake) wake = { node: d.node, victim: v };
  }
  if (!wake || plan.woke || plan.view.nodes.some((n) => n.state === 'waking')) return;
  const v = wake.victim;
  plan.nodeAction('wake', wake.node, {
    reason: ACTION_REASONS.overloadNoRoom,
    detail: `${node.name}'s CPU at ${node.usage.cpu.toFixed(2)} stayed above W ${p.overloadW} for ${plan.secondsSince(since)} s and no active node can take ${v.container.name}: wake ${wake.node}`,
    numbers: { cpu: node.usage.cpu, overloadW: p.overloadW, secondsAbove: plan.secondsSince(since), victimCpu: v.removes },
  });
}
