/**
 * @module domain/scheduler/framework — the extension points, shaped like the Kubernetes scheduler
 * framework: Filter (can this node take it?), Score (0-100, with an optional Normalize over
 * all feasible nodes), Reserve/Unreserve (hold the room before the container shows up in
 * metrics), Bind (interface only: binding is I/O, done by the controller or the simulator).
 * A `Status` where nothing means success. A `Policy` is named data composing plugins. Filters
 * and scorers may add a batch form over many nodes (`filterAll`, `scoreAll`) that reads the
 * cycle's `columns()`; it must agree with the node form, node for node.
 */
import type { LoadModel, SchedulerParams } from './load-model.ts';
import type { RebalanceMemory } from './memory.ts';
import type { ReservationBook } from './reservations.ts';
import type { RebalanceResult } from './actions.ts';
import type { ClusterView, NodeColour, NodeView, Resources, SchedulingRequest, Utilisation } from './types.ts';

/** Why a plugin refused a node. Plugins answer undefined for success. */
export interface Status {
  /** The plugin's NAME. */
  plugin: string;
  /** A stable constant of that plugin, e.g. 'insufficient-memory'. */
  reason: string;
  /** Human text with the numbers, e.g. 'needs 4096 MiB, free 1024 of 8192 MiB'. */
  detail: string;
  /** For the grouped message: `prefix` is the same for every node refused for this reason, `value` this node's. */
  compact?: { prefix: string; value: string };
}

/** A placement request as the extension points see it (defined in types.ts, which reservations.ts shares). */
export type { SchedulingRequest } from './types.ts';

/** What one scheduling cycle computed once for all nodes (Kubernetes' CycleState). */
export interface SchedulingCycle {
  readonly view: ClusterView;
  readonly params: SchedulerParams;
  /** The weights of the request's application type. */
  readonly weights: LoadModel;
  /**
   * False in the hot loop, where only pass or fail matters: a filter may then answer a shared
   * constant Status per reason. True when refusals are reported: details carry the numbers.
   */
  readonly explain: boolean;
  /** The load the request adds to a node's measured usage: its usage when it runs, else its request. */
  readonly load: Resources;
  /** Sum of the requests on the node, reservations of this tick included. */
  requested(node: NodeView): Resources;
  /** The node's measured utilisation, reservations of this tick added. */
  usage(node: NodeView): Utilisation;
  /** The node's Wi once it takes the request (usage above plus the request's load, the request's weights). */
  predictedLoad(node: NodeView): number;
  /** How many containers the node holds, reservations included. */
  containerCount(node: NodeView): number;
  /** The node's colour now (with hysteresis from the memory), undefined when not measured. */
  colour(node: NodeView): NodeColour | undefined;
  /** The answers above for every node at once, by position in `view.nodes` (for batch plugins). */
  columns(): NodeColumns;
}

/**
 * One cycle's per-node answers by position in `view.nodes`: exactly what the node forms of
 * `SchedulingCycle` answer, reservations of this tick included, so a batch plugin reads
 * numbers instead of calling per node. Shared buffers: call `columns()` at the start of each
 * batch call and never keep the result (the next cycle refills them).
 */
export interface NodeColumns {
  /** `requested(node)`, resource by resource. */
  readonly requestedCpu: Float64Array;
  readonly requestedMemory: Float64Array;
  readonly requestedNetwork: Float64Array;
  /** `node.capacity`, resource by resource. */
  readonly capacityCpu: Float64Array;
  readonly capacityMemory: Float64Array;
  readonly capacityNetwork: Float64Array;
  /** `usage(node).cpu`. */
  readonly usageCpu: Float64Array;
  /** `containerCount(node)`. */
  readonly containerCount: Int32Array;
  /** `predictedLoad(node)`. */
  readonly predicted: Float64Array;
  /** `colour(node)`. */
  readonly colour: ReadonlyArray<NodeColour | undefined>;
}

