import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { SchedulerParams } from './load-model.ts';
import type { RebalanceMemory } from './memory.ts';
import { elastic } from './policies.ts';
import { rebalance } from './rebalance.ts';
import { apply, container, kinds, node, params, PARAMS, res, runTicks, TICK, view } from './test-support.ts';
import type { ClusterView, NodeView } from './types.ts';

const small = (name: string, on: string) => container(name, on, { request: res(200, 512), usage: res(200, 512) });
const medium = (name: string, on: string) => container(name, on, { request: res(500, 1024), usage: res(500, 1024) });
// h1 is green (CPU 0.1, memory 0.125: Wi 0.076); h2 and h3 are blue (Wi 0.335).
const cluster = (): ClusterView => view(0, [
  node('h1', { containers: [small('s1', 'h1'), small('s2', 'h1')] }),
  node('h2', { containers: [1, 2, 3, 4].map((i) => medium(`m${i}`, 'h2')) }),
  node('h3', { containers: [5, 6, 7, 8].map((i) => medium(`m${i}`, 'h3')) }),
]);

const run = (v: ClusterView, ticks: number, p: SchedulerParams = PARAMS, memory?: RebalanceMemory) => runTicks(v, ticks, p, memory);

test('drain → migrate → sleep: a green node empties onto the busiest blue node and sleeps', () => {
  const { log, v } = run(cluster(), 40);
  assert.deepEqual(log, [
    '30s: drain h1', // green since 0, idleForMs 30 s
    '32s: migrate s1 h1→h2, migrate s2 h1→h2', // both fit on h2 (the busier after the first: reservations), within the budget of 2
    '34s: sleep h1',
  ]);
  assert.equal(v.nodes.find((n) => n.name === 'h1')?.state, 'sleeping');
});

test('the drain, move and sleep actions carry their reasons and numbers', () => {
  const first = rebalance(cluster(), undefined, PARAMS, elastic);
  const out = rebalance({ ...cluster(), now: 30_000 }, first.memory, PARAMS, elastic);
  const drain = out.actions[0]!;
  assert.equal(drain.kind, 'drain');
  assert.equal(drain.reason, 'under-used');
  assert.equal(drain.numbers['secondsGreen'], 30);
  assert.equal(drain.numbers['containers'], 2);
  assert.ok(Math.abs(drain.numbers['wi']! - (0.34 * 0.125 + 0.33 * 0.1)) < 1e-12);
});

test('the budget paces a drain: one move per period with migrationBudget 1', () => {
  // Periods of 10 s from the first tick: [30 s, 40 s) has room for s1 only, s2 goes at 40 s.
  const { log } = run(cluster(), 40, params({ migrationBudget: 1, budgetPeriodMs: 10_000 }));
  assert.deepEqual(log, ['30s: drain h1', '32s: migrate s1 h1→h2', '40s: migrate s2 h1→h2', '42s: sleep h1']);
});

const big = () => container('big', 'h1', { request: res(500, 6000), usage: res(100, 200) });
const blocker = () => container('blocker', 'h2', { request: res(500, 4096), usage: res(2000, 4096) });

/** h1 green since 0 (memory of a tick at 0), then set to draining at 10 s while big fits nowhere. */
function undrained(): { out: ReturnType<typeof rebalance>; v: ClusterView } {
  const before = rebalance(view(0, [node('h1', { containers: [big()] }), node('h2', { containers: [blocker()] })]), undefined, PARAMS, elastic).memory;
  assert.equal(before.nodes['h1']?.greenSince, 0);
  const v = view(10_000, [node('h1', { state: 'draining', containers: [big()] }), node('h2', { containers: [blocker()] })]);
  return { out: rebalance(v, before, PARAMS, elastic), v };
}

test('undrain: a draining node whose containers no longer fit anywhere goes back to active, its green clock restarted', () => {
  const { out, v } = undrained();
  assert.deepEqual(kinds(out.actions), ['undrain h1']);
  assert.equal(out.actions[0]!.reason, 'no-room');
  assert.equal(out.actions[0]!.detail, 'h1 cannot be emptied: no node can take big (cpu 500m, memory 6000 MiB): excluded: h1; insufficient memory: h2 (needs 6000 MiB, free 4096)');
  assert.equal(out.memory.nodes['h1']?.greenSince, 10_000, 'the green clock restarts at the undrain');
  assert.deepEqual(run(apply(v, out.actions, TICK), 30, PARAMS, out.memory).log, [], 'still green, but big fits nowhere: never drained again');
});

