/**
 * @module domain/scheduler/rebalance — the elastic policy's rebalancer, one tick: fold the view into
 * the memory (colours, clocks, budget period), relieve overloaded nodes first (they hurt
 * now), then carry on with draining nodes (move, sleep or undrain), then start draining green
 * ones. Pure: the controller persists the returned memory and carries out the actions; the
 * simulator does the same in RAM. Hysteresis everywhere keeps a steady cluster still: colour
 * bands, overloadForMs and idleForMs clocks, per-container cooldown, a migration budget.
 */
import type { RebalanceResult } from './actions.ts';
import { continueDrains, startDrains } from './drain.ts';
import type { Policy } from './framework.ts';
import { validateParams, type SchedulerParams } from './load-model.ts';
import { remember, type RebalanceMemory } from './memory.ts';
import { relieveOverloads } from './relief.ts';
import { TickPlan } from './tick-plan.ts';
import type { ClusterView } from './types.ts';

/**
 * One rebalancing tick. `memory` is what the previous tick returned (undefined the first
 * time); `policy` places the moves (its filters and scorers choose every destination).
 */
export function rebalance(view: ClusterView, memory: RebalanceMemory | undefined, params: SchedulerParams, policy: Policy): RebalanceResult {
  validateParams(params);
  const plan = new TickPlan(view, remember(view, memory, params), params, policy);
  relieveOverloads(plan);
  continueDrains(plan);
  startDrains(plan);
  return { actions: plan.actions, memory: plan.memory };
}
