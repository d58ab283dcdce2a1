/**
 * @module schedule/cycle — the state of one scheduling cycle: what depends only on the
 * request is computed once (weights, load); a node's requested sum is cached across calls,
 * keyed by the identity of its container list (a node whose containers change gets a new
 * list: never mutate one in place), and looked up by node index within one view; this tick's
 * reservations are folded in. A node's filters and scorers run back to back, so a one-entry
 * memo (`enter`) serves them all.
 */
import type { SchedulingCycle, SchedulingRequest, ScheduleOptions } from './framework.ts';
import { loadAfter, loadOf, weightsFor, type LoadModel, type SchedulerParams } from './load-model.ts';
import { colourFor, isMeasured } from './node-colour.ts';
import { lists, type Reservation, type ReservationBook } from './reservations.ts';
import type { RebalanceMemory } from './memory.ts';
import type { ClusterView, ContainerView, NodeColour, NodeView, Resources, Utilisation } from './types.ts';

const requestedCache = new WeakMap<readonly ContainerView[], Resources>();

/** Sum of the requests of the containers a node lists (cached per container list). */
export function requestedOn(node: NodeView): Resources {
  const list = node.containers;
  let sum = requestedCache.get(list);
  if (sum) return sum;
  let cpu = 0;
  let mem = 0;
  let net = 0;
  for (const c of list) {
    cpu += c.request.cpuMillis;
    mem += c.request.memoryMiB;
    net += c.request.networkMbps;
  }
  sum = { cpuMillis: cpu, memoryMiB: mem, networkMbps: net };
  requestedCache.set(list, sum);
  return sum;
}

/** Per view, each node's requested sum by node index, with the container list it was summed from. */
interface ViewSums {
  lists: Array<readonly ContainerView[] | undefined>;
  sums: Array<Resources | undefined>;
}
const byView = new WeakMap<ClusterView, ViewSums>();

/** The cycle of one request. */
export class Cycle implements SchedulingCycle {
  readonly view: ClusterView;
  readonly params: SchedulerParams;
  readonly weights: LoadModel;
  readonly load: Resources;
  readonly explain: boolean;
  readonly #colourWeights: LoadModel;
  readonly #book: ReservationBook | undefined;
  readonly #memory: RebalanceMemory | undefined;
  readonly #reqName: string;
  readonly #sums: ViewSums;
  #node: NodeView | undefined;
  #index = -1;
  #pending: Reservation[] | undefined;
  #requested: Resources | undefined;
  #usage: Utilisation | undefined;
  #predicted = Number.NaN;

  constructor(view: ClusterView, req: SchedulingRequest, params: SchedulerParams, options: ScheduleOptions, explain: boolean) {
    this.view = view;
    this.explain = explain;
    this.params = params;
    this.weights = weightsFor(req.appType, params);
    this.load = req.usage ?? req.request;
    this.#colourWeights = weightsFor(params.defaultAppType, params);
    this.#book = options.reservations && options.reservations.size > 0 ? options.reservations : undefined;
    this.#memory = options.memory;
    this.#reqName = req.name;
    let sums = byView.get(view);
    if (!sums) byView.set(view, (sums = { lists: [], sums: [] }));
    this.#sums = sums;
  }

  /** Points the memo at the view's node number `index` (the scheduling loop calls this before the plugins). */
  enter(index: number, node: NodeView): void {
    this.#node = node;
    this.#index = index;
    this.#requested = undefined;
    this.#usage = undefined;
    this.#pending = undefined;
    this.#predicted = Number.NaN;
    if (this.#book) this.#pend(node);
  }

  /** Points the memo at a node outside the loop (plugin tests, the cold path). */
  #at(node: NodeView): void {
    if (node !== this.#node) this.enter(-1, node);
  }

  /** This tick's reservations on the node, other than this request's own, not yet in the view. */
  #pend(node: NodeView): void {
    const held = this.#book?.on(node.name);
    if (!held) return;
    const pending = held.filter((r) => r.container !== this.#reqName && !lists(node, r.container));
    if (pending.length) this.#pending = pending;
  }

  requested(node: NodeView): Resources {
    this.#at(node);
    if (this.#requested) return this.#requested;
    const base = this.#base(node);
    const pending = this.#pending;
    if (!pending) return (this.#requested = base);
    const sum = { ...base };
    for (const r of pending) {
      sum.cpuMillis += r.request.cpuMillis;
      sum.memoryMiB += r.request.memoryMiB;
      sum.networkMbps += r.request.networkMbps;
    }
    return (this.#requested = sum);
  }

  /** The node's own requested sum: by index when the list is the one summed before (a node given a new list is summed again). */
  #base(node: NodeView): Resources {
    const i = this.#index;
    if (i < 0) return requestedOn(node);
    const { lists, sums } = this.#sums;
    const known = sums[i];
    if (known !== undefined && lists[i] === node.containers) return known;
    const sum = requestedOn(node);
    lists[i] = node.containers;
    sums[i] = sum;
    return sum;
  }

  usage(node: NodeView): Utilisation {
    this.#at(node);
    if (this.#usage) return this.#usage;
    const pending = this.#pending;
    if (!pending) return (this.#usage = node.usage);
    const cap = node.capacity;
    const u = { ...node.usage };
    for (const r of pending) {
      u.cpu += cap.cpuMillis > 0 ? r.load.cpuMillis / cap.cpuMillis : 0;
      u.memory += cap.memoryMiB > 0 ? r.load.memoryMiB / cap.memoryMiB : 0;
      u.network += cap.networkMbps > 0 ? r.load.networkMbps / cap.networkMbps : 0;
    }
    return (this.#usage = u);
  }

  predictedLoad(node: NodeView): number {
    this.#at(node);
    if (Number.isNaN(this.#predicted)) this.#predicted = loadAfter(this.usage(node), node.capacity, this.load, this.weights);
    return this.#predicted;
  }

  containerCount(node: NodeView): number {
    this.#at(node);
    return node.containers.length + (this.#pending?.length ?? 0);
  }

  colour(node: NodeView): NodeColour | undefined {
    if (!isMeasured(node)) return undefined;
    const previous = this.#memory?.nodes[node.name]?.colour;
    return colourFor(loadOf(this.usage(node), this.#colourWeights), previous, this.params);
  }
}

/** A new cycle for one request (weights are looked up here: an unknown app type throws once); `explain` asks filters for numbers. */
export function newCycle(view: ClusterView, req: SchedulingRequest, params: SchedulerParams, options: ScheduleOptions = {}, explain = true): Cycle {
  return new Cycle(view, req, params, options, explain);
}
