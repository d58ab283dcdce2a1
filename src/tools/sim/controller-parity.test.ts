import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { defaultConfig } from '../../core/config.ts';
import { ControllerService } from '../../apps/controller/service.ts';
import { StateStore } from '../../apps/controller/state-store.ts';
import type { EventRow, MigrationRow } from '../../apps/controller/records.ts';
import { elastic, rebalance, type Policy } from '../../domain/scheduler/index.ts';
import { SimAgents } from './sim-node-port.ts';
import { Simulation, type SimDecision, type SimSetup } from './simulation.ts';
import { simContainer, simHost, simParams, simSetup } from './test-support.ts';

/** One decision, as both sides can state it: what, about whom, where. */
interface Step {
  at: number;
  what: string;
}

const TICK = 60_000;
const power = { idleW: 100, peakW: 200, sleepW: 10, wakeS: 0 }; // the controller's wake returns once the node is awake: see SimNodePort
const req = (cpu: number): { cpuMillis: number; memoryMiB: number; networkMbps: number } => ({ cpuMillis: cpu, memoryMiB: 100, networkMbps: 0 });
const steps = (...parts: Array<[count: number, cpu: number]>): number[] => parts.flatMap(([n, v]) => new Array<number>(n).fill(v));

/**
 * Four hosts, h4 asleep. a1 and a2 fill h1; a3 arrives while h1 is hot and lands on h2; h2
 * and h3 turn green and drain (a3 migrates to h1) and sleep; at 20 min a1 rises, h1 stays
 * above W and no awake node has room: h2 is woken and a1 moved there; a4 fits nowhere awake
 * and wakes h3. Arrivals fall between ticks, as they do in a real cluster.
 */
function scenario(policy: Policy, samples: number, over: Partial<SimSetup>): SimSetup {
  const hosts = [simHost('h1', { power }), simHost('h2', { power }), simHost('h3', { power }), simHost('h4', { power, initially: 'asleep' })];
  const workload = [
    simContainer('a1', steps([2, 450], [18, 250], [1, 700]), { request: req(300) }),
    simContainer('a2', steps([2, 450], [18, 250]), { request: req(300) }),
    simContainer('a3', steps([6, 300], [1, 50]), { request: req(300), startS: 90 }),
    simContainer('a4', [100], { request: req(800), startS: 1830 }),
  ];
  const params = simParams({ samples, defaultAppType: 'cpu-intensive', greenBelow: 0.15, redAbove: 0.6, overloadForMs: 120_000, idleForMs: 120_000, cooldownMs: 300_000 });
  return simSetup(policy, hosts, workload, { params, tickMs: TICK, durationMs: 2_400_000, ...over });
}

/** The simulator's own decisions, less its wake-completion notes (a controller's wake completes inside the call that asked for it). */
function simSteps(decisions: readonly SimDecision[]): Step[] {
  return decisions.filter((d) => !(d.kind === 'wake' && d.reason === 'awake')).map((d) => ({ at: d.at, what: [d.kind, d.subject, d.node, d.to].filter(Boolean).join(' ') }));
}

/** The controller's events as steps: nodes from its records (placements as run() answered, moves from the migration rows). */
function controllerSteps(events: readonly EventRow[], placed: ReadonlyMap<string, string>, moves: readonly MigrationRow[]): Step[] {
  const move = (e: EventRow, field: 'startedAt' | 'endedAt'): MigrationRow | undefined => moves.find((m) => m.container === e.subject && m[field] === e.at);
  return events.filter((e) => e.kind !== 'register').map((e) => {
    const where = e.kind === 'place' ? [placed.get(e.subject)]
      : e.kind === 'migrate' ? [move(e, 'startedAt')?.from, move(e, 'startedAt')?.to]
        : e.kind === 'migrated' ? [move(e, 'endedAt')?.from, move(e, 'endedAt')?.to]
          : [];
    const kind = e.reason === 'agent-reported' ? `${e.kind}(agent-reported)` : e.kind;
    return { at: e.at, what: [kind, e.subject, ...where].filter(Boolean).join(' ') };
  });
}

