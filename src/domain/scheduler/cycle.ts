/**
 * @module domain/scheduler/cycle — the state of one scheduling cycle: what depends only on the
 * request is computed once (weights, load); a node's requested sum is cached across calls,
 * keyed by the identity of its container list (a node whose containers change gets a new
 * list: never mutate one in place); this tick's reservations are folded in. The node forms
 * answer for one node through a one-entry memo (`enter`); `columns()` answers for every node
 * at once from the shared node table, for the batch plugins of the hot loop.
 */
import { sharedTable } from './node-table.ts';
import type { NodeColumns, SchedulingCycle, SchedulingRequest, ScheduleOptions } from './framework.ts';
import { loadAfter, loadOf, weightsFor, type LoadModel, type SchedulerParams } from './load-model.ts';
import { isMeasured } from './node-colour.ts';
import { positionsOf } from './node-index.ts';
import { lists, type Reservation, type ReservationBook } from './reservations.ts';
import { colourRemembered, type RebalanceMemory } from './memory.ts';
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

/** The cycle of one request. */
export class Cycle implements SchedulingCycle {
  readonly view: ClusterView;
  readonly params: SchedulerParams;
  readonly weights: LoadModel;
  readonly load: Resources;
  readonly explain: boolean;
  readonly #colourWeights: LoadModel;
  readonly #book: ReservationBook | undefined;
  /** The view positions of the nodes the book holds reservations on (the others skip the lookup). */
  readonly #reserved: ReadonlySet<number> | undefined;
  readonly #memory: RebalanceMemory | undefined;
  readonly #reqName: string;
  #node: NodeView | undefined;
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
    const book = options.reservations && options.reservations.size > 0 ? options.reservations : undefined;
    this.#book = book;
    if (book) {
      const reserved = new Set<number>();
      for (const name of book.nodes()) for (const at of positionsOf(view, name)) reserved.add(at);
      this.#reserved = reserved;
    }
    this.#memory = options.memory;
    this.#reqName = req.name;
  }

  /** Points the memo at the view's node at `position` (-1: a node outside the view, or unknown). */
  enter(position: number, node: NodeView): void {
    this.#node = node;
    this.#requested = undefined;
    this.#usage = undefined;
    this.#pending = undefined;
    this.#predicted = Number.NaN;
    if (this.#book && (position < 0 || this.#reserved!.has(position))) this.#pend(node);
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
    const base = requestedOn(node);
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
    return colourRemembered(loadOf(this.usage(node), this.#colourWeights), node.name, this.#memory, this.params);
  }

  columns(): NodeColumns {
    const t = sharedTable;
    if (t.owner === this) return t;
    t.owner = undefined;
    t.refresh(this.view.nodes, this.#colourWeights);
    // A node holding reservations of this tick: its row from the node forms (the next cycle recomputes it).
    if (this.#reserved) {
      for (const i of this.#reserved) {
        const node = this.view.nodes[i]!;
        this.enter(i, node);
        t.overlay(i, this.requested(node), this.usage(node), this.containerCount(node), this.#colourWeights);
      }
    }
    t.request(this.load, this.weights, this.view.nodes, this.#memory, this.params);
    t.owner = this;
    return t;
  }
}

/** A new cycle for one request (weights are looked up here: an unknown app type throws once); `explain` asks filters for numbers. */
export function newCycle(view: ClusterView, req: SchedulingRequest, params: SchedulerParams, options: ScheduleOptions = {}, explain = true): Cycle {
  return new Cycle(view, req, params, options, explain);
}
