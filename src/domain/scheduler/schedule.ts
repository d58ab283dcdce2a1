/**
 * @module domain/scheduler/schedule — one scheduling cycle: run the policy's filters on every node,
 * score the feasible ones, pick the best (ties to the lowest node name), reserve it. Hot
 * path: the simulator calls this on 10,000 nodes, so it runs filter by filter over reused
 * arrays of node positions, each plugin's batch form reading the cycle's columns (one call
 * per plugin, not per node; nothing allocated per node), the best kept by a running top list
 * (no sort), and everything that depends only on the request computed once in the cycle.
 */
import { FerryError } from '../../core/errors.ts';
import { newCycle, type Cycle } from './cycle.ts';
import type { Decision, FilterPlugin, NodeScore, Policy, ScheduleOptions, ScorePlugin, SchedulingRequest } from './framework.ts';
import { validateParams, type SchedulerParams } from './load-model.ts';
import { positionsOf } from './node-index.ts';
import type { ReservationBook } from './reservations.ts';
import type { ClusterView } from './types.ts';
import { noFit } from './unschedulable.ts';

/** Totals closer than this are a tie (then the lower node name wins). */
const TIE = 1e-9;
/** How many of the best candidates a decision reports. */
const REPORTED = 3;

let feasible = new Int32Array(1024);
let scores = new Float64Array(2048);
let totals = new Float64Array(1024);

/** Grows the reused arrays to fit n nodes and s scorers. */
function ensure(n: number, s: number): void {
  if (feasible.length < n) {
    feasible = new Int32Array(n);
    totals = new Float64Array(n);
  }
  if (scores.length < n * s) scores = new Float64Array(n * s);
}

/** Refuses a request whose numbers are not finite and non-negative (FERRY_ERR_INVALID_INPUT). */
function validateRequest(req: SchedulingRequest): void {
  const r = req.request;
  for (const [key, v] of [['cpuMillis', r.cpuMillis], ['memoryMiB', r.memoryMiB], ['networkMbps', r.networkMbps]] as const) {
    if (!Number.isFinite(v) || v < 0) throw new FerryError('FERRY_ERR_INVALID_INPUT', `request of ${req.name}: ${key} must be a finite number >= 0, got ${v}`);
  }
}

/**
 * Decides where `req` goes under `policy`: place on the best feasible node, wake a node
 * (policies with `wakeSleeping`), or unschedulable with every node's refusal. With
 * `options.reservations`, a place decision is reserved there for the rest of the tick.
 */
export function schedule(policy: Policy, view: ClusterView, req: SchedulingRequest, params: SchedulerParams, options: ScheduleOptions = {}): Decision {
  validateParams(params);
  validateRequest(req);
  const cycle = newCycle(view, req, params, options, false);
  const n = view.nodes.length;
  const scorers = policy.scorers;
  ensure(n, scorers.length);
  const k = filterAndScore(policy, cycle, req, view, excluded(view, options.exclude), feasible, scores);
  if (k === 0) return noFit(policy, options.explain === false ? cycle : newCycle(view, req, params, options, true), view, req, options);
  let weightSum = 0;
  for (let s = 0; s < scorers.length; s++) {
    const sc = scorers[s]!;
    weightSum += sc.weight;
    if (sc.plugin.normalize) sc.plugin.normalize(cycle, req, scores.subarray(s * n, s * n + k));
  }
  const top = rank(view, scorers.map((sc) => sc.weight), weightSum > 0 ? weightSum : 1, k, n, scores, totals);
  const ranked = top.map((j) => scoreOf(policy, view, j, n));
  const chosen = ranked[0]!;
  const node = chosen.node;
  const refusal = options.reservations ? reserve(policy, options.reservations, req, node) : undefined;
  if (refusal) return refusal;
  const parts = Object.entries(chosen.parts).map(([p, v]) => `${p} ${v.toFixed(1)}`).join(', ');
  return {
    kind: 'place', node, reason: 'best-score', scores: ranked,
    detail: `${req.name} → ${node}: score ${chosen.total.toFixed(1)} (${parts}); ${k} of ${n} nodes feasible`,
    numbers: { score: chosen.total, feasible: k, nodes: n, ...chosen.parts },
  };
}

/**
 * The hot loop, filter by filter: the positions of every node not excluded, narrowed by each
 * filter in turn (a node meets the filters in the policy's order and stops at its first
 * refusal, as it would node by node), then each scorer's raw scores of the survivors. A
 * plugin's batch form makes one call for all nodes; one without runs node by node.
 */