/** The real controller (SQLite state, observe, migration tracker) over SimNodePorts of a driven simulation, stepped tick by tick. */
async function runController(policy: Policy, samples: number): Promise<{ steps: Step[]; resolved: Policy[]; states: string[]; sim: Simulation }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'ferry-parity-'));
  const store = new StateStore(path.join(dir, 'state.db'));
  try {
    const setup = scenario(policy, samples, { driven: true });
    const sim = new Simulation(setup);
    const agents = new SimAgents(sim);
    const resolved: Policy[] = [];
    let now = 0;
    const ctl = new ControllerService({
      store, config: { ...defaultConfig(), scheduler: setup.params }, portOf: agents.portOf, now: () => now,
      policies: (name) => {
        assert.equal(name, policy.name);
        resolved.push(policy);
        return policy;
      },
    });
    for (const h of setup.hosts) await ctl.registerNode({ name: h.name, controlUrl: `sim:${h.name}`, dataHost: h.name, capacity: h.capacity, zone: h.zone, rack: h.rack });
    const placed = new Map<string, string>();
    const arrivals = [...setup.workload].sort((a, b) => a.startS - b.startS);
    for (let tick = TICK; tick <= setup.durationMs; tick += TICK) {
      // Each arrival at its own instant, then the tick. (All arrive between ticks: at a sample's instant
      // the simulator places before it samples, where this driver, advancing first, would place after.)
      while (arrivals.length && arrivals[0]!.startS * 1000 < tick) {
        const a = arrivals.shift()!;
        sim.advanceTo(now = a.startS * 1000);
        const rec = await ctl.run({ image: 'sim', name: a.name, app: a.app, appType: a.appType, cpuMillis: a.request.cpuMillis, memoryMiB: a.request.memoryMiB, networkMbps: a.request.networkMbps });
        placed.set(rec.name, rec.node);
      }
      sim.advanceTo(now = tick);
      await ctl.tick();
    }
    const states = store.nodes().map((n) => `${n.name} ${n.state}`);
    return { steps: controllerSteps(store.events(), placed, store.migrations()), resolved, states, sim };
  } finally {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Runs the scenario both ways with the same policy object and asserts the same decisions, in
 * the same order, at the same times (see `migrated` below), and the same end state; returns
 * the decisions.
 */
async function assertParity(policy: Policy, samples: number): Promise<string[]> {
  const decisions: SimDecision[] = [];
  const alone = new Simulation(scenario(policy, samples, { onDecision: (d) => decisions.push(d) }));
  alone.run();
  assert.equal(alone.setup.policy, policy);
  const simulated = simSteps(decisions);

  const ctl = await runController(policy, samples);
  assert.equal(ctl.sim.setup.policy, policy);
  assert.ok(ctl.resolved.length > 0 && ctl.resolved.every((p) => p === policy), 'the controller scheduled and rebalanced with the object it was given');
  assert.deepEqual(ctl.steps.map((s) => s.what), simulated.map((s) => s.what), 'the same decisions in the same order');

  // Same times, but for `migrated`: the simulator lands a migration at its end, between ticks, and
  // says so then; the controller learns of it from the source's migration(id) when it follows
  // migrations at its next tick, and records it then — later by less than one tick.
  simulated.forEach((s, i) => {
    const c = ctl.steps[i]!;
    if (s.what.startsWith('migrated')) assert.ok(c.at >= s.at && c.at - s.at < TICK, `${s.what}: simulator ${s.at} ms, controller ${c.at} ms`);
    else assert.equal(c.at, s.at, s.what);
  });

  // And the clusters end alike: every host in the same state, every container on the same host.
  const where = (sim: Simulation): string[] => sim.hosts.flatMap((h) => h.containers.map((c) => `${c.spec.name}@${h.spec.name}`)).sort();
  assert.deepEqual(ctl.states, alone.hosts.map((h) => `${h.spec.name} ${h.state}`));
  assert.deepEqual(where(ctl.sim), where(alone));
  return simulated.map((s) => s.what);
}

test('one policy object decides the same in the simulator and in the real controller driving simulated hosts', async () => {
  const policy = elastic; // the very object the controller ships
  assert.equal(policy.rebalancer, rebalance);
  // The scenario does what it is for: placements, drains with a migration, sleeps, wakes (for relief and to fit), relief.
  assert.deepEqual(await assertParity(policy, 1), [
    'place a1 h1', 'place a2 h1', 'place a3 h2',
    'drain h3', 'drain h2', 'migrate a3 h2 h1', 'sleep h3', 'migrated a3 h2 h1', 'sleep h2',
    'wake h2', 'migrate a1 h1 h2', 'migrated a1 h1 h2',
    'wake h3', 'place a4 h3',
  ]);
});

test('the same holds when the view averages several samples (D = 3, through the controller\'s stored history)', async () => {
  const made = await assertParity(elastic, 3);
  for (const kind of ['drain', 'migrate', 'sleep', 'wake', 'place']) assert.ok(made.some((w) => w.startsWith(`${kind} `)), `a ${kind}`);
});
