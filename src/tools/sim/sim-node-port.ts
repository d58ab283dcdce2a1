/**
 * @module tools/sim/sim-node-port — the controller's `NodePort` over a driven `Simulation`, so the
 * real `ControllerService` runs, removes, migrates, sleeps and wakes simulated hosts through
 * the port it uses for agents, and reads their samples as agents report them. Refusals carry
 * the agent's codes, and a migration the agent would accept and then roll back (an unknown
 * container) is accepted and rolled back here too: the NodePort conformance suite holds both
 * to the same checks. Time is the driver's: a port never advances the clock, and a wake
 * completes at once (the controller waits for a waking agent anyway).
 */
import { DeployRequest, CPU_REQUEST_LABEL, MEMORY_REQUEST_LABEL } from '../../apps/agent/containers-protocol.ts';
import type { AgentContainer, AgentMetrics, AgentMigration, NodePort, RunOnNode } from '../../apps/controller/node-port.ts';
import type { NodeRecord } from '../../apps/controller/records.ts';
import { FerryError } from '../../core/errors.ts';
import type { MigrateRequest } from '../../domain/migration/protocol.ts';
import type { MigrationReport } from '../../domain/migration/report.ts';
import type { InFlight, SimContainer, SimHost } from './sim-host.ts';
import type { Simulation } from './simulation.ts';

/** A migration a simulated agent accepted: in flight, or refused at its preflight. */
interface SimMigration {
  id: string;
  container: string;
  from: string;
  to: string;
  strategy: string;
  startedAt: number;
  flight?: InFlight;
  refusal?: FerryError;
}

/** What the simulated agents of one driven simulation keep, as agents keep it: each container's image and labels, each migration. */
export class SimAgents {
  readonly sim: Simulation;
  /** Image and labels of each container started through a port. */
  readonly deployed = new Map<string, { image: string; labels: Record<string, string> }>();
  /** Migrations by id. */
  readonly migrations = new Map<string, SimMigration>();
  private readonly ports = new Map<string, SimNodePort>();

  constructor(sim: Simulation) {
    if (!sim.setup.driven) throw new Error('SimAgents drives a simulation set up with driven: true');
    this.sim = sim;
  }

  /** The port of a simulated host. */
  port(name: string): SimNodePort {
    let p = this.ports.get(name);
    if (!p) {
      p = new SimNodePort(this, name);
      this.ports.set(name, p);
    }
    return p;
  }

  /** The controller's `portOf`. */
  readonly portOf = (node: Pick<NodeRecord, 'name'>): NodePort => this.port(node.name);
}

/** One simulated host, as the controller reaches an agent. */
export class SimNodePort implements NodePort {
  private readonly agents: SimAgents;
  private readonly name: string;

  constructor(agents: SimAgents, name: string) {
    this.agents = agents;
    this.name = name;
  }

  /** The host (FERRY_ERR_AGENT_UNREACHABLE when the simulation has none of that name, as an address nobody answers). */
  private get host(): SimHost {
    const h = this.agents.sim.hosts.find((x) => x.spec.name === this.name);
    if (!h) throw new FerryError('FERRY_ERR_AGENT_UNREACHABLE', `the simulation has no host ${this.name}`);
    return h;
  }

  private get powerState(): 'awake' | 'sleeping' {
    return this.host.awake ? 'awake' : 'sleeping';
  }

  /** The agent's guard of every engine-backed route. */
  private awake(): SimHost {
    const h = this.host;
    if (!h.awake) throw new FerryError('FERRY_ERR_NODE_ASLEEP', 'this node is asleep (its engine is powered down)');
    return h;
  }

  health(): Promise<{ name: string; power: 'awake' | 'sleeping' }> {
    return Promise.resolve({ name: this.name, power: this.powerState });
  }

  metrics(): Promise<AgentMetrics> {
    const { sim, deployed } = this.agents;
    const samples = sim.samplesOf(this.name).map((s) => ({
      seq: s.seq, at: s.at, node: s.load,
      containers: s.containers.map((c) => ({ ...c, labels: deployed.get(c.name)?.labels ?? {} })),
    }));
    return Promise.resolve({ node: this.name, power: this.powerState, everyMs: sim.setup.params.sampleEveryMs, capacity: this.host.spec.capacity, samples });
  }

  containers(): Promise<AgentContainer[]> {
    return attempt(() => this.awake().containers.map((c) => {
      const d = this.agents.deployed.get(c.spec.name);
      return { name: c.spec.name, id: `sim-${c.spec.name}`, image: d?.image ?? 'sim', running: true, labels: d?.labels ?? {} };
    }));
  }

