/**
 * @module domain/scheduler/actions — what the rebalancer asks the controller (or the simulator) to
 * do. Every action carries a stable `reason`, a human `detail` and the `numbers` behind it
 * (Wi, W, seconds above, cost...), so events and `ferry events` show why it fired.
 */
import type { RebalanceMemory } from './memory.ts';

/** Why an action fired. */
export const ACTION_REASONS = {
  /** migrate: the node's CPU stayed above W for overloadForMs. */
  overloaded: 'overloaded',
  /** migrate: the container's node is draining. */
  draining: 'draining',
  /** drain: the node stayed green for idleForMs and its containers fit elsewhere. */
  underUsed: 'under-used',
  /** sleep: the draining node holds no container any more. */
  drainComplete: 'drain-complete',
  /** undrain: the draining node's remaining containers no longer fit elsewhere. */
  noRoom: 'no-room',
  /** undrain: putting it to sleep would leave fewer than minAwake nodes awake. */
  minAwake: 'min-awake',
  /** wake: an overloaded node's container fits on no active node. */
  overloadNoRoom: 'overloaded-no-room',
} as const;

/** One of the reasons above. */
export type ActionReason = (typeof ACTION_REASONS)[keyof typeof ACTION_REASONS];

/** What every action says about itself. */
export interface ActionWhy {
  reason: ActionReason;
  detail: string;
  numbers: Record<string, number>;
}

/** One thing the rebalancer wants done. */
export type SchedulerAction =
  | (ActionWhy & { kind: 'migrate'; container: string; from: string; to: string })
  | (ActionWhy & { kind: 'drain'; node: string })
  | (ActionWhy & { kind: 'undrain'; node: string })
  | (ActionWhy & { kind: 'sleep'; node: string })
  | (ActionWhy & { kind: 'wake'; node: string });

/** What one rebalancing tick returns: the actions, and the memory to keep for the next tick. */
export interface RebalanceResult {
  actions: SchedulerAction[];
  memory: RebalanceMemory;
}
