/**
 * @module apps/controller/service — the controller as a transport-free service: node
 * registration, deployment through the scheduler, the scheduler loop (observe → follow
 * migrations → rebalance → act) and the read models behind `ferry nodes/ps/events`. Every
 * decision becomes an event with its reason and numbers. Calls are serialised: a placement
 * never races a rebalance.
 */
import type { Config } from '../../core/config.ts';
import { FerryError } from '../../core/errors.ts';
import { log } from '../../core/events.ts';
import {
  policyByName, schedule, validateParams, validateWeights, weightsFor,
  type ClusterView, type LoadModel, type PlacementRequest, type Policy, type RebalanceMemory, type Resources, type SchedulerAction, type SchedulerParams,
} from '../../domain/scheduler/index.ts';
import type { NodePort } from './node-port.ts';
import { buildView } from './cluster-view.ts';
import { publishDecision } from './decisions.ts';
import { followMigrations, startMigration } from './migration-tracker.ts';
import { observe } from './observe.ts';
import { describeNodes, type NodeReport } from './node-report.ts';
import type { StateStore } from './state-store.ts';
import type { ContainerRecord, EventRow, NodeRecord } from './records.ts';

/** What `ferry run` asks for. */
export interface RunInput {
  image: string;
  name?: string | undefined;
  app?: string | undefined;
  appType?: string | undefined;
  cpuMillis: number;
  memoryMiB: number;
  networkMbps?: number | undefined;
  env?: string[] | undefined;
}

/** Dependencies of the service. */
export interface ControllerDeps {
  store: StateStore;
  config: Config;
  portOf: (node: NodeRecord) => NodePort;
  now?: () => number;
  /** The policy of a name (default: the shipped policies; the simulator's parity test passes its own object). */
  policies?: (name: string) => Policy;
}

const POLICY_KEY = 'policy';
const MEMORY_KEY = 'rebalance-memory';
const APP_TYPES_KEY = 'app-types';

/** The controller. */
export class ControllerService {
  private readonly store: StateStore;
  private readonly config: Config;
  private readonly portOf: (node: NodeRecord) => NodePort;
  private readonly now: () => number;
  private readonly policyOf: (name: string) => Policy;
  private chain: Promise<unknown> = Promise.resolve();
  private unreachable = new Set<string>();

  constructor(deps: ControllerDeps) {
    validateParams(deps.config.scheduler);
    this.store = deps.store;
    this.config = deps.config;
    this.portOf = deps.portOf;
    this.now = deps.now ?? Date.now;
    this.policyOf = deps.policies ?? policyByName;
  }

  /** The active policy's name. */
  policy(): string {
    return this.store.get<string>(POLICY_KEY) ?? this.params().policy;
  }

  /** Switches the policy (the name is checked first). */
  setPolicy(name: string): Promise<{ policy: string }> {
    return this.serial(() => {
      this.policyOf(name);
      const was = this.policy();
      this.store.set(POLICY_KEY, name);
      this.event('policy', name, 'set-by-user', `policy ${was} → ${name}`, {});
      return { policy: name };
    });
  }

  /** The scheduler's parameters: the config's, with the application types users defined through the API. */
  params(): SchedulerParams {
    const defined = this.store.get<SchedulerParams['appTypes']>(APP_TYPES_KEY) ?? {};
    return { ...this.config.scheduler, appTypes: { ...this.config.scheduler.appTypes, ...defined } };
  }

  /** Defines or redefines an application type's weights λ:α:β (checked: each in [0,1], sum 1). */
  defineAppType(name: string, weights: LoadModel): Promise<{ name: string; weights: LoadModel }> {
    return this.serial(() => {
      if (!/^[a-z][a-z0-9-]{0,31}$/.test(name)) throw new FerryError('FERRY_ERR_INVALID_INPUT', `application type "${name}": use lower-case letters, digits and dashes, starting with a letter`);
      validateWeights(weights, `weights of ${name}`);
      const defined = this.store.get<SchedulerParams['appTypes']>(APP_TYPES_KEY) ?? {};
      this.store.set(APP_TYPES_KEY, { ...defined, [name]: { memory: weights.memory, cpu: weights.cpu, network: weights.network } });
      this.event('app-type', name, 'defined-by-user', `λ:α:β = ${weights.memory}:${weights.cpu}:${weights.network}`, { ...weights });
      return { name, weights };
    });
  }

  /** Every application type and its weights. */
  appTypes(): SchedulerParams['appTypes'] {
    return this.params().appTypes;
  }

