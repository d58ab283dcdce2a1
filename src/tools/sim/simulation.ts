/**
 * @module tools/sim/simulation — the discrete-event simulator. It drives a `Policy` the way the
 * controller does — `schedule()` for each arriving container, the policy's rebalancer every
 * tick, its actions carried out (migrate, drain, undrain, sleep, wake) — against simulated
 * hosts whose load comes from traces and whose migrations take the time the cost model says.
 * Same-instant arrivals are placed in one cycle with a reservation book, as a tick's moves are.
 * A `driven` simulation does none of the deciding: an external driver (the real controller,
 * through `SimNodePort`) advances its clock and starts, removes, migrates, sleeps and wakes.
 */
import { performance } from 'node:perf_hooks';
import type { SampleRow } from '../../apps/controller/records.ts';
import type { Policy, RebalanceMemory, SchedulerAction, SchedulerParams } from '../../domain/scheduler/index.ts';
import { ReservationBook, schedule } from '../../domain/scheduler/index.ts';
import { EventQueue, type SimEvent } from './event-queue.ts';
import { SimAccounts, type SimMetrics, type TimelinePoint } from './sim-accounts.ts';
import { SimContainer, SimHost, type InFlight, type SimHostSpec } from './sim-host.ts';
import { SampleBook, simView } from './sim-view.ts';
import { demandAt, type SimContainerSpec } from './trace/types.ts';

/** Placements made on one view before it is rebuilt (keeps the reservation book, and each placement, small). */
const PLACEMENTS_PER_VIEW = 256;

/** A migration's price, from the cost model. */
export interface MigrationPrice {
  totalMs: number;
  downtimeMs: number;
}

/** What one simulation needs. */
export interface SimSetup {
  hosts: readonly SimHostSpec[];
  workload: readonly SimContainerSpec[];
  policy: Policy;
  params: SchedulerParams;
  /** The controller's tick: how often the rebalancer runs. */
  tickMs: number;
  /** Simulated time; the run also ends early once every job is done and nothing else is due. */
  durationMs: number;
  /** How often demand is re-read from the traces (their interval). */
  demandStepMs: number;
  /** CPU lost by a container while it migrates (0.1 = 10 %). */
  slowdown: number;
  /** Prices a live migration of a container from one host to another. */
  price: (c: { memoryMiB: number; dirtyRateMBps: number }, bandwidthMbps: number) => MigrationPrice;
  /** Every decision, as it is made (for logs and tests). */
  onDecision?: (d: SimDecision) => void;
  /** Measure each arriving container's schedule() call (wall ms), for the scale benchmark. */
  timePlacements?: boolean;
  /** An external driver decides (no arrivals, departures or ticks of the simulator's own); see `advanceTo`. */
  driven?: boolean;
}

/** A decision the simulator carried out (or could not). */
export interface SimDecision {
  at: number;
  kind: 'place' | 'wake' | 'unschedulable' | SchedulerAction['kind'] | 'migrated' | 'refused';
  subject: string;
  node?: string;
  to?: string;
  reason: string;
}

/** What a run returns. */
export interface SimResult {
  policy: string;
  metrics: SimMetrics;
  timeline: TimelinePoint[];
  /** Wall milliseconds of each arrival's schedule() call, when asked for. */
  placementMs?: number[];
  /** Wall milliseconds of each tick's view plus rebalancer, when asked for. */
  tickWallMs?: number[];
}

/** Runs one simulation to its end. */
export function simulate(setup: SimSetup): SimResult {
  return new Simulation(setup).run();
}

/** One run's state. */
export class Simulation {
  readonly setup: SimSetup;
  readonly hosts: SimHost[];
  private readonly byName = new Map<string, SimHost>();
  private readonly containers = new Map<string, SimContainer>();
  private readonly queue = new EventQueue();
  private readonly samples: SampleBook;
  private readonly accounts: SimAccounts;
  private readonly specs = new Map<string, SimContainerSpec>();
  /** Containers waiting for a node (a wake, or room). */
  private waiting: SimContainerSpec[] = [];
  private memory: RebalanceMemory | undefined;
  private now = 0;
  /** Containers placed on a host that is still waking: they start when it is awake. */
  private readonly bound = new Map<SimHost, SimContainerSpec[]>();
  private readonly placementMs: number[] = [];
  private readonly tickWallMs: number[] = [];
  /** Migrations that reached their destination (a driver asks; a removed container's never does). */
  private readonly landed = new WeakSet<InFlight>();

