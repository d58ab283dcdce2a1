/**
 * @module schedule — the pure scheduler core: the load model, node colours, the plugin
 * framework and its plugins, the policies (elastic and the baselines), `schedule()` for one
 * placement and `rebalance()` for one tick of the elastic loop. No I/O: time comes in as
 * `view.now`. Other modules import from here only.
 */
export type { ClusterView, ContainerView, NodeColour, NodeState, NodeView, PlacementRequest, Resources, Utilisation } from './types.ts';
export {
  fraction, loadAfter, loadOf, modelFromRatio, nodeLoad, utilisationAfter, validateParams, validateWeights, weightsFor,
  type LoadModel, type NodeLoad, type SchedulerParams,
} from './load-model.ts';
export { colourFor, colourOf, isMeasured } from './node-colour.ts';
export type {
  BindPlugin, Decision, DecisionReason, FilterPlugin, NodeColumns, NodeScore, Policy, Rebalancer, Refusal, ReservePlugin, ScheduleOptions,
  SchedulingCycle, SchedulingRequest, ScorePlugin, Status, WeightedScorer,
} from './framework.ts';
export { newCycle, requestedOn } from './cycle.ts';
export { ReservationBook, type Reservation } from './reservations.ts';
export { schedule, unreserve } from './schedule.ts';
export { describeRequest, unschedulableError, unschedulableMessage } from './unschedulable.ts';
export { binpack, elastic, kube, policyByName, POLICIES, spread } from './policies.ts';
export { ACTION_REASONS, type ActionReason, type ActionWhy, type RebalanceResult, type SchedulerAction } from './actions.ts';
export { budgetLeft, emptyMemory, inCooldown, MEMORY_VERSION, remember, type ContainerMemory, type NodeMemory, type RebalanceMemory } from './memory.ts';
export { rebalance } from './rebalance.ts';
export { DRAIN_CHECKS_PER_TICK } from './drain.ts';
export { nodeAwake } from './plugins/node-awake.ts';
export { fitsResources } from './plugins/fits-resources.ts';
export { colourRoom } from './plugins/colour-room.ts';
export { leastContainers } from './plugins/least-containers.ts';
export { mostAllocated } from './plugins/most-allocated.ts';
export { leastAllocated } from './plugins/least-allocated.ts';
export { balancedAllocation } from './plugins/balanced-allocation.ts';
export { modelScore } from './plugins/model-score.ts';
export { dataLocality } from './plugins/data-locality.ts';
export { defaultReserve } from './plugins/default-reserve.ts';