  run(spec: RunOnNode): Promise<{ name: string; id: string }> {
    return attempt(() => {
      const body = DeployRequest.safeParse(spec);
      if (!body.success) throw new FerryError('FERRY_ERR_INVALID_INPUT', `run ${spec.name}: ${body.error.issues[0]?.message ?? 'invalid'}`);
      this.awake();
      const { sim } = this.agents;
      if (sim.container(spec.name)) throw new FerryError('FERRY_ERR_NAME_TAKEN', `a container named ${spec.name} already runs`);
      if (!sim.setup.workload.some((w) => w.name === spec.name)) throw new FerryError('FERRY_ERR_INVALID_INPUT', `${spec.name} is not in the simulated workload: the simulator runs only its scenario's containers`);
      sim.startNow(spec.name, this.name);
      const labels = { ...spec.labels, [CPU_REQUEST_LABEL]: String(spec.cpuMillis), [MEMORY_REQUEST_LABEL]: String(spec.memoryMiB) };
      this.agents.deployed.set(spec.name, { image: spec.image, labels });
      return { name: spec.name, id: `sim-${spec.name}` };
    });
  }

  remove(name: string): Promise<void> {
    return attempt(() => {
      const c = this.here(name);
      if (c.migration) throw new FerryError('FERRY_ERR_MIGRATION_BUSY', `${name} is being migrated`);
      this.agents.sim.removeNow(name);
      this.agents.deployed.delete(name);
    });
  }

  power(state: 'sleep' | 'wake'): Promise<void> {
    return attempt(() => {
      const { sim } = this.agents;
      if (state === 'wake') return sim.wakeNow(this.name);
      const h = this.host;
      if (h.state === 'sleeping') return;
      if (!sim.sleepNow(this.name)) throw new FerryError('FERRY_ERR_NODE_BUSY', `this node cannot sleep: ${h.containers.length} container(s) on it, or a migration on its way to it`);
    });
  }

  migrate(container: string, to: NodeRecord, strategy: MigrateRequest['strategy']): Promise<string> {
    return attempt(() => {
      this.awake();
      const { sim, migrations } = this.agents;
      if (to.name === this.name) throw new FerryError('FERRY_ERR_SAME_HOST', `source and destination are both ${this.name}`);
      if (sim.container(container)?.migration) throw new FerryError('FERRY_ERR_MIGRATION_BUSY', `container ${container} is already being migrated`);
      const id = `m-sim-${migrations.size + 1}`;
      const rec: SimMigration = { id, container, from: this.name, to: to.name, strategy, startedAt: sim.clock };
      migrations.set(id, rec);
      // As an agent's preflight: accepted, then rolled back when the container or the destination cannot take part.
      const dest = sim.hosts.find((h) => h.spec.name === to.name);
      if (sim.container(container)?.host.spec.name !== this.name) rec.refusal = new FerryError('FERRY_ERR_UNKNOWN_CONTAINER', `no container named "${container}" on this host`);
      else if (!dest?.awake) rec.refusal = new FerryError('FERRY_ERR_NODE_ASLEEP', `the destination ${to.name} is not awake`);
      else rec.flight = sim.migrateNow(container, to.name);
      return id;
    });
  }

  migration(id: string): Promise<AgentMigration> {
    return attempt(() => {
      this.awake();
      const rec = this.agents.migrations.get(id);
      if (!rec || rec.from !== this.name) throw new FerryError('FERRY_ERR_UNKNOWN_MIGRATION', `no migration ${id} on this host`);
      const { sim } = this.agents;
      const f = rec.flight;
      if (f && sim.hasLanded(f)) return { id, phase: 'done', report: report(rec, 'migrated', f) };
      if (f && sim.container(rec.container)?.migration === f) return { id, phase: 'running', report: report(rec, 'running', f) };
      const error = rec.refusal ?? new FerryError('FERRY_ERR_UNKNOWN_CONTAINER', `${rec.container} was removed during its migration`);
      return { id, phase: 'rolled-back', report: { ...report(rec, 'rolled-back', f), error: error.toJSON() } };
    });
  }

  /** A container of this host, or the agent's FERRY_ERR_UNKNOWN_CONTAINER. */
  private here(name: string): SimContainer {
    this.awake();
    const c = this.agents.sim.container(name);
    if (c?.host.spec.name !== this.name) throw new FerryError('FERRY_ERR_UNKNOWN_CONTAINER', `no container named "${name}" on this node`);
    return c;
  }
}

/** Runs a synchronous step as an agent call: its error becomes the rejection. */
function attempt<T>(fn: () => T): Promise<T> {
  return new Promise((resolve) => resolve(fn()));
}

/** The agent's report of a simulated migration: what the tracker reads (frozenMs, error) and the times. */
function report(rec: SimMigration, outcome: MigrationReport['outcome'], f: InFlight | undefined): MigrationReport {
  const ended = outcome === 'migrated' && f ? { endedAt: f.endAt, totalMs: f.endAt - f.startAt, frozenMs: f.endAt - f.freezeAt } : {};
  return {
    migrationId: rec.id, container: rec.container, from: rec.from, to: rec.to, strategy: rec.strategy, outcome, startedAt: rec.startedAt,
    phases: [], bytes: { rawBytes: 0, wireBytes: 0, compressionRatio: 1, byRoot: {} }, ...ended,
  };
}
