/**
 * @module domain/scheduler/test-support — fixtures for the scheduler's tests only: nodes, containers
 * and requests with round numbers, the default parameters, and a tiny in-memory cluster that
 * carries out the rebalancer's actions instantly (each node's usage is the sum of its
 * containers'), so tests can run ticks until the cluster settles.
 */
import { defaultConfig } from '../../core/config.ts';
import type { SchedulerAction } from './actions.ts';
import type { SchedulerParams } from './load-model.ts';
import type { RebalanceMemory } from './memory.ts';
import { elastic } from './policies.ts';
import { rebalance } from './rebalance.ts';
import type { ClusterView, ContainerView, NodeState, NodeView, PlacementRequest, Resources, Utilisation } from './types.ts';

/** The defaults of the config section `scheduler`. */
export const PARAMS: SchedulerParams = defaultConfig().scheduler;

/** The defaults with some keys changed. */
export function params(over: Partial<SchedulerParams> = {}): SchedulerParams {
  return { ...PARAMS, ...over };
}

/** Resources in round numbers. */
export function res(cpuMillis: number, memoryMiB: number, networkMbps = 0): Resources {
  return { cpuMillis, memoryMiB, networkMbps };
}

/** Options of a test container. */
export interface ContainerOpts {
  app?: string;
  appType?: string;
  request?: Resources;
  usage?: Resources;
  dirty?: number;
  migrating?: boolean;
}

/** A container on a node (usage defaults to its request). */
export function container(name: string, node: string, o: ContainerOpts = {}): ContainerView {
  const request = o.request ?? res(500, 1024);
  return { name, app: o.app ?? name, appType: o.appType ?? 'balanced', node, request, usage: o.usage ?? request, dirtyRateMBps: o.dirty ?? 0, migrating: o.migrating ?? false };
}

/** Options of a test node (capacity 4000m, 8192 MiB, 1000 Mbit/s unless said). */
export interface NodeOpts {
  state?: NodeState;
  capacity?: Resources;
  usage?: Partial<Utilisation>;
  containers?: readonly ContainerView[];
  dataOf?: string[];
}

/** A node; usage defaults to the sum of its containers' usage over capacity. */
export function node(name: string, o: NodeOpts = {}): NodeView {
  const capacity = o.capacity ?? res(4000, 8192, 1000);
  const containers = o.containers ?? [];
  const usage = { ...usageOf(capacity, containers), ...o.usage };
  return { name, state: o.state ?? 'active', capacity, usage, containers, ...(o.dataOf ? { dataOf: o.dataOf } : {}) };
}

/** Sum of the containers' usage as fractions of capacity. */
export function usageOf(capacity: Resources, containers: readonly ContainerView[]): Utilisation {
  let cpu = 0;
  let mem = 0;
  let net = 0;
  for (const c of containers) {
    cpu += c.usage.cpuMillis;
    mem += c.usage.memoryMiB;
    net += c.usage.networkMbps;
  }
  return { cpu: cpu / capacity.cpuMillis, memory: mem / capacity.memoryMiB, network: capacity.networkMbps > 0 ? net / capacity.networkMbps : 0 };
}

/** A placement request. */
export function request(name: string, cpuMillis: number, memoryMiB: number, o: { app?: string; appType?: string; networkMbps?: number } = {}): PlacementRequest {
  return { name, app: o.app ?? name, appType: o.appType ?? 'balanced', request: res(cpuMillis, memoryMiB, o.networkMbps ?? 0) };
}

/** A view at a time. */
export function view(now: number, nodes: NodeView[]): ClusterView {
  return { now, nodes };
}

/** Carries out actions at once, as a perfect controller would, and advances the clock. */
export function apply(v: ClusterView, actions: readonly SchedulerAction[], stepMs: number): ClusterView {
  const nodes = new Map(v.nodes.map((n) => [n.name, { ...n, containers: [...n.containers] }]));
  for (const a of actions) {
    if (a.kind === 'migrate') {
      const from = nodes.get(a.from)!;
      const to = nodes.get(a.to)!;
      const c = from.containers.find((x) => x.name === a.container)!;
      from.containers = from.containers.filter((x) => x !== c);
      to.containers = [...to.containers, { ...c, node: a.to }];
    } else {
      const n = nodes.get(a.node)!;
      n.state = a.kind === 'drain' ? 'draining' : a.kind === 'sleep' ? 'sleeping' : 'active';
    }
  }
  const out = [...nodes.values()].map((n) => ({ ...n, usage: n.state === 'sleeping' ? { cpu: 0, memory: 0, network: 0 } : usageOf(n.capacity, n.containers) }));
  return { now: v.now + stepMs, nodes: out };
}

/** The controller's default tick, in ms. */
export const TICK = 2000;

/** Actions in a few words: "migrate x a→b", "drain a". */
export function kinds(actions: readonly SchedulerAction[]): string[] {
  return actions.map((a) => (a.kind === 'migrate' ? `migrate ${a.container} ${a.from}→${a.to}` : `${a.kind} ${a.node}`));
}

/** Runs elastic rebalancing ticks, carrying out the actions; the log has one line per tick that did something. */
export function runTicks(v: ClusterView, ticks: number, p: SchedulerParams = PARAMS, memory?: RebalanceMemory): { log: string[]; v: ClusterView; memory: RebalanceMemory | undefined } {
  const log: string[] = [];
  for (let i = 0; i < ticks; i++) {
    const out = rebalance(v, memory, p, elastic);
    memory = out.memory;
    if (out.actions.length) log.push(`${v.now / 1000}s: ${kinds(out.actions).join(', ')}`);
    v = apply(v, out.actions, TICK);
  }
  return { log, v, memory };
}
