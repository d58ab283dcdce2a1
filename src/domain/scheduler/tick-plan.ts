/**
 * @module domain/scheduler/tick-plan — the working state of one rebalancing tick: the memory being
 * written, the migration budget left, the reservations of moves planned so far (so each
 * destination sees the others), the nodes drained in this tick, and the actions emitted.
 * Destinations come from `schedule()` under the same policy, never the move's source.
 */
import type { SchedulerAction, ActionWhy } from './actions.ts';
import type { Decision, Policy, SchedulingRequest } from './framework.ts';
import type { SchedulerParams } from './load-model.ts';
import { budgetLeft, type NodeMemory, type RebalanceMemory } from './memory.ts';
import { ReservationBook } from './reservations.ts';
import { schedule } from './schedule.ts';
import type { ClusterView, ContainerView, NodeView } from './types.ts';

/** One tick's plan. */
export class TickPlan {
  readonly view: ClusterView;
  readonly params: SchedulerParams;
  readonly policy: Policy;
  readonly memory: RebalanceMemory;
  readonly now: number;
  readonly book = new ReservationBook();
  readonly actions: SchedulerAction[] = [];
  /** Nodes this tick decided to drain (still 'active' in the view). */
  readonly drained = new Set<string>();
  /** Migrations the budget still allows this tick. */
  budget: number;
  /** True once this tick asked to wake a node. */
  woke = false;

  constructor(view: ClusterView, memory: RebalanceMemory, params: SchedulerParams, policy: Policy) {
    this.view = view;
    this.params = params;
    this.policy = policy;
    this.memory = memory;
    this.now = view.now;
    this.budget = budgetLeft(view, memory, params);
  }

  /** The node's memory record (created when missing). */
  nodeMemory(name: string): NodeMemory {
    return (this.memory.nodes[name] ??= {});
  }

  /** A running container as a placement request (an app type the config no longer knows weighs as the default). */
  requestFor(c: ContainerView): SchedulingRequest {
    const appType = Object.hasOwn(this.params.appTypes, c.appType) ? c.appType : this.params.defaultAppType;
    return { name: c.name, app: c.app, appType, request: c.request, usage: c.usage };
  }

  /** Where the container could go: schedule() excluding its node and the nodes drained this tick; a place is reserved. Refusals in words only when `explain`. */
  destination(c: ContainerView, from: string, explain = false): Decision {
    const exclude = new Set(this.drained);
    exclude.add(from);
    return schedule(this.policy, this.view, this.requestFor(c), this.params, { reservations: this.book, memory: this.memory, exclude, explain });
  }

  /** Emits a migration and charges it to the budget and the container's cooldown. */
  migrate(c: ContainerView, from: string, to: string, why: ActionWhy): void {
    this.actions.push({ kind: 'migrate', container: c.name, from, to, ...why });
    this.memory.containers[c.name] = { movedAt: this.now };
    this.memory.budget.used++;
    this.budget--;
  }

  /** Emits a node action. */
  nodeAction(kind: 'drain' | 'undrain' | 'sleep' | 'wake', node: string, why: ActionWhy): void {
    this.actions.push({ kind, node, ...why });
    if (kind === 'drain') this.drained.add(node);
    if (kind === 'wake') this.woke = true;
    // Woken or undrained: it must be green for idleForMs anew before it is drained again.
    if (kind === 'undrain') this.nodeMemory(node).greenSince = this.now;
    if (kind === 'wake' || kind === 'sleep') this.memory.nodes[node] = {};
  }

  /** Active nodes that stay awake: state active, not drained this tick. */
  awakeCount(): number {
    let n = 0;
    for (const node of this.view.nodes) if (node.state === 'active' && !this.drained.has(node.name)) n++;
    return n;
  }

  /** Seconds since a time, for numbers and details. */
  secondsSince(t: number): number {
    return Math.round((this.now - t) / 100) / 10;
  }

  /** The nodes in name order (decisions must not depend on the order of the view). */
  byName(filter: (n: NodeView) => boolean): NodeView[] {
    return this.view.nodes.filter(filter).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }
}