/** Filter: can this node take the request? undefined = yes. */
export interface FilterPlugin {
  readonly name: string;
  filter(cycle: SchedulingCycle, req: SchedulingRequest, node: NodeView): Status | undefined;
  /**
   * Optional batch form for the hot loop: keeps, in order, those of `positions[0..count)`
   * (positions in `view.nodes`) whose node `filter` passes, and returns how many it kept. It
   * must agree with `filter` node for node; it lets the loop call the plugin once, not per node.
   */
  filterAll?(cycle: SchedulingCycle, req: SchedulingRequest, positions: Int32Array, count: number): number;
}

/** Score: how good a feasible node is, 0..100; `normalize` may rescale all scores in place. */
export interface ScorePlugin {
  readonly name: string;
  score(cycle: SchedulingCycle, req: SchedulingRequest, node: NodeView): number;
  /** Optional batch form: `out[j]` = `score` of the node at position `positions[j]`, for j < count (it must agree with `score`). */
  scoreAll?(cycle: SchedulingCycle, req: SchedulingRequest, positions: Int32Array, count: number, out: Float64Array): void;
  /** Rescales the raw scores of every feasible node (in node order) to 0..100. */
  normalize?(cycle: SchedulingCycle, req: SchedulingRequest, scores: Float64Array): void;
}

/** Reserve: holds room on the chosen node until the container shows up in the view. */
export interface ReservePlugin {
  readonly name: string;
  reserve(book: ReservationBook, req: SchedulingRequest, node: string): Status | undefined;
  unreserve(book: ReservationBook, req: SchedulingRequest, node: string): void;
}

/** Bind: starts the container on the node (I/O: implemented by the controller and the simulator). */
export interface BindPlugin {
  readonly name: string;
  bind(req: SchedulingRequest, node: string): Promise<Status | undefined>;
}

/** A scorer and its weight in the policy's weighted mean. */
export interface WeightedScorer {
  plugin: ScorePlugin;
  weight: number;
}

/** The rebalancing loop of a policy (elastic's; the baselines have none). */
export type Rebalancer = (view: ClusterView, memory: RebalanceMemory | undefined, params: SchedulerParams, policy: Policy) => RebalanceResult;

/** A placement policy: named data composing plugins. */
export interface Policy {
  readonly name: string;
  readonly description: string;
  readonly filters: readonly FilterPlugin[];
  readonly scorers: readonly WeightedScorer[];
  readonly reservers: readonly ReservePlugin[];
  /** When no awake node passes the filters, answer 'wake' with a sleeping node that would. */
  readonly wakeSleeping: boolean;
  /** Drains, sleeps, wakes and relieves nodes between placements; undefined: placement only. */
  readonly rebalancer?: Rebalancer;
}

/** Options of one `schedule()` call. */
export interface ScheduleOptions {
  /** Placements earlier in this tick, not yet in the view; the chosen node is reserved here. */
  reservations?: ReservationBook;
  /** The rebalancer's memory: colours keep their hysteresis across ticks. */
  memory?: RebalanceMemory;
  /** Nodes that must not be chosen (a move's source, nodes being drained). */
  exclude?: ReadonlySet<string>;
  /**
   * False: when nothing fits, skip each node's refusal in words (the rebalancer's destination
   * searches, which only need the decision's kind and the node to wake). Default true.
   */
  explain?: boolean;
}

/** One candidate's score: the weighted mean and each plugin's 0..100. */
export interface NodeScore {
  node: string;
  total: number;
  parts: Record<string, number>;
}

/** Why one node refused. */
export interface Refusal {
  node: string;
  plugin: string;
  reason: string;
  detail: string;
}

/** The stable reasons of the decisions. */
export type DecisionReason = 'best-score' | 'wake-to-fit' | 'already-waking' | 'no-node-fits';

/** What `schedule()` decided. */
export type Decision =
  | { kind: 'place'; node: string; reason: 'best-score'; detail: string; numbers: Record<string, number>; scores: NodeScore[] }
  | { kind: 'wake'; node: string; reason: 'wake-to-fit' | 'already-waking'; detail: string; numbers: Record<string, number> }
  | { kind: 'unschedulable'; reason: 'no-node-fits'; message: string; detail: string; numbers: Record<string, number>; refusals: Refusal[] };