  constructor(setup: SimSetup) {
    this.setup = setup;
    this.hosts = setup.hosts.map((s) => new SimHost(s, setup.slowdown));
    for (const h of this.hosts) {
      this.byName.set(h.spec.name, h);
      // A policy that never wakes a node runs on a cluster whose nodes are all on.
      if (!setup.policy.wakeSleeping) h.state = 'active';
    }
    this.samples = new SampleBook(setup.params.samples);
    this.accounts = new SimAccounts(this.hosts);
    for (const spec of setup.workload) {
      this.specs.set(spec.name, spec);
      if (setup.driven) continue;
      this.queue.push({ at: spec.startS * 1000, kind: 'arrival', subject: spec.name });
      if (spec.endS !== undefined) this.queue.push({ at: spec.endS * 1000, kind: 'departure', subject: spec.name });
    }
    this.queue.push({ at: setup.demandStepMs, kind: 'demand', subject: '' });
    this.queue.push({ at: setup.params.sampleEveryMs, kind: 'sample', subject: '' });
    if (!setup.driven) this.queue.push({ at: setup.tickMs, kind: 'tick', subject: '' });
  }

  /** Processes events until the duration is reached or nothing is left to do. */
  run(): SimResult {
    const end = this.setup.durationMs;
    for (;;) {
      const next = this.queue.peek();
      if (!next || next.at > end) break;
      if (this.finished() && next.kind !== 'arrival') break;
      this.now = next.at;
      if (next.kind === 'arrival') this.arrivals(this.sameInstant('arrival'));
      else if (next.kind === 'wake-end') {
        for (const e of this.sameInstant('wake-end')) this.woken(this.byName.get(e.subject)!, e.at);
        this.retryWaiting(this.now);
      } else this.handle(this.queue.pop()!);
    }
    const stop = this.finished() ? this.now : end;
    for (const h of this.hosts) h.settle(stop);
    for (const c of this.containers.values()) this.accounts.retire(c, stop);
    const result: SimResult = { policy: this.setup.policy.name, metrics: this.accounts.metrics(stop, this.waiting.length), timeline: this.accounts.timeline };
    if (this.setup.timePlacements) {
      result.placementMs = this.placementMs;
      result.tickWallMs = this.tickWallMs;
    }
    return result;
  }

  /** The simulated clock, ms since the start. */
  get clock(): number {
    return this.now;
  }

  /**
   * A driven run's step: processes every event due at or before t (demand steps, samples,
   * freezes, migration, wake and job ends) and sets the clock to t.
   */
  advanceTo(t: number): void {
    if (!this.setup.driven) throw new Error('advanceTo() steps a simulation set up with driven: true; run() runs the others');
    if (!(t >= this.now)) throw new RangeError(`the simulated clock is at ${this.now} ms and cannot go to ${t}`);
    for (let e = this.queue.peek(); e && e.at <= t; e = this.queue.peek()) {
      this.now = e.at;
      this.handle(this.queue.pop()!);
    }
    this.now = t;
  }

  /** A running container by name. */
  container(name: string): SimContainer | undefined {
    return this.containers.get(name);
  }

  /** A host's kept samples, oldest first. */
  samplesOf(host: string): readonly SampleRow[] {
    return this.samples.of(host);
  }

  /** Starts the workload's container `name` on an awake host now. */
  startNow(name: string, host: string): void {
    const spec = this.specs.get(name);
    const h = this.byName.get(host);
    if (!spec || !h?.awake || this.containers.has(name)) throw new Error(`the driver cannot start ${name} on ${host} now`);
    this.accounts.submitted([spec]);
    this.start(spec, h, this.now);
  }

  /** Removes a running container now. */
  removeNow(name: string): void {
    const c = this.containers.get(name);
    if (!c) throw new Error(`the driver cannot remove ${name}: it does not run`);
    this.remove(c, this.now);
  }

