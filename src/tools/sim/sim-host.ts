/**
 * @module tools/sim/sim-host — one simulated host and the containers on it: how CPU and network are
 * shared when demand exceeds capacity (proportionally, like CFS shares and a fair NIC), what
 * a migrating container loses (the configured slowdown, then nothing at all while frozen),
 * and the integrals every metric is made of (energy, active time, time at 100 % CPU, CPU
 * requested and received, received while migrating, job progress, the samples' sums).
 * `settle(t)` integrates up to t at the rates in force; `share()` sets new rates.
 */
import type { NodeState, Resources } from '../../domain/scheduler/index.ts';
import { wattsAt, type PowerModel } from './power.ts';
import type { SimContainerSpec } from './trace/types.ts';

/** A migration in flight, held by the migrating container. */
export interface InFlight {
  to: SimHost;
  startAt: number;
  /** When the container is frozen for the final copy (endAt − downtime). */
  freezeAt: number;
  endAt: number;
  frozen: boolean;
  reason: string;
}

/** A running container's state and integrals (times in ms, CPU in the scenario's millis). */
export class SimContainer {
  readonly spec: SimContainerSpec;
  /** When it was placed (its demand series starts then). */
  startedAt: number;
  host: SimHost;
  demand: Resources;
  /** CPU it receives now. */
  cpuGiven = 0;
  /** Network it receives now, Mbit/s. */
  networkGiven = 0;
  migration: InFlight | undefined;
  /** ∫ demanded CPU dt and ∫ received CPU dt (millis·ms). */
  cpuAsked = 0;
  cpuGot = 0;
  /** ∫ (demanded − received) dt while migrating: CloudSim's under-allocation due to migration. */
  cpuLostToMigration = 0;
  /** Job work done, millis·s. */
  workDone = 0;
  /** Bumped whenever the job's end time moves; older job-end events are stale. */
  jobVersion = 0;
  /** Sums since the last sample: ∫ received CPU dt, ∫ memory dt, ∫ network dt. */
  sampleCpu = 0;
  sampleMemory = 0;
  sampleNetwork = 0;

  constructor(spec: SimContainerSpec, host: SimHost, at: number, demand: Resources) {
    this.spec = spec;
    this.host = host;
    this.startedAt = at;
    this.demand = demand;
  }

  /** Network a job needs per unit of CPU progress, Mbit/s per milli. */
  get networkPerCpu(): number {
    const j = this.spec.job;
    return j && j.cpuWork > 0 ? (j.writeMiB * 8 * 1.048576 * j.remoteReplicas) / j.cpuWork : 0;
  }
}

/** Static description of a host. */
export interface SimHostSpec {
  name: string;
  capacity: Resources;
  power: PowerModel;
  zone: string;
  rack: string;
  initially: 'awake' | 'asleep';
}

/** One host with its integrals. */
export class SimHost {
  readonly spec: SimHostSpec;
  state: NodeState;
  containers: SimContainer[] = [];
  /** Last time the integrals were brought up to. */
  settledAt = 0;
  cpuDemand = 0;
  cpuGiven = 0;
  networkGiven = 0;
  /** Joules drawn so far. */
  energyJ = 0;
  /** ms awake and taking work (active or draining), ms of that at 100 % CPU demand, ms awake in any form. */
  activeMs = 0;
  fullMs = 0;
  awakeMs = 0;
  /** True once it ran any container. */
  used = false;
  /** Node-level sample sums since the last sample. */
  sampleCpu = 0;
  sampleMemory = 0;
  sampleNetwork = 0;
  sampleFrom = 0;
  /** Slowdown while migrating (0.1 = 10 % less CPU). */
  readonly slowdown: number;

  constructor(spec: SimHostSpec, slowdown: number) {
    this.spec = spec;
    this.slowdown = slowdown;
    this.state = spec.initially === 'awake' ? 'active' : 'sleeping';
  }

  /** True while it draws more than sleep power and can hold containers. */
  get awake(): boolean {
    return this.state === 'active' || this.state === 'draining';
  }

