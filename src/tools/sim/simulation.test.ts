import { test } from 'node:test';
import assert from 'node:assert/strict';
import { binpack, spread, type Policy, type SchedulerAction } from '../../domain/scheduler/index.ts';
import { EventQueue, type SimEvent } from './event-queue.ts';
import { simulate, type SimDecision } from './simulation.ts';
import { simContainer, simHost, simParams, simSetup } from './test-support.ts';

/** A policy that places like binpack and asks for the given moves at the given ticks (ms). */
function scripted(moves: Record<number, SchedulerAction[]>): Policy {
  return { ...binpack, name: 'scripted', rebalancer: (view, memory) => ({ actions: moves[view.now] ?? [], memory: memory ?? { version: 1, nodes: {}, containers: {}, budget: { periodStart: 0, used: 0 } } }) };
}

test('events come out by time, then completions before arrivals before ticks, then in insertion order', () => {
  const q = new EventQueue();
  const push = (at: number, kind: SimEvent['kind'], subject: string): void => q.push({ at, kind, subject });
  push(5, 'tick', 't5');
  push(1, 'arrival', 'a1');
  push(5, 'arrival', 'a5');
  push(5, 'migration-end', 'm5');
  push(0, 'tick', 't0');
  push(5, 'arrival', 'b5');
  push(3, 'job-end', 'j3');
  const order: string[] = [];
  for (let e = q.pop(); e; e = q.pop()) order.push(e.subject);
  assert.deepEqual(order, ['t0', 'a1', 'j3', 'm5', 'a5', 'b5', 't5']);
  assert.throws(() => push(-1, 'tick', 'x'), /time must be finite/);
});

test('energy integrates the linear power model: 50 % CPU for an hour on a 100-200 W host is 0.15 kWh; a sleeping host draws its sleep watts', () => {
  const wakes: Policy = { ...spread, name: 'spread-that-wakes', wakeSleeping: true };
  const r = simulate(simSetup(wakes, [simHost('h1'), simHost('h2', { initially: 'asleep' })], [simContainer('c', [500])]));
  // h1: 150 W × 1 h = 0.150 kWh; h2 asleep: 10 W × 1 h = 0.010 kWh.
  assert.equal(r.metrics.energyKWh, 0.16);
  assert.equal(r.metrics.meanActiveHosts, 1);
  assert.equal(r.metrics.nodeHoursAwake, 1);
  assert.equal(r.metrics.hostsOn, 1);
  // A policy that never wakes a node runs on a cluster whose nodes are all on: h2 idles at 100 W.
  const allOn = simulate(simSetup(spread, [simHost('h1'), simHost('h2', { initially: 'asleep' })], [simContainer('c', [500])]));
  assert.equal(allOn.metrics.energyKWh, 0.25);
  assert.equal(allOn.metrics.meanActiveHosts, 2);
});

test('SLATAH counts active host-time with CPU demand above capacity; served ratio shows what was lost', () => {
  // 1500 millis wanted for 30 min on a 1000-millis host, then 500: overloaded half the time.
  const cpu: number[] = [...new Array<number>(30).fill(1500), 500];
  const r = simulate(simSetup(spread, [simHost('h1')], [simContainer('c', cpu, { request: { cpuMillis: 500, memoryMiB: 100, networkMbps: 0 } })]));
  assert.equal(r.metrics.slatahPercent, 50);
  // Got 1000 × 30 min + 500 × 30 min of 1500 × 30 + 500 × 30: 0.75.
  assert.equal(r.metrics.cpuServedRatio, 0.75);
  assert.equal(r.metrics.pdmPercent, 0);
  // Power: 200 W for half an hour, 150 W the other half = 0.175 kWh.
  assert.equal(r.metrics.energyKWh, 0.175);
});