  /** Puts a host to sleep now; false (and nothing done) when it may not: not awake, not empty, or a migration's destination. */
  sleepNow(host: string): boolean {
    const h = this.byName.get(host);
    if (!h || !this.maySleep(h)) return false;
    this.sleep(h, this.now);
    return true;
  }

  /** Wakes a sleeping host and finishes the wake at once (the driver's wake returns once the host is awake, as the controller's waits for its agent). */
  wakeNow(host: string): void {
    const h = this.byName.get(host);
    if (h?.state !== 'sleeping') return;
    h.settle(this.now);
    this.accounts.wakes++;
    this.woken(h, this.now);
    this.retryWaiting(this.now);
  }

  /** Starts a live migration of a running container to another awake host now; returns it in flight. */
  migrateNow(name: string, to: string): InFlight {
    const c = this.containers.get(name);
    const h = this.byName.get(to);
    if (!c || c.migration || !h?.awake || h === c.host) throw new Error(`the driver cannot migrate ${name} to ${to} now`);
    this.startMigration(c, h, this.now, 'driven');
    return c.migration!;
  }

  /** True once a migration reached its destination (never for one whose container was removed first). */
  hasLanded(m: InFlight): boolean {
    return this.landed.has(m);
  }

  /** True when jobs were the point and all are done, with no arrival left. */
  private finished(): boolean {
    return this.accounts.jobsTotal > 0 && this.accounts.jobsDone === this.accounts.jobsTotal && this.containers.size === 0;
  }

  private sameInstant(kind: SimEvent['kind']): SimEvent[] {
    const out: SimEvent[] = [];
    while (this.queue.peek()?.kind === kind && this.queue.peek()!.at === this.now) out.push(this.queue.pop()!);
    return out;
  }

  private handle(e: SimEvent): void {
    const t = e.at;
    switch (e.kind) {
      case 'demand': {
        for (const h of this.hosts) this.redemand(h, t);
        this.queue.push({ at: t + this.setup.demandStepMs, kind: 'demand', subject: '' });
        return;
      }
      case 'sample':
        this.samples.sample(this.hosts, t);
        this.queue.push({ at: t + this.setup.params.sampleEveryMs, kind: 'sample', subject: '' });
        return;
      case 'tick':
        this.tick(t);
        this.queue.push({ at: t + this.setup.tickMs, kind: 'tick', subject: '' });
        return;
      case 'departure': {
        const c = this.containers.get(e.subject);
        if (c) this.remove(c, t);
        this.waiting = this.waiting.filter((s) => s.name !== e.subject);
        for (const [h, list] of this.bound) this.bound.set(h, list.filter((s) => s.name !== e.subject));
        return;
      }
      case 'job-end': {
        const c = this.containers.get(e.subject);
        if (!c || c.jobVersion !== e.version) return;
        c.host.settle(t);
        if (c.workDone >= c.spec.job!.cpuWork * (1 - 1e-9)) {
          this.accounts.jobDone(c, t);
          this.remove(c, t);
        } else this.reshare(c.host, t);
        return;
      }
      case 'freeze': {
        const c = this.containers.get(e.subject);
        if (!c?.migration) return;
        c.host.settle(t);
        c.migration.frozen = true;
        this.reshare(c.host, t);
        return;
      }
      case 'migration-end':
        this.finishMigration(e.subject, t);
        return;
      case 'wake-end':
        this.woken(this.byName.get(e.subject)!, t);
        this.retryWaiting(t);
        return;
      case 'arrival':
        this.arrivals([e]);
    }
  }

  /** Places same-instant arrivals in one cycle. */
  private arrivals(events: SimEvent[]): void {
    const specs = events.map((e) => this.specs.get(e.subject)!);
    this.accounts.submitted(specs);
    this.place(specs, this.now);
  }

  private retryWaiting(t: number): void {
    const list = this.waiting;
    this.waiting = [];
    if (list.length) this.place(list, t);
  }

