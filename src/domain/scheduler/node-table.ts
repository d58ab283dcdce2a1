/**
 * @module domain/scheduler/node-table — the node table behind `SchedulingCycle.columns()`: the
 * scheduler's per-node numbers as typed arrays by position in `view.nodes`. One table, shared
 * by every cycle and grown to the largest view, so the hot path allocates nothing. What does
 * not depend on the request (capacity, the sum of the requests, measured usage, the colour's
 * Wi) is kept from cycle to cycle while the node at a position has the same container list,
 * usage and capacity objects and the same state, so a new view over the same nodes costs
 * nothing (give a node new objects when they change; never change them in place). A cycle
 * then overlays the nodes holding its reservations, and the request's columns (predicted Wi,
 * colour) are computed when a plugin first reads them.
 */
import type { NodeColumns } from './framework.ts';
import { loadAfterOf, loadOf, type LoadModel, type SchedulerParams } from './load-model.ts';
import { colourRemembered, type RebalanceMemory } from './memory.ts';
import { colourFor, inHysteresisBand, isMeasured } from './node-colour.ts';
import type { ContainerView, NodeColour, NodeState, NodeView, Resources, Utilisation } from './types.ts';

/** What the request's columns are computed from. */
interface RequestInputs {
  load: Resources;
  weights: LoadModel;
  nodes: readonly NodeView[];
  memory: RebalanceMemory | undefined;
  params: SchedulerParams;
}

/** The shared columns, the objects each row was computed from, and the cycle whose answers they hold. */
export class NodeTable implements NodeColumns {
  requestedCpu = new Float64Array(0);
  requestedMemory = new Float64Array(0);
  requestedNetwork = new Float64Array(0);
  capacityCpu = new Float64Array(0);
  capacityMemory = new Float64Array(0);
  capacityNetwork = new Float64Array(0);
  usageCpu = new Float64Array(0);
  usageMemory = new Float64Array(0);
  usageNetwork = new Float64Array(0);
  containerCount = new Int32Array(0);
  /** Wi of the usage under the colour weights (the default app type's). */
  colourLoad = new Float64Array(0);
  /** 1 when the node is measured (active or draining). */
  measured = new Uint8Array(0);
  /** The cycle whose answers the table holds. */
  owner: object | undefined;
  #predicted = new Float64Array(0);
  #colour: Array<NodeColour | undefined> = [];
  #request: RequestInputs | undefined;
  #predictedDone = false;
  #colourDone = false;
  #lists: Array<readonly ContainerView[] | undefined> = [];
  #usages: Array<Utilisation | undefined> = [];
  #capacities: Array<Resources | undefined> = [];
  #states: Array<NodeState | undefined> = [];
  #colourWeights: LoadModel | undefined;

  /** Brings the request-independent columns up to date with `nodes`, recomputing only the rows whose node changed. */
  refresh(nodes: readonly NodeView[], colourWeights: LoadModel): void {
    this.#fit(nodes.length);
    if (colourWeights !== this.#colourWeights) {
      this.#lists.fill(undefined);
      this.#colourWeights = colourWeights;
    }
    const lists = this.#lists;
    const usages = this.#usages;
    const capacities = this.#capacities;
    const states = this.#states;
    for (let i = 0; i < nodes.length; i++) {
      const node = nodes[i]!;
      if (lists[i] === node.containers && usages[i] === node.usage && capacities[i] === node.capacity && states[i] === node.state) continue;
      this.#row(i, node, colourWeights);
      lists[i] = node.containers;
      usages[i] = node.usage;
      capacities[i] = node.capacity;
      states[i] = node.state;
    }
  }

  /** Writes a cycle's own answers into row i (a node holding reservations); the next refresh recomputes the row. */
  overlay(i: number, requested: Resources, usage: Utilisation, containers: number, colourWeights: LoadModel): void {
    this.requestedCpu[i] = requested.cpuMillis;
    this.requestedMemory[i] = requested.memoryMiB;
    this.requestedNetwork[i] = requested.networkMbps;
    this.usageCpu[i] = usage.cpu;
    this.usageMemory[i] = usage.memory;
    this.usageNetwork[i] = usage.network;
    this.containerCount[i] = containers;
    this.colourLoad[i] = loadOf(usage, colourWeights);
    this.#lists[i] = undefined;
  }