  /** Registers (or re-registers) a node after checking its agent answers with the cluster token. */
  registerNode(input: Pick<NodeRecord, 'name' | 'controlUrl' | 'dataHost' | 'capacity'> & { zone?: string; rack?: string }): Promise<NodeRecord> {
    return this.serial(async () => {
      const port = this.portOf({ ...input, state: 'active', zone: '', rack: '', registeredAt: 0, lastSeen: 0 });
      const health = await port.health();
      if (health.name !== input.name) throw new FerryError('FERRY_ERR_INVALID_INPUT', `the agent at ${input.controlUrl} is ${health.name}, not ${input.name}`);
      const metrics = await port.metrics();
      const capacity = input.capacity.cpuMillis > 0 ? input.capacity : metrics.capacity;
      const known = this.store.node(input.name);
      const rec = this.store.upsertNode({ name: input.name, controlUrl: input.controlUrl, dataHost: input.dataHost, capacity, zone: input.zone ?? '', rack: input.rack ?? '', state: health.power === 'sleeping' ? 'sleeping' : known?.state ?? 'active' }, this.now());
      if (!known) this.event('register', rec.name, 'registered', `node ${rec.name} at ${rec.controlUrl}`, { cpuMillis: capacity.cpuMillis, memoryMiB: capacity.memoryMiB, networkMbps: capacity.networkMbps });
      return rec;
    });
  }

  /** Deploys one container through the scheduler. */
  run(input: RunInput): Promise<ContainerRecord> {
    return this.serial(() => this.place(input));
  }

  /** Stops and removes a container the controller deployed. */
  remove(name: string): Promise<{ removed: string }> {
    return this.serial(async () => {
      const c = this.store.container(name);
      if (!c || c.status === 'removed') throw new FerryError('FERRY_ERR_UNKNOWN_CONTAINER', `the controller deployed no container named ${name} (\`ferry ps\` lists them)`);
      if (c.status === 'migrating') throw new FerryError('FERRY_ERR_MIGRATION_BUSY', `${name} is being migrated; remove it when the migration ends`);
      const node = this.nodeOrThrow(c.node);
      await this.portOf(node).remove(name).catch((err: unknown) => {
        if ((err as FerryError).code !== 'FERRY_ERR_UNKNOWN_CONTAINER') throw err;
      });
      this.store.putContainer({ ...c, status: 'removed' });
      this.event('remove', name, 'removed-by-user', `${name} removed from ${c.node}`, {});
      return { removed: name };
    });
  }

  /** One pass of the scheduler loop. */
  tick(): Promise<void> {
    return this.serial(() => this.loopOnce());
  }

  /** The nodes with colour, Wi and its parts. */
  nodes(): NodeReport[] {
    return describeNodes(this.view(), this.store.get<RebalanceMemory>(MEMORY_KEY), this.params(), this.unreachable);
  }

  /** The containers the controller deployed. */
  containers(): ContainerRecord[] {
    return this.store.containers();
  }

  /** Events after an id. */
  events(after = 0): EventRow[] {
    return this.store.events(after);
  }

  /** Every migration the scheduler started, newest first. */
  migrations(): ReturnType<StateStore['migrations']> {
    return this.store.migrations();
  }

  /** The scheduler's current view (for tests and `ferry nodes --json`). */
  view(): ClusterView {
    const d = this.params().samples;
    const nodes = this.store.nodes().map((n) => (this.unreachable.has(n.name) ? { ...n, state: 'unreachable' as const } : n));
    return buildView({ now: this.now(), nodes, containers: this.store.containers(), samplesOf: (n) => this.store.lastSamples(n, d) });
  }

  /** Observe, follow migrations, rebalance, act. */
  private async loopOnce(): Promise<void> {
    const seen = await observe(this.store, this.portOf, this.now);
    for (const n of seen.unreachable) if (!this.unreachable.has(n)) this.event('unreachable', n, 'no-answer', `the agent of ${n} did not answer`, {});
    this.unreachable = seen.unreachable;
    for (const p of seen.power) {
      this.store.setNodeState(p.node, p.power === 'sleeping' ? 'sleeping' : 'active');
      this.event(p.power === 'sleeping' ? 'sleep' : 'wake', p.node, 'agent-reported', `the agent of ${p.node} reports it ${p.power}`, {});
    }
    for (const m of seen.moved) this.event('reconcile', m.container, 'found-elsewhere', `${m.container} runs on ${m.to}, not ${m.from}`, {});
    for (const l of seen.lost) this.event('lost', l, 'not-running', `${l} no longer runs on its node`, {});
    const ended = await followMigrations(this.store, (name) => { const n = this.store.node(name); return n ? this.portOf(n) : undefined; }, seen.running, this.now());
    for (const e of ended) this.event(e.outcome === 'migrated' ? 'migrated' : 'migration-failed', e.row.container, e.row.reason, `${e.row.container} ${e.row.from} → ${e.row.to}: ${e.detail}`, { downtimeMs: e.downtimeMs, seconds: (this.now() - e.row.startedAt) / 1000 });
    const policy = this.policyOf(this.policy());
    if (!policy.rebalancer) return;
    const memory = this.store.get<RebalanceMemory>(MEMORY_KEY);
    const out = policy.rebalancer(this.view(), memory, this.params(), policy);
    this.store.set(MEMORY_KEY, out.memory);
    for (const action of out.actions) await this.act(action);
  }