  /**
   * One placement cycle: schedule() each, with a reservation book, the view rebuilt every
   * PLACEMENTS_PER_VIEW. A request that needs a sleeping node wakes it and is bound to it (it
   * starts when the node is awake and counts as its request there meanwhile), so the next
   * requests wait for the same node while it has room and wake another once it has not.
   */
  private place(specs: readonly SimContainerSpec[], t: number): void {
    let view = simView(this.hosts, this.samples, t, this.bound);
    let book = new ReservationBook();
    const { policy, params } = this.setup;
    const timed = this.setup.timePlacements === true;
    let sinceView = 0;
    for (const spec of specs) {
      if (++sinceView > PLACEMENTS_PER_VIEW) {
        // What this cycle placed or bound is in the records now: a new view, an empty book.
        view = simView(this.hosts, this.samples, t, this.bound);
        book = new ReservationBook();
        sinceView = 1;
      }
      const t0 = timed ? performance.now() : 0;
      const d = schedule(policy, view, { name: spec.name, app: spec.app, appType: spec.appType, request: spec.request }, params, { reservations: book, memory: this.memory, explain: false });
      if (timed) this.placementMs.push(performance.now() - t0);
      if (d.kind === 'place') {
        this.start(spec, this.byName.get(d.node)!, t);
        this.setup.onDecision?.({ at: t, kind: 'place', subject: spec.name, node: d.node, reason: d.reason });
        continue;
      }
      if (d.kind === 'unschedulable') {
        this.waiting.push(spec);
        this.setup.onDecision?.({ at: t, kind: 'unschedulable', subject: spec.name, reason: d.reason });
        continue;
      }
      book.reserve(d.node, { name: spec.name, app: spec.app, appType: spec.appType, request: spec.request });
      const host = this.byName.get(d.node)!;
      this.bound.set(host, [...(this.bound.get(host) ?? []), spec]);
      if (host.state === 'sleeping') {
        this.wake(host, t, d.reason);
        view = { now: view.now, nodes: view.nodes.map((n) => (n.name === d.node ? { ...n, state: 'waking' as const } : n)) };
      }
    }
  }

  /** One rebalancing tick, as the controller's loop runs it. */
  private tick(t: number): void {
    this.accounts.record(t, this.hosts);
    if (this.waiting.length) this.retryWaiting(t);
    const { policy, params } = this.setup;
    if (!policy.rebalancer) return;
    const t0 = performance.now();
    const out = policy.rebalancer(simView(this.hosts, this.samples, t, this.bound), this.memory, params, policy);
    if (this.setup.timePlacements) this.tickWallMs.push(performance.now() - t0);
    this.memory = out.memory;
    for (const a of out.actions) this.act(a, t);
  }

  /** Carries out one action; an impossible one is refused and recorded, as the controller records a failed action. */
  private act(a: SchedulerAction, t: number): void {
    const log = (kind: SimDecision['kind'], extra: Partial<SimDecision> = {}): void => this.setup.onDecision?.({ at: t, kind, subject: a.kind === 'migrate' ? a.container : a.node, reason: a.reason, ...extra });
    if (a.kind === 'migrate') {
      const c = this.containers.get(a.container);
      const to = this.byName.get(a.to);
      if (!c || c.migration || c.host.spec.name !== a.from || !to?.awake) return log('refused');
      this.startMigration(c, to, t, a.reason);
      return log('migrate', { node: a.from, to: a.to });
    }
    const h = this.byName.get(a.node)!;
    h.settle(t);
    if (a.kind === 'drain' && h.state === 'active') h.state = 'draining';
    else if (a.kind === 'undrain' && h.state === 'draining') h.state = 'active';
    else if (a.kind === 'sleep' && this.maySleep(h)) this.sleep(h, t);
    else if (a.kind === 'wake' && h.state === 'sleeping') return this.wake(h, t, a.reason);
    else return log('refused');
    log(a.kind);
  }

  /** True when a host may sleep: awake, empty, and no migration on its way to it. */
  private maySleep(h: SimHost): boolean {
    if (!h.awake || h.containers.length > 0) return false;
    for (const c of this.containers.values()) if (c.migration?.to === h) return false;
    return true;
  }