test('undrained, then room appears: drained again only idleForMs after the undrain, not after it first turned green', () => {
  const { out, v } = undrained();
  // The blocker leaves at once: big now fits on h2, but h1's green clock restarted at 10 s.
  const freed = apply({ ...v, nodes: v.nodes.map((n) => (n.name === 'h2' ? { ...n, containers: [medium('m', 'h2')] } : n)) }, out.actions, TICK);
  assert.deepEqual(run(freed, 20, PARAMS, out.memory).log.slice(0, 1), ['40s: drain h1']);
});

test('a woken node is drained only after idleForMs of green since it woke', () => {
  const busy = node('a', { containers: [1, 2, 3].map((i) => medium(`m${i}`, 'a')) });
  const asleep = run(view(0, [busy, node('w', { state: 'sleeping' })]), 10);
  assert.deepEqual(asleep.log, []);
  const woken = { ...asleep.v, nodes: asleep.v.nodes.map((n) => (n.name === 'w' ? { ...n, state: 'active' as const } : n)) };
  assert.deepEqual(run(woken, 20, PARAMS, asleep.memory).log, ['50s: drain w', '52s: sleep w'], 'awake at 20 s, green for 30 s');
});

test('minAwake: the last nodes awake are never drained, and an empty draining node is kept if sleep would break it', () => {
  const empty = () => view(0, [node('a'), node('b'), node('c')]);
  assert.deepEqual(run(empty(), 20, params({ minAwake: 1 })).log, ['30s: drain a, drain b', '32s: sleep a, sleep b']);
  assert.deepEqual(run(empty(), 20, params({ minAwake: 2 })).log, ['30s: drain a', '32s: sleep a']);
  assert.deepEqual(run(empty(), 20, params({ minAwake: 3 })).log, []);
  const lonely = view(0, [node('a', { state: 'draining' }), node('b', { state: 'unreachable' })]);
  const out = rebalance(lonely, undefined, params({ minAwake: 1 }), elastic);
  assert.deepEqual(kinds(out.actions), ['undrain a']);
  assert.equal(out.actions[0]!.reason, 'min-awake');
});

test('one non-empty drain at a time, the emptiest first; empty green nodes are not held up', () => {
  const v = view(0, [
    node('g1', { containers: [small('x1', 'g1')] }),
    node('g2', { containers: [small('y1', 'g2'), small('y2', 'g2')] }),
    node('e'),
    node('h2', { containers: [1, 2, 3, 4].map((i) => medium(`m${i}`, 'h2')) }),
  ]);
  const { log } = run(v, 40);
  assert.deepEqual(log, [
    '30s: drain e, drain g1',
    '32s: sleep e, migrate x1 g1→h2',
    '34s: sleep g1, drain g2',
    '36s: migrate y1 g2→h2', // the budget of 2 per 60 s: x1 and y1
    '60s: migrate y2 g2→h2',
    '62s: sleep g2',
  ]);
});

test('no drain while a node is overloaded or waking', () => {
  // hot's one container uses 3400m (0.85 > W) and fits nowhere without passing W there: hot stays hot.
  const hot = node('hot', { containers: [container('burner', 'hot', { request: res(500, 512), usage: res(3400, 512) })] });
  assert.deepEqual(run(view(0, [node('g'), hot]), 20).log, []);
  assert.deepEqual(run(view(0, [node('g'), node('x'), node('w', { state: 'waking' })]), 20).log, []);
});

test('two green nodes with a container each: the first drains onto the second, which stays (minAwake)', () => {
  const v = view(0, [node('a', { containers: [small('x', 'a')] }), node('b', { containers: [small('y', 'b')] })]);
  const { log } = run(v, 30);
  assert.deepEqual(log, ['30s: drain a', '32s: migrate x a→b', '34s: sleep a']);
});

test('a sleeping node has no colour and is never drained', () => {
  const v: NodeView[] = [node('h1', { state: 'sleeping' }), node('h2', { containers: [medium('m', 'h2')] })];
  assert.deepEqual(run(view(0, v), 30).log, []);
});