function filterAndScore(policy: Policy, cycle: Cycle, req: SchedulingRequest, view: ClusterView, exclude: readonly number[], fe: Int32Array, sc: Float64Array): number {
  const n = view.nodes.length;
  let k = 0;
  let x = 0;
  for (let i = 0; i < n; i++) {
    if (x < exclude.length && exclude[x] === i) x++;
    else fe[k++] = i;
  }
  for (const f of policy.filters) {
    if (k === 0) return 0;
    k = f.filterAll ? f.filterAll(cycle, req, fe, k) : filterEach(f, cycle, req, fe, k);
  }
  const scorers = policy.scorers;
  for (let s = 0; s < scorers.length; s++) {
    const p = scorers[s]!.plugin;
    const out = sc.subarray(s * n, s * n + k);
    if (p.scoreAll) p.scoreAll(cycle, req, fe, k, out);
    else scoreEach(p, cycle, req, fe, k, out);
  }
  return k;
}

/** A filter without a batch form, node by node. */
function filterEach(f: FilterPlugin, cycle: Cycle, req: SchedulingRequest, positions: Int32Array, count: number): number {
  const nodes = cycle.view.nodes;
  let k = 0;
  for (let j = 0; j < count; j++) {
    const i = positions[j]!;
    const node = nodes[i]!;
    cycle.enter(i, node);
    if (f.filter(cycle, req, node) === undefined) positions[k++] = i;
  }
  return k;
}

/** A scorer without a batch form, node by node. */
function scoreEach(p: ScorePlugin, cycle: Cycle, req: SchedulingRequest, positions: Int32Array, count: number, out: Float64Array): void {
  const nodes = cycle.view.nodes;
  for (let j = 0; j < count; j++) {
    const i = positions[j]!;
    const node = nodes[i]!;
    cycle.enter(i, node);
    out[j] = p.score(cycle, req, node);
  }
}

/** The view positions of the excluded nodes, in increasing order. */
function excluded(view: ClusterView, exclude: ReadonlySet<string> | undefined): number[] {
  if (exclude === undefined || exclude.size === 0) return [];
  const at: number[] = [];
  for (const name of exclude) at.push(...positionsOf(view, name));
  return at.sort((a, b) => a - b);
}

/** Weighted means into `to`, and the best REPORTED positions by (total desc, name asc), kept by a running top list. */
function rank(view: ClusterView, weights: readonly number[], weightSum: number, k: number, n: number, sc: Float64Array, to: Float64Array): number[] {
  const ns = weights.length;
  const top: number[] = [];
  for (let j = 0; j < k; j++) {
    let total = 0;
    for (let s = 0; s < ns; s++) total += weights[s]! * sc[s * n + j]!;
    to[j] = total / weightSum;
    if (top.length < REPORTED || better(view, j, top[top.length - 1]!)) insert(view, top, j);
  }
  return top;
}

/** True when feasible position a beats b: higher total, or a tie and a lower node name. */
function better(view: ClusterView, a: number, b: number): boolean {
  const d = totals[a]! - totals[b]!;
  if (d > TIE) return true;
  if (d < -TIE) return false;
  return view.nodes[feasible[a]!]!.name < view.nodes[feasible[b]!]!.name;
}

/** Inserts position j into the ranked top list, keeping at most REPORTED entries. */
function insert(view: ClusterView, top: number[], j: number): void {
  let at = top.length;
  while (at > 0 && better(view, j, top[at - 1]!)) at--;
  top.splice(at, 0, j);
  if (top.length > REPORTED) top.pop();
}

/** The reported score of feasible position j. */
function scoreOf(policy: Policy, view: ClusterView, j: number, n: number): NodeScore {
  const parts: Record<string, number> = {};
  policy.scorers.forEach((sc, s) => (parts[sc.plugin.name] = scores[s * n + j]!));
  return { node: view.nodes[feasible[j]!]!.name, total: totals[j]!, parts };
}

/** Runs the policy's reservers; on a refusal, undoes the ones that reserved and answers unschedulable. */
function reserve(policy: Policy, book: ReservationBook, req: SchedulingRequest, node: string): Decision | undefined {
  for (let r = 0; r < policy.reservers.length; r++) {
    const status = policy.reservers[r]!.reserve(book, req, node);
    if (!status) continue;
    for (let u = r; u >= 0; u--) policy.reservers[u]!.unreserve(book, req, node);
    const message = `no node can take ${req.name}: reserving ${node} failed (${status.plugin}: ${status.detail})`;
    return { kind: 'unschedulable', reason: 'no-node-fits', message, detail: message, numbers: {}, refusals: [{ node, plugin: status.plugin, reason: status.reason, detail: status.detail }] };
  }
  return undefined;
}

/** Releases what the policy's reservers hold for `req` on `node` (call it when the bind fails). */
export function unreserve(policy: Policy, book: ReservationBook, req: SchedulingRequest, node: string): void {
  for (let r = policy.reservers.length - 1; r >= 0; r--) policy.reservers[r]!.unreserve(book, req, node);
}