  private sleep(h: SimHost, t: number): void {
    h.settle(t);
    h.state = 'sleeping';
    this.samples.clear(h, t);
  }

  /** A wake finished: the host takes work, with a fresh series of samples. */
  private woken(h: SimHost, t: number): void {
    h.settle(t);
    h.state = 'active';
    this.samples.clear(h, t);
    this.setup.onDecision?.({ at: t, kind: 'wake', subject: h.spec.name, reason: 'awake' });
    const bound = this.bound.get(h) ?? [];
    this.bound.delete(h);
    for (const spec of bound) {
      this.start(spec, h, t);
      this.setup.onDecision?.({ at: t, kind: 'place', subject: spec.name, node: h.spec.name, reason: 'woken' });
    }
  }

  private wake(h: SimHost, t: number, reason: string): void {
    if (h.state !== 'sleeping') return;
    h.settle(t);
    h.state = 'waking';
    this.accounts.wakes++;
    this.queue.push({ at: t + h.spec.power.wakeS * 1000, kind: 'wake-end', subject: h.spec.name });
    this.setup.onDecision?.({ at: t, kind: 'wake', subject: h.spec.name, reason });
  }

  private start(spec: SimContainerSpec, h: SimHost, t: number): void {
    h.settle(t);
    const c = new SimContainer(spec, h, t, demandAt(spec, 0));
    this.containers.set(spec.name, c);
    h.containers = [...h.containers, c];
    h.used = true;
    this.reshare(h, t);
  }

  private remove(c: SimContainer, t: number): void {
    const h = c.host;
    h.settle(t);
    c.migration?.to.settle(t);
    h.containers = h.containers.filter((x) => x !== c);
    this.containers.delete(c.spec.name);
    this.accounts.retire(c, t);
    c.migration = undefined;
    this.reshare(h, t);
  }

  private startMigration(c: SimContainer, to: SimHost, t: number, reason: string): void {
    const from = c.host;
    from.settle(t);
    const bw = Math.min(from.spec.capacity.networkMbps, to.spec.capacity.networkMbps);
    const price = this.setup.price({ memoryMiB: c.spec.footprintMiB ?? c.demand.memoryMiB, dirtyRateMBps: c.spec.dirtyRateMBps }, bw);
    const endAt = t + price.totalMs;
    const freezeAt = Math.max(t, endAt - price.downtimeMs);
    c.migration = { to, startAt: t, freezeAt, endAt, frozen: false, reason };
    this.accounts.migrationStarted(price);
    this.queue.push({ at: freezeAt, kind: 'freeze', subject: c.spec.name });
    this.queue.push({ at: endAt, kind: 'migration-end', subject: c.spec.name });
    this.reshare(from, t);
  }

  private finishMigration(name: string, t: number): void {
    const c = this.containers.get(name);
    if (!c?.migration) return;
    const from = c.host;
    const to = c.migration.to;
    from.settle(t);
    to.settle(t);
    from.containers = from.containers.filter((x) => x !== c);
    to.containers = [...to.containers, c];
    to.used = true;
    c.host = to;
    this.landed.add(c.migration);
    c.migration = undefined;
    this.setup.onDecision?.({ at: t, kind: 'migrated', subject: name, node: from.spec.name, to: to.spec.name, reason: 'done' });
    this.reshare(from, t);
    this.reshare(to, t);
  }

  /** New demand from the traces for every container of a host. */
  private redemand(h: SimHost, t: number): void {
    if (h.containers.length === 0) return;
    h.settle(t);
    for (const c of h.containers) c.demand = demandAt(c.spec, (t - c.startedAt) / 1000);
    this.reshare(h, t);
  }

  /** Shares the host anew and moves its jobs' end events. */
  private reshare(h: SimHost, t: number): void {
    h.share();
    for (const c of h.containers) {
      const job = c.spec.job;
      if (!job) continue;
      c.jobVersion++;
      if (c.cpuGiven <= 0) continue;
      const left = Math.max(0, job.cpuWork - c.workDone);
      this.queue.push({ at: t + (left / c.cpuGiven) * 1000, kind: 'job-end', subject: c.spec.name, version: c.jobVersion });
    }
  }
}