  /** Carries out one rebalancing action and records it. */
  private async act(a: SchedulerAction): Promise<void> {
    const subject = a.kind === 'migrate' ? a.container : a.node;
    try {
      if (a.kind === 'migrate') {
        await startMigration(this.store, this.portOf(this.nodeOrThrow(a.from)), this.nodeOrThrow(a.to), a.container, a.from, a.reason, this.params().migrationStrategy, this.now());
      } else if (a.kind === 'drain') {
        this.store.setNodeState(a.node, 'draining');
      } else if (a.kind === 'undrain') {
        this.store.setNodeState(a.node, 'active');
      } else if (a.kind === 'sleep') {
        await this.portOf(this.nodeOrThrow(a.node)).power('sleep');
        this.store.setNodeState(a.node, 'sleeping');
        this.store.clearSamples(a.node);
      } else if (a.kind === 'wake') {
        await this.wake(a.node);
      }
      this.event(a.kind, subject, a.reason, a.detail, a.numbers);
    } catch (err) {
      this.event(`${a.kind}-failed`, subject, a.reason, `${a.detail}: ${(err as Error).message}`, a.numbers);
    }
  }

  /** Wakes a node and waits until its agent is awake. */
  private async wake(node: string): Promise<void> {
    this.store.setNodeState(node, 'waking');
    try {
      await this.portOf(this.nodeOrThrow(node)).power('wake');
    } catch (err) {
      this.store.setNodeState(node, 'sleeping');
      throw err;
    }
    this.store.clearSamples(node);
    this.store.setNodeState(node, 'active');
  }

  /** Places, binds, and records one container; wakes nodes when the policy asks. */
  private async place(input: RunInput): Promise<ContainerRecord> {
    const req = this.request(input);
    for (let attempt = 0; attempt <= this.store.nodes().length; attempt++) {
      const decision = schedule(this.policyOf(this.policy()), this.view(), req, this.params(), { memory: this.store.get<RebalanceMemory>(MEMORY_KEY) });
      if (decision.kind === 'unschedulable') throw new FerryError('FERRY_ERR_UNSCHEDULABLE', decision.message);
      if (decision.kind === 'wake') {
        await this.wake(decision.node);
        this.event('wake', decision.node, decision.reason, decision.detail, decision.numbers);
        continue;
      }
      const node = this.nodeOrThrow(decision.node);
      await this.portOf(node).run({
        name: req.name, image: input.image, env: input.env ?? [], cpuMillis: req.request.cpuMillis, memoryMiB: req.request.memoryMiB,
        labels: { 'ferry.app': req.app, 'ferry.app-type': req.appType, 'ferry.managed-by': 'controller' },
      });
      const rec: ContainerRecord = { name: req.name, app: req.app, appType: req.appType, node: node.name, image: input.image, request: req.request, status: 'running', createdAt: this.now() };
      this.store.putContainer(rec);
      this.event('place', req.name, decision.reason, decision.detail, decision.numbers);
      return rec;
    }
    throw new FerryError('FERRY_ERR_UNSCHEDULABLE', `no node could take ${req.name} even after waking every sleeping node`);
  }

  /** Validates a run request into a placement request (nothing is changed when it is refused). */
  private request(input: RunInput): PlacementRequest {
    const appType = input.appType ?? this.params().defaultAppType;
    weightsFor(appType, this.params());
    if (!(input.cpuMillis > 0) || !(input.memoryMiB > 0)) throw new FerryError('FERRY_ERR_INVALID_INPUT', 'a container must ask for some CPU (--cpus) and memory (--memory)');
    const name = input.name ?? `${(input.app ?? input.image.replace(/[^a-z0-9]+/g, '-')).replace(/^-+|-+$/g, '')}-${Math.random().toString(36).slice(2, 7)}`;
    if (!/^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,127}$/.test(name)) throw new FerryError('FERRY_ERR_INVALID_INPUT', `container name "${name}" is not a valid Docker name`);
    const known = this.store.container(name);
    if (known && known.status !== 'removed') throw new FerryError('FERRY_ERR_NAME_TAKEN', `the controller already runs a container named ${name} on ${known.node}`);
    const request: Resources = { cpuMillis: input.cpuMillis, memoryMiB: input.memoryMiB, networkMbps: input.networkMbps ?? 0 };
    return { name, app: input.app ?? name, appType, request };
  }

  /** A registered node or FERRY_ERR_UNKNOWN_NODE. */
  private nodeOrThrow(name: string): NodeRecord {
    const n = this.store.node(name);
    if (!n) throw new FerryError('FERRY_ERR_UNKNOWN_NODE', `no node ${name} is registered`);
    return n;
  }

  /** Records an event and publishes it. */
  private event(kind: string, subject: string, reason: string, detail: string, numbers: Record<string, number>): void {
    const e = this.store.addEvent({ at: this.now(), kind, subject, reason, detail, numbers });
    publishDecision(e);
    log('info', `${kind} ${subject}: ${detail}`, { reason, numbers });
  }

  /** Resolves when no call is running. */
  async idle(): Promise<void> {
    await this.chain;
  }

  /** Runs calls one at a time. */
  private serial<T>(fn: () => T | Promise<T>): Promise<T> {
    const next = this.chain.then(fn, fn);
    this.chain = next.catch(() => undefined);
    return next;
  }
}
