import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { SchedulerAction } from './actions.ts';
import { emptyMemory, type RebalanceMemory } from './memory.ts';
import { elastic } from './policies.ts';
import { rebalance } from './rebalance.ts';
import { rankVictims } from './relief.ts';
import { container, node, params, PARAMS, res, view } from './test-support.ts';
import { TickPlan } from './tick-plan.ts';
import type { ClusterView, ContainerView, NodeView } from './types.ts';
import type { SchedulerParams } from './load-model.ts';

// h1 (4000m) runs at CPU 0.95 > W 0.8: one move must take away at least 600m.
//   big  1600m, 4096 MiB, 0 MB/s  → cost 4096, enough
//   mid   800m, 1024 MiB, 1 MB/s  → cost 2048, enough (the cheapest that is)
//   tiny  400m,  256 MiB, 0 MB/s  → cost  256, not enough (0.95 → 0.85)
//   hog  1000m, 2048 MiB, 2 MB/s  → cost 6144, enough
const h1 = (edit = (c: ContainerView): ContainerView => c): NodeView => node('h1', {
  containers: [
    container('big', 'h1', { request: res(1600, 2048), usage: res(1600, 4096) }),
    container('mid', 'h1', { request: res(800, 1024), usage: res(800, 1024), dirty: 1 }),
    container('tiny', 'h1', { request: res(400, 256), usage: res(400, 256) }),
    container('hog', 'h1', { request: res(1000, 2048), usage: res(1000, 2048), dirty: 2 }),
  ].map(edit),
});
const h2 = () => node('h2', { capacity: res(8000, 16384, 1000) });
const kinds = (actions: readonly SchedulerAction[]) => actions.map((a) => (a.kind === 'migrate' ? `migrate ${a.container} ${a.from}→${a.to}` : `${a.kind} ${a.node}`));

/** Two ticks: the first starts the above-W clock, the second is overloadForMs later. */
function afterOverload(nodes: NodeView[], p: SchedulerParams = PARAMS, memory?: RebalanceMemory): { actions: SchedulerAction[]; memory: RebalanceMemory; v: ClusterView } {
  const first = rebalance(view(0, nodes), memory, p, elastic);
  assert.deepEqual(first.actions, [], 'nothing before overloadForMs');
  const v = view(p.overloadForMs, nodes);
  return { ...rebalance(v, first.memory, p, elastic), v };
}

test('victims: the cheapest whose move alone brings the node to W, then the rest by CPU per cost', () => {
  const v = view(0, [h1(), h2()]);
  const ranked = rankVictims(v.nodes[0]!, new TickPlan(v, emptyMemory(), PARAMS, elastic));
  assert.deepEqual(ranked.map((x) => [x.container.name, x.cost, x.enough]), [['mid', 2048, true], ['big', 4096, true], ['hog', 6144, true], ['tiny', 256, false]]);
  assert.ok(Math.abs(ranked[0]!.after - 0.75) < 1e-12);
});

test('overload relief moves the cheapest sufficient victim once CPU stayed above W for overloadForMs', () => {
  const { actions } = afterOverload([h1(), h2()]);
  assert.deepEqual(kinds(actions), ['migrate mid h1→h2']);
  const a = actions[0]!;
  assert.equal(a.reason, 'overloaded');
  assert.equal(a.numbers['cpu'], 0.95);
  assert.equal(a.numbers['overloadW'], 0.8);
  assert.equal(a.numbers['secondsAbove'], 20);
  assert.equal(a.numbers['cost'], 2048);
  assert.match(a.detail, /h1's CPU at 0\.95 stayed above W 0\.8 for 20 s: move mid .*cost 2048 = 1024 MiB × \(1 \+ 1 MB\/s\); CPU 0\.95 → 0\.75\) to h2/);
});

test('no single container suffices: the one removing the most CPU per unit of cost', () => {
  const small = node('h1', {
    usage: { cpu: 0.95, memory: 0.3, network: 0 }, // the node's own load counts too
    containers: [
      container('a', 'h1', { request: res(500, 1000), usage: res(500, 1000) }), // 0.125 / 1000
      container('b', 'h1', { request: res(400, 500), usage: res(400, 500) }), //   0.1 / 500  ← best
      container('c', 'h1', { request: res(200, 2000), usage: res(200, 2000) }), // 0.05 / 2000
    ],
  });
  assert.deepEqual(kinds(afterOverload([small, h2()]).actions), ['migrate b h1→h2']);
});

test('a container in cooldown is never picked; the next one goes', () => {
  const memory = emptyMemory();
  memory.containers['mid'] = { movedAt: 0 };
  assert.deepEqual(kinds(afterOverload([h1(), h2()], PARAMS, memory).actions), ['migrate big h1→h2']);
});

test('one relief per overload period: the clock restarts after a move', () => {
  const { memory, v } = afterOverload([h1(), h2()]);
  const again = rebalance({ ...v, now: v.now + 2000 }, memory, PARAMS, elastic);
  assert.deepEqual(again.actions, [], 'still hot in the (unchanged) view, but the clock restarted');
  assert.equal(again.memory.nodes['h1']?.aboveWSince, v.now + 2000);
});

test('a node with a migration in flight waits for it to land', () => {
  const busy = h1((c) => (c.name === 'tiny' ? { ...c, migrating: true } : c));
  assert.deepEqual(afterOverload([busy, h2()]).actions, []);
});

test('the budget caps moves: two hot nodes, budget 1 → one move; budget 0 → none', () => {
  const twin = node('h3', { containers: h1().containers.map((c) => ({ ...c, name: `${c.name}3`, node: 'h3' })) });
  const big = node('h2', { capacity: res(16000, 32768, 1000) });
  assert.deepEqual(kinds(afterOverload([h1(), twin, big], params({ migrationBudget: 1 })).actions), ['migrate mid h1→h2']);
  assert.deepEqual(afterOverload([h1(), twin, big], params({ migrationBudget: 0 })).actions, []);
  assert.equal(afterOverload([h1(), twin, big], params({ migrationBudget: 2 })).actions.length, 2);
});

test('no active node can take a victim: wake the largest sleeping node that can', () => {
  const full = node('h2', { containers: [container('f', 'h2', { request: res(3900, 8000) })] });
  const nodes = [h1(), full, node('s1', { state: 'sleeping' }), node('s2', { state: 'sleeping', capacity: res(8000, 16384, 1000) })];
  const { actions, memory } = afterOverload(nodes);
  assert.deepEqual(kinds(actions), ['wake s2']);
  assert.equal(actions[0]!.reason, 'overloaded-no-room');
  assert.deepEqual(memory.nodes['s2'], {});
  const waking = nodes.map((n) => (n.name === 's2' ? { ...n, state: 'waking' as const } : n));
  assert.deepEqual(afterOverload(waking).actions, [], 'a node already waking: wait for it');
});
