/**
 * @module domain/scheduler/reservations — room held on nodes for placements made earlier in the same
 * tick, before their containers show up in the view and its metrics, so several placements in
 * one tick see each other. A reservation stops counting once the view lists its container on
 * its node; `settle(view)` then drops it. In memory only: nothing here is persisted.
 */
import type { ClusterView, NodeView, Resources, SchedulingRequest } from './types.ts';

/** Room held for one container on one node. */
export interface Reservation {
  container: string;
  node: string;
  /** What it asked for (counts against capacity). */
  request: Resources;
  /** What it is predicted to use (adds to the node's measured utilisation). */
  load: Resources;
}

/** Reservations of the current tick, by node and by container. */
export class ReservationBook {
  readonly #byNode = new Map<string, Reservation[]>();
  readonly #byContainer = new Map<string, Reservation>();

  /** How many reservations are held. */
  get size(): number {
    return this.#byContainer.size;
  }

  /** Holds room for the request on a node (replacing an earlier reservation of the same container). */
  reserve(node: string, req: SchedulingRequest): Reservation {
    this.unreserve(req.name);
    const r: Reservation = { container: req.name, node, request: req.request, load: req.usage ?? req.request };
    this.#byContainer.set(req.name, r);
    const list = this.#byNode.get(node);
    if (list) list.push(r);
    else this.#byNode.set(node, [r]);
    return r;
  }

  /** Releases a container's reservation (a bind failed, or a plan was dropped). */
  unreserve(container: string): void {
    const r = this.#byContainer.get(container);
    if (!r) return;
    this.#byContainer.delete(container);
    const list = this.#byNode.get(r.node);
    if (!list) return;
    const rest = list.filter((x) => x !== r);
    if (rest.length) this.#byNode.set(r.node, rest);
    else this.#byNode.delete(r.node);
  }

  /** The reservations on a node, or undefined (cheap: the hot path asks for every node). */
  on(node: string): readonly Reservation[] | undefined {
    return this.#byNode.size === 0 ? undefined : this.#byNode.get(node);
  }

  /** The nodes that hold reservations. */
  nodes(): IterableIterator<string> {
    return this.#byNode.keys();
  }

  /** A container's reservation, if any. */
  of(container: string): Reservation | undefined {
    return this.#byContainer.get(container);
  }

  /** Every reservation. */
  all(): Reservation[] {
    return [...this.#byContainer.values()];
  }

  /** Drops reservations whose container the view now lists on its node. */
  settle(view: ClusterView): void {
    if (this.#byContainer.size === 0) return;
    for (const node of view.nodes) {
      const list = this.#byNode.get(node.name);
      if (!list) continue;
      for (const r of [...list]) if (lists(node, r.container)) this.unreserve(r.container);
    }
  }

  /** Drops everything (a new tick). */
  clear(): void {
    this.#byNode.clear();
    this.#byContainer.clear();
  }
}

/** True when the node lists the container. */
export function lists(node: NodeView, container: string): boolean {
  for (const c of node.containers) if (c.name === container) return true;
  return false;
}
