/**
 * @module domain/scheduler/drain — the paper's green nodes: a node green for idleForMs whose
 * containers all fit on other active nodes (placed by schedule() under the same filters, so
 * each destination stays out of the red; the most loaded first, so nothing lands on a node
 * that will be drained next) is set to drain; a draining node's containers move one by one
 * within the budget; an empty draining node sleeps; a draining node whose containers no
 * longer fit anywhere, or whose sleep would leave fewer than minAwake nodes awake, is
 * undrained. At most drainsAtOnce non-empty nodes drain at a time; empty ones need no move and are not held up.
 */
import { ACTION_REASONS } from './actions.ts';
import type { Decision } from './framework.ts';
import { loadOf, weightsFor } from './load-model.ts';
import { inCooldown } from './memory.ts';
import { isMeasured } from './node-colour.ts';
import type { TickPlan } from './tick-plan.ts';
import type { ContainerView, NodeView } from './types.ts';

/** At most this many non-empty drain candidates are checked per tick (each check schedules all their containers). */
export const DRAIN_CHECKS_PER_TICK = 4;

/** Plans a destination for every container; on the first that fits nowhere, releases the plan and names it. */
function planAll(plan: TickPlan, node: NodeView, containers: readonly ContainerView[]): { moves: Array<{ c: ContainerView; to: string }> } | { stuck: ContainerView; decision: Decision } {
  const moves: Array<{ c: ContainerView; to: string }> = [];
  for (const c of containers) {
    const d = plan.destination(c, node.name);
    if (d.kind !== 'place') {
      for (const m of moves) plan.book.unreserve(m.c.name);
      return { stuck: c, decision: d };
    }
    moves.push({ c, to: d.node });
  }
  return { moves };
}

/** Sleeps, undrains or empties each draining node. */
export function continueDrains(plan: TickPlan): void {
  const p = plan.params;
  for (const node of plan.byName((n) => n.state === 'draining')) {
    if (node.containers.length === 0) {
      const awake = plan.awakeCount();
      if (awake < p.minAwake) {
        plan.nodeAction('undrain', node.name, { reason: ACTION_REASONS.minAwake, detail: `${node.name} is empty, but only ${awake} node(s) are awake and minAwake is ${p.minAwake}: keep it`, numbers: { awake, minAwake: p.minAwake } });
      } else {
        plan.nodeAction('sleep', node.name, { reason: ACTION_REASONS.drainComplete, detail: `${node.name} is drained: put it to sleep (${awake} node(s) stay awake)`, numbers: { awake, minAwake: p.minAwake } });
      }
      continue;
    }
    const staying = node.containers.filter((c) => !c.migrating);
    if (staying.length === 0) continue; // everything is on its way out
    const planned = planAll(plan, node, staying);
    if ('stuck' in planned) {
      const explained = planned.decision.kind === 'unschedulable' ? plan.destination(planned.stuck, node.name, true) : planned.decision;
      const why = explained.kind === 'unschedulable' ? explained.message : `no active node can take ${planned.stuck.name}`;
      plan.nodeAction('undrain', node.name, { reason: ACTION_REASONS.noRoom, detail: `${node.name} cannot be emptied: ${why}`, numbers: { containers: staying.length } });
      continue;
    }
    for (const m of planned.moves) {
      if (plan.budget > 0 && !inCooldown(plan.memory, m.c.name, plan.now, p)) {
        plan.migrate(m.c, node.name, m.to, { reason: ACTION_REASONS.draining, detail: `${node.name} is draining: move ${m.c.name} to ${m.to}`, numbers: { containers: staying.length, budgetLeft: plan.budget - 1 } });
      } else {
        plan.book.unreserve(m.c.name); // waits for budget or cooldown
      }
    }
  }
}

/** Sets green nodes to drain: idle long enough, their containers fit elsewhere, minAwake others stay awake. */
export function startDrains(plan: TickPlan): void {
  const p = plan.params;
  const nodes = plan.view.nodes;
  // Never shrink while growing: a wake is pending. Nor while hot, unless drainWhileHot.
  if (plan.woke || nodes.some((n) => n.state === 'waking' || (!p.drainWhileHot && isMeasured(n) && n.usage.cpu > p.overloadW))) return;
  let busy = 0;
  for (const n of nodes) if (n.state === 'draining' && n.containers.length > 0) busy++;
  const w = weightsFor(p.defaultAppType, p);
  const candidates = plan.byName((n) => {
    const m = plan.memory.nodes[n.name];
    return n.state === 'active' && m?.colour === 'green' && m.greenSince !== undefined && plan.now - m.greenSince >= p.idleForMs
      && !n.containers.some((c) => c.migrating) && plan.book.on(n.name) === undefined;
  }).sort((a, b) => a.containers.length - b.containers.length || loadOf(a.usage, w) - loadOf(b.usage, w));
  let awake = plan.awakeCount();
  let checks = 0;
  for (const node of candidates) {
    if (awake - 1 < p.minAwake) return;
    if (plan.book.on(node.name) !== undefined) continue; // a destination of a drain planned this tick
    if (node.containers.length > 0) {
      if (busy >= p.drainsAtOnce || checks >= DRAIN_CHECKS_PER_TICK * p.drainsAtOnce) continue;
      checks++;
      if ('stuck' in planAll(plan, node, node.containers)) continue;
      busy++; // the planned moves stay reserved for the rest of the tick
    }
    const m = plan.memory.nodes[node.name]!;
    const wi = loadOf(node.usage, w);
    plan.nodeAction('drain', node.name, {
      reason: ACTION_REASONS.underUsed,
      detail: `${node.name} is green (Wi ${wi.toFixed(2)}, green below ${p.greenBelow}) for ${plan.secondsSince(m.greenSince!)} s and its ${node.containers.length} container(s) fit elsewhere: drain it`,
      numbers: { wi, greenBelow: p.greenBelow, secondsGreen: plan.secondsSince(m.greenSince!), containers: node.containers.length, awakeAfter: awake - 1 },
    });
    awake--;
  }
}