  /** Integrates everything from settledAt to t at the current rates. */
  settle(t: number): void {
    const dt = t - this.settledAt;
    if (dt <= 0) return;
    const p = this.spec.power;
    const util = this.spec.capacity.cpuMillis > 0 ? this.cpuGiven / this.spec.capacity.cpuMillis : 0;
    const watts = this.state === 'sleeping' ? p.sleepW : this.state === 'waking' ? p.idleW : wattsAt(p, util);
    this.energyJ += (watts * dt) / 1000;
    if (this.state !== 'sleeping') this.awakeMs += dt;
    if (this.awake) {
      this.activeMs += dt;
      if (this.cpuDemand > this.spec.capacity.cpuMillis * (1 + 1e-9)) this.fullMs += dt;
    }
    let memory = 0;
    for (const c of this.containers) {
      c.cpuAsked += c.demand.cpuMillis * dt;
      c.cpuGot += c.cpuGiven * dt;
      if (c.migration) c.cpuLostToMigration += (c.demand.cpuMillis - c.cpuGiven) * dt;
      if (c.spec.job) c.workDone += (c.cpuGiven * dt) / 1000;
      c.sampleCpu += c.cpuGiven * dt;
      c.sampleMemory += c.demand.memoryMiB * dt;
      c.sampleNetwork += c.networkGiven * dt;
      memory += c.demand.memoryMiB;
    }
    this.sampleCpu += this.cpuGiven * dt;
    this.sampleMemory += memory * dt;
    this.sampleNetwork += this.networkGiven * dt;
    this.settledAt = t;
  }

  /** Recomputes who gets what CPU and network (call after settle, whenever demand or membership changed). */
  share(): void {
    let demand = 0;
    for (const c of this.containers) if (!c.migration?.frozen) demand += c.demand.cpuMillis;
    this.cpuDemand = demand;
    const cap = this.spec.capacity.cpuMillis;
    const factor = demand > cap && demand > 0 ? cap / demand : 1;
    let network = 0;
    for (const c of this.containers) {
      const m = c.migration;
      c.cpuGiven = m?.frozen ? 0 : c.demand.cpuMillis * factor * (m ? 1 - this.slowdown : 1);
      c.networkGiven = c.spec.job ? c.cpuGiven * c.networkPerCpu : m?.frozen ? 0 : c.demand.networkMbps;
      network += c.networkGiven;
    }
    const netCap = this.spec.capacity.networkMbps;
    if (network > netCap && netCap > 0) {
      // The NIC is full: everyone gets its share of it; jobs wait on their writes, so they also compute slower.
      const g = netCap / network;
      for (const c of this.containers) {
        c.networkGiven *= g;
        if (c.spec.job && c.networkPerCpu > 0) c.cpuGiven *= g;
      }
      network = netCap;
    }
    let cpu = 0;
    for (const c of this.containers) cpu += c.cpuGiven;
    this.cpuGiven = cpu;
    this.networkGiven = network;
  }

  /** Takes the samples' means since the last sample and restarts the sums. */
  takeSample(t: number): { load: Resources; containers: Array<{ name: string } & Resources & { dirtyRateMBps: number }> } {
    const span = t - this.sampleFrom || 1;
    const load = { cpuMillis: this.sampleCpu / span, memoryMiB: this.sampleMemory / span, networkMbps: this.sampleNetwork / span };
    const containers = this.containers.map((c) => {
      const from = Math.max(this.sampleFrom, c.startedAt);
      const own = t - from || 1;
      const s = { name: c.spec.name, cpuMillis: c.sampleCpu / own, memoryMiB: c.sampleMemory / own, networkMbps: c.sampleNetwork / own, dirtyRateMBps: c.spec.dirtyRateMBps };
      c.sampleCpu = c.sampleMemory = c.sampleNetwork = 0;
      return s;
    });
    this.sampleCpu = this.sampleMemory = this.sampleNetwork = 0;
    this.sampleFrom = t;
    return { load, containers };
  }
}
