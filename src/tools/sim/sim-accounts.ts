/**
 * @module tools/sim/sim-accounts — the run's books, kept the way the consolidation literature keeps
 * them (Beloglazov & Buyya 2012; CloudSim's power `Helper`): energy in kWh, mean active
 * hosts, migrations, SLATAH (the share of active host-time during which the host's CPU demand
 * exceeded its capacity — CloudSim: allocated < requested), PDM (CPU under-allocated to migrating containers
 * over all CPU requested), SLAV = SLATAH × PDM; plus node-hours awake, wakes, and job
 * completion times. A timeline of awake hosts and power feeds the plots.
 */
import { wattsAt } from './power.ts';
import type { SimContainer, SimHost } from './sim-host.ts';
import type { SimContainerSpec } from './trace/types.ts';

/** One point of the timeline (taken every tick). */
export interface TimelinePoint {
  /** Seconds since the start. */
  t: number;
  /** Hosts awake (active, draining or waking). */
  awake: number;
  /** Hosts taking work (active or draining). */
  active: number;
  /** Watts drawn by the whole cluster at that instant. */
  watts: number;
  /** Migrations started so far. */
  migrations: number;
}

/** The run's results. */
export interface SimMetrics {
  simulatedHours: number;
  energyKWh: number;
  meanActiveHosts: number;
  meanAwakeHosts: number;
  nodeHoursAwake: number;
  /** Hosts that ran at least one container (the paper's "nodes switched on"). */
  hostsOn: number;
  maxAwakeHosts: number;
  migrations: number;
  meanMigrationS: number;
  meanDowntimeS: number;
  wakes: number;
  slatahPercent: number;
  pdmPercent: number;
  /** SLATAH × PDM, both as fractions, ×100 (CloudSim prints SLAV as a fraction; this is that × 100). */
  slavPercent: number;
  /** CPU received over CPU demanded, all containers, all time (1 = nobody waited). */
  cpuServedRatio: number;
  jobs: number;
  jobsDone: number;
  /** Seconds from submission to end, per finished job, in submission order. */
  jobCompletionS: number[];
  meanJobCompletionS: number;
  /** Seconds from the first submission to the last job's end. */
  makespanS: number;
  /** Containers still waiting for a node at the end. */
  unplaced: number;
}

/** The books. */
export class SimAccounts {
  readonly timeline: TimelinePoint[] = [];
  private readonly hosts: readonly SimHost[];
  jobsTotal = 0;
  jobsDone = 0;
  wakes = 0;
  private migrations = 0;
  private migrationMs = 0;
  private downtimeMs = 0;
  private cpuAsked = 0;
  private cpuGot = 0;
  private cpuLost = 0;
  private firstSubmit = Infinity;
  private lastJobEnd = 0;
  private readonly submittedAt = new Map<string, number>();
  private readonly completion = new Map<string, number>();

  constructor(hosts: readonly SimHost[]) {
    this.hosts = hosts;
  }

  /** Containers submitted at their start times. */
  submitted(specs: readonly SimContainerSpec[]): void {
    for (const s of specs) {
      this.firstSubmit = Math.min(this.firstSubmit, s.startS * 1000);
      if (s.job) {
        this.jobsTotal++;
        this.submittedAt.set(s.name, s.startS * 1000);
      }
    }
  }

  /** A job finished at t. */
  jobDone(c: SimContainer, t: number): void {
    this.jobsDone++;
    this.completion.set(c.spec.name, (t - (this.submittedAt.get(c.spec.name) ?? c.startedAt)) / 1000);
    this.lastJobEnd = Math.max(this.lastJobEnd, t);
  }

  /** A container left (or the run ended): its integrals join the totals. */
  retire(c: SimContainer, _t: number): void {
    this.cpuAsked += c.cpuAsked;
    this.cpuGot += c.cpuGot;
    this.cpuLost += c.cpuLostToMigration;
    c.cpuAsked = c.cpuGot = c.cpuLostToMigration = 0;
  }

  /** A migration started with this price. */
  migrationStarted(price: { totalMs: number; downtimeMs: number }): void {
    this.migrations++;
    this.migrationMs += price.totalMs;
    this.downtimeMs += price.downtimeMs;
  }

  /** A timeline point at t. */
  record(t: number, hosts: readonly SimHost[]): void {
    let awake = 0;
    let active = 0;
    let watts = 0;
    for (const h of hosts) {
      if (h.state !== 'sleeping') awake++;
      if (h.awake) active++;
      const p = h.spec.power;
      watts += h.state === 'sleeping' ? p.sleepW : h.state === 'waking' ? p.idleW : wattsAt(p, h.cpuGiven / (h.spec.capacity.cpuMillis || 1));
    }
    this.timeline.push({ t: t / 1000, awake, active, watts, migrations: this.migrations });
  }

  /** The metrics at the end (stop = the run's last instant, ms). */
  metrics(stop: number, unplaced: number): SimMetrics {
    let energyJ = 0;
    let activeMs = 0;
    let fullMs = 0;
    let awakeMs = 0;
    let hostsOn = 0;
    for (const h of this.hosts) {
      energyJ += h.energyJ;
      activeMs += h.activeMs;
      fullMs += h.fullMs;
      awakeMs += h.awakeMs;
      if (h.used) hostsOn++;
    }
    const span = stop || 1;
    const slatah = activeMs > 0 ? fullMs / activeMs : 0;
    const pdm = this.cpuAsked > 0 ? this.cpuLost / this.cpuAsked : 0;
    const jobCompletionS = [...this.completion.values()];
    const round = (x: number, d = 4): number => Math.round(x * 10 ** d) / 10 ** d;
    return {
      simulatedHours: round(stop / 3.6e6),
      energyKWh: round(energyJ / 3.6e6),
      meanActiveHosts: round(activeMs / span, 3),
      meanAwakeHosts: round(awakeMs / span, 3),
      nodeHoursAwake: round(awakeMs / 3.6e6, 3),
      hostsOn,
      maxAwakeHosts: Math.max(0, ...this.timeline.map((p) => p.awake)),
      migrations: this.migrations,
      meanMigrationS: round(this.migrations ? this.migrationMs / this.migrations / 1000 : 0, 2),
      meanDowntimeS: round(this.migrations ? this.downtimeMs / this.migrations / 1000 : 0, 2),
      wakes: this.wakes,
      slatahPercent: round(slatah * 100, 3),
      pdmPercent: round(pdm * 100, 4),
      slavPercent: round(slatah * pdm * 100, 6),
      cpuServedRatio: round(this.cpuAsked > 0 ? this.cpuGot / this.cpuAsked : 1, 4),
      jobs: this.jobsTotal,
      jobsDone: this.jobsDone,
      jobCompletionS: jobCompletionS.map((s) => round(s, 1)),
      meanJobCompletionS: round(jobCompletionS.length ? jobCompletionS.reduce((a, b) => a + b, 0) / jobCompletionS.length : 0, 1),
      makespanS: round(this.jobsDone ? (this.lastJobEnd - this.firstSubmit) / 1000 : 0, 1),
      unplaced,
    };
  }
}
