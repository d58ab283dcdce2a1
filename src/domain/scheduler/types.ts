/**
 * @module domain/scheduler/types — the scheduler's vocabulary, shared by the controller (real agents)
 * and the simulator: what a node, a container and a request look like to the scheduler. Pure
 * data; no I/O. Everything the scheduler decides is computed from a `ClusterView`.
 */

/** Amounts of the three resources the load model weighs. */
export interface Resources {
  /** CPU in millicores (1000 = one core). */
  cpuMillis: number;
  /** Memory in MiB. */
  memoryMiB: number;
  /** Network in Mbit/s. */
  networkMbps: number;
}

/** Measured utilisation as fractions of a node's capacity (0 = idle, 1 = full; may exceed 1 briefly). */
export interface Utilisation {
  cpu: number;
  memory: number;
  network: number;
}

/** A node's power and scheduling state (the controller's record of it). */
export type NodeState = 'active' | 'draining' | 'sleeping' | 'waking' | 'unreachable';

/** The paper's node colours: blue has room, green is under-used, red is overloaded. */
export type NodeColour = 'blue' | 'green' | 'red';

/** One container as the scheduler sees it. */
export interface ContainerView {
  /** The container's name (unique in the cluster). */
  name: string;
  /** The application it belongs to (several containers of one app may share a node). */
  app: string;
  /** The application type, a key of the load model's weight table. */
  appType: string;
  /** The node it runs on. */
  node: string;
  /** What it asked for at `ferry run`. */
  request: Resources;
  /** What it uses now (averaged over the last D samples), in absolute units. */
  usage: Resources;
  /** Pages it rewrites, MB/s (0 when unknown); with memory this prices a live migration. */
  dirtyRateMBps: number;
  /** True while a migration of it is in flight (it must not be picked again). */
  migrating: boolean;
}

/** One node as the scheduler sees it. */
export interface NodeView {
  name: string;
  state: NodeState;
  /** What the node offers. */
  capacity: Resources;
  /** Measured utilisation averaged over the last D samples (fractions of capacity). */
  usage: Utilisation;
  /** The containers placed on it (including ones reserved but not yet started). */
  containers: readonly ContainerView[];
  /** Failure domains, for data placement and the simulator (optional). */
  zone?: string;
  rack?: string;
  /** Applications whose first data replica (M1) lives on this node. */
  dataOf?: readonly string[];
}

/** The whole cluster at one instant. */
export interface ClusterView {
  /** Milliseconds since the epoch (or since the simulation's start). */
  now: number;
  nodes: readonly NodeView[];
}

/** A request to place one container. */
export interface PlacementRequest {
  name: string;
  app: string;
  appType: string;
  request: Resources;
}

/** A placement request; a container that already runs (a move) also says what it uses now. */
export interface SchedulingRequest extends PlacementRequest {
  /** Measured use of a running container: the load model predicts with it instead of `request`. */
  usage?: Resources;
}