  /** Sets what the request's columns are computed from (computed on first read). */
  request(load: Resources, weights: LoadModel, nodes: readonly NodeView[], memory: RebalanceMemory | undefined, params: SchedulerParams): void {
    this.#request = { load, weights, nodes, memory, params };
    this.#predictedDone = false;
    this.#colourDone = false;
  }

  /** Wi once each node takes the request: `loadAfter` of the usage and capacity columns. */
  get predicted(): Float64Array {
    const r = this.#request;
    if (!this.#predictedDone && r) {
      const { usageMemory, usageCpu, usageNetwork, capacityMemory, capacityCpu, capacityNetwork } = this;
      const out = this.#predicted;
      const { load, weights } = r;
      for (let i = 0; i < r.nodes.length; i++) {
        out[i] = loadAfterOf(usageMemory[i]!, usageCpu[i]!, usageNetwork[i]!, capacityMemory[i]!, capacityCpu[i]!, capacityNetwork[i]!, load, weights);
      }
      this.#predictedDone = true;
    }
    return this.#predicted;
  }

  /** Each node's colour, hysteresis from the memory; undefined when not measured. */
  get colour(): ReadonlyArray<NodeColour | undefined> {
    const r = this.#request;
    if (!this.#colourDone && r) {
      const { measured, colourLoad } = this;
      const out = this.#colour;
      const { nodes, memory, params } = r;
      for (let i = 0; i < nodes.length; i++) {
        const wi = colourLoad[i]!;
        // The node (and its name) is read only when the memory can matter: most rows touch just the columns.
        if (measured[i] !== 1) out[i] = undefined;
        else out[i] = inHysteresisBand(wi, params) ? colourRemembered(wi, nodes[i]!.name, memory, params) : colourFor(wi, undefined, params);
      }
      this.#colourDone = true;
    }
    return this.#colour;
  }

  #row(i: number, node: NodeView, colourWeights: LoadModel): void {
    let cpu = 0;
    let memory = 0;
    let network = 0;
    for (const c of node.containers) {
      cpu += c.request.cpuMillis;
      memory += c.request.memoryMiB;
      network += c.request.networkMbps;
    }
    this.requestedCpu[i] = cpu;
    this.requestedMemory[i] = memory;
    this.requestedNetwork[i] = network;
    const cap = node.capacity;
    this.capacityCpu[i] = cap.cpuMillis;
    this.capacityMemory[i] = cap.memoryMiB;
    this.capacityNetwork[i] = cap.networkMbps;
    const usage = node.usage;
    this.usageCpu[i] = usage.cpu;
    this.usageMemory[i] = usage.memory;
    this.usageNetwork[i] = usage.network;
    this.containerCount[i] = node.containers.length;
    this.colourLoad[i] = loadOf(usage, colourWeights);
    this.measured[i] = isMeasured(node) ? 1 : 0;
  }

  /** Makes room for n nodes (growing forgets every row). */
  #fit(n: number): void {
    if (this.#predicted.length >= n) return;
    const size = Math.max(n, 2 * this.#predicted.length, 1024);
    const numbers = (): Float64Array<ArrayBuffer> => new Float64Array(size);
    const refs = <T>(): Array<T | undefined> => new Array<T | undefined>(size).fill(undefined);
    this.requestedCpu = numbers();
    this.requestedMemory = numbers();
    this.requestedNetwork = numbers();
    this.capacityCpu = numbers();
    this.capacityMemory = numbers();
    this.capacityNetwork = numbers();
    this.usageCpu = numbers();
    this.usageMemory = numbers();
    this.usageNetwork = numbers();
    this.containerCount = new Int32Array(size);
    this.colourLoad = numbers();
    this.measured = new Uint8Array(size);
    this.#predicted = numbers();
    this.#colour = refs<NodeColour>();
    this.#lists = refs<readonly ContainerView[]>();
    this.#usages = refs<Utilisation>();
    this.#capacities = refs<Resources>();
    this.#states = refs<NodeState>();
    this.owner = undefined;
  }
}

/** The one table every cycle shares (scheduling is synchronous: one cycle reads it at a time). */
export const sharedTable = new NodeTable();