test('PDM: a migrating container loses the slowdown while it copies and everything while frozen', () => {
  const decisions: SimDecision[] = [];
  const move: SchedulerAction = { kind: 'migrate', container: 'c', from: 'h1', to: 'h2', reason: 'overloaded', detail: '', numbers: {} };
  const r = simulate(simSetup(scripted({ 600_000: [move] }), [simHost('h1'), simHost('h2')], [simContainer('c', [500])], {
    durationMs: 1_000_000, onDecision: (d) => decisions.push(d),
  }));
  // 100 s migration, the last 10 s frozen: lost 0.1 × 500 × 90 s + 500 × 10 s = 9,500 of 500 × 1000 s asked.
  assert.equal(r.metrics.pdmPercent, 1.9);
  assert.equal(r.metrics.migrations, 1);
  assert.equal(r.metrics.meanDowntimeS, 10);
  assert.deepEqual(decisions.filter((d) => d.kind === 'migrated').map((d) => [d.at, d.node, d.to]), [[700_000, 'h1', 'h2']]);
  assert.equal(r.metrics.hostsOn, 2);
});

test('jobs finish when their work is done; hosts share CPU in proportion to demand', () => {
  const job = (name: string, want: number): ReturnType<typeof simContainer> => simContainer(name, [want], { job: { cpuWork: 100_000, writeMiB: 0, remoteReplicas: 0 } });
  // Alone: 1000 millis for 100 s.
  const alone = simulate(simSetup(spread, [simHost('h1', { capacity: { cpuMillis: 2000, memoryMiB: 1000, networkMbps: 1000 } })], [job('j1', 1000)]));
  assert.deepEqual(alone.metrics.jobCompletionS, [100]);
  assert.equal(alone.metrics.simulatedHours, 0.0278); // the run ends with the last job
  // Two wanting 1500 on 2000: 1000 each, 100 s each — but binpack needs room by request, so give it.
  const host = simHost('h1', { capacity: { cpuMillis: 2000, memoryMiB: 1000, networkMbps: 1000 } });
  const two = simulate(simSetup(binpack, [host], [job('a', 1500), job('b', 1500)].map((j) => ({ ...j, request: { cpuMillis: 1000, memoryMiB: 100, networkMbps: 0 } }))));
  assert.deepEqual(two.metrics.jobCompletionS, [100, 100]);
  assert.equal(two.metrics.slatahPercent, 100);
});

test('a job that writes through a full NIC is slowed to the NIC\'s pace', () => {
  // 1000 millis × 100 s of work writing 1 GiB with 2 remote copies: 2 × 8 × 1073.7 Mbit over 100 s = 171.8 Mbit/s wanted, NIC 85.9.
  const host = simHost('h1', { capacity: { cpuMillis: 2000, memoryMiB: 1000, networkMbps: (1024 * 8 * 1.048576 * 2) / 200 } });
  const r = simulate(simSetup(spread, [host], [simContainer('j', [1000], { job: { cpuWork: 100_000, writeMiB: 1024, remoteReplicas: 2 } })]));
  assert.deepEqual(r.metrics.jobCompletionS, [200]);
});

test('a sleeping host is woken for work that fits nowhere awake, and takes wakeS before it runs anything', () => {
  const decisions: SimDecision[] = [];
  const elasticLike: Policy = { ...binpack, name: 'wakes', wakeSleeping: true };
  const r = simulate(simSetup(elasticLike, [simHost('h1', { initially: 'asleep' })], [simContainer('c', [500], { job: { cpuWork: 50_000, writeMiB: 0, remoteReplicas: 0 } })], {
    onDecision: (d) => decisions.push(d), params: simParams({ minAwake: 1 }),
  }));
  assert.deepEqual(decisions.map((d) => `${d.at / 1000} ${d.kind} ${d.subject}`), ['0 wake h1', '60 wake h1', '60 place c']);
  assert.deepEqual(r.metrics.jobCompletionS, [160]);
  assert.equal(r.metrics.wakes, 1);
});
