import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FerryError } from '../../core/errors.ts';
import type { Decision } from './framework.ts';
import { binpack, elastic, spread } from './policies.ts';
import { ReservationBook } from './reservations.ts';
import { schedule, unreserve } from './schedule.ts';
import { unschedulableError } from './unschedulable.ts';
import { container, node, PARAMS, request, res, view } from './test-support.ts';

const where = (d: Decision) => (d.kind === 'unschedulable' ? 'unschedulable' : `${d.kind} ${d.node}`);
const full = (name: string, freeMiB: number) => node(name, { containers: [container(`${name}-x`, name, { request: res(1000, 8192 - freeMiB) })] });

test('an empty cluster: unschedulable, and the message says why', () => {
  const d = schedule(spread, view(0, []), request('web-1', 1000, 1024), PARAMS);
  assert.equal(d.kind, 'unschedulable');
  assert.ok(d.kind === 'unschedulable');
  assert.equal(d.message, 'no node can take web-1 (cpu 1000m, memory 1024 MiB): the cluster has no nodes');
  assert.deepEqual(d.refusals, []);
  assert.equal(schedule(elastic, view(0, []), request('web-1', 1000, 1024), PARAMS).kind, 'unschedulable');
});

test('more memory than any node: every node\'s refusal, grouped by reason', () => {
  const nodes = [full('h1', 1024), full('h2', 2048), node('h3', { state: 'sleeping' })];
  const d = schedule(spread, view(0, nodes), request('web-1', 2000, 4096), PARAMS);
  assert.ok(d.kind === 'unschedulable');
  assert.equal(d.message, 'no node can take web-1 (cpu 2000m, memory 4096 MiB): insufficient memory: h1, h2 (needs 4096 MiB, free 1024/2048); asleep: h3');
  assert.deepEqual(d.refusals.map((r) => `${r.node} ${r.plugin} ${r.reason}`), ['h1 fits-resources insufficient-memory', 'h2 fits-resources insufficient-memory', 'h3 node-awake asleep']);
  const err = unschedulableError(d);
  assert.equal(err.code, 'FERRY_ERR_UNSCHEDULABLE');
  assert.equal(err.message, d.message);
  assert.deepEqual(err.details, { refusals: d.refusals });
});

test('elastic: a sleeping node too small even awake is reported by why it would refuse', () => {
  const nodes = [full('h1', 1024), node('h3', { state: 'sleeping', capacity: res(4000, 2048) })];
  const d = schedule(elastic, view(0, nodes), request('web-1', 2000, 4096), PARAMS);
  assert.ok(d.kind === 'unschedulable');
  assert.equal(d.message, 'no node can take web-1 (cpu 2000m, memory 4096 MiB): insufficient memory: h1, h3 (needs 4096 MiB, free 1024/2048)');
});

test('a long list of refusing nodes stays short', () => {
  const nodes = Array.from({ length: 20 }, (_, i) => full(`n${String(i).padStart(2, '0')}`, 1000 + i));
  const d = schedule(binpack, view(0, nodes), request('big', 100, 9000), PARAMS);
  assert.ok(d.kind === 'unschedulable');
  assert.match(d.message, /insufficient memory: n00, n01, n02, n03, n04, n05, n06, n07 and 12 more \(needs 9000 MiB, free 1000\/1001\/1002\/1003\/1004\/1005\/1006\/1007\/…\)$/);
});

test('ties go to the lowest node name whatever the order of the view', () => {
  const nodes = [node('c'), node('a'), node('b')];
  for (const p of [spread, binpack, elastic]) {
    assert.equal(where(schedule(p, view(0, nodes), request('x', 100, 100), PARAMS)), 'place a', p.name);
    assert.equal(where(schedule(p, view(0, [...nodes].reverse()), request('x', 100, 100), PARAMS)), 'place a', p.name);
  }
});

test('a place decision reports the top candidates with each plugin\'s part', () => {
  const nodes = [node('a'), full('b', 4096), full('c', 2048), full('d', 6144)];
  const d = schedule(binpack, view(0, nodes), request('x', 1000, 1024), PARAMS);
  assert.ok(d.kind === 'place');
  assert.equal(d.node, 'c');
  // c: cpu 2000/4000, mem 7168/8192 → (0.5 + 0.875) / 2 = 68.75; b: (0.5 + 0.625) / 2 = 56.25; d: (0.5 + 0.375) / 2 = 43.75
  assert.deepEqual(d.scores, [
    { node: 'c', total: 68.75, parts: { 'most-allocated': 68.75 } },
    { node: 'b', total: 56.25, parts: { 'most-allocated': 56.25 } },
    { node: 'd', total: 43.75, parts: { 'most-allocated': 43.75 } },
  ]);
  assert.equal(d.reason, 'best-score');
  assert.equal(d.numbers['feasible'], 4);
  assert.match(d.detail, /x → c: score 68\.8 \(most-allocated 68\.8\); 4 of 4 nodes feasible/);
});

test('reservations: two placements in one tick see each other; unreserve after a failed bind frees the room', () => {
  const nodes = [full('a', 2048), node('b')];
  const book = new ReservationBook();
  const first = schedule(binpack, view(0, nodes), request('x', 500, 2048), PARAMS, { reservations: book });
  assert.equal(where(first), 'place a');
  assert.equal(book.of('x')?.node, 'a');
  const second = schedule(binpack, view(0, nodes), request('y', 500, 2048), PARAMS, { reservations: book });
  assert.equal(where(second), 'place b', 'a is full once x is reserved there');
  unreserve(binpack, book, request('x', 500, 2048), 'a');
  assert.equal(book.of('x'), undefined);
  assert.equal(where(schedule(binpack, view(0, nodes), request('z', 500, 2048), PARAMS, { reservations: book })), 'place a');
});

test('excluded nodes are never chosen and say so when nothing else fits', () => {
  const nodes = [node('a'), node('b')];
  assert.equal(where(schedule(spread, view(0, nodes), request('x', 1, 1), PARAMS, { exclude: new Set(['a']) })), 'place b');
  const d = schedule(spread, view(0, nodes), request('x', 1, 1), PARAMS, { exclude: new Set(['a', 'b']) });
  assert.ok(d.kind === 'unschedulable');
  assert.match(d.message, /excluded: a, b$/);
});

test('elastic wakes the largest sleeping node that would fit (tie by name) when no awake node can', () => {
  const nodes = [
    full('a', 1024),
    node('s1', { state: 'sleeping', capacity: res(8000, 16384) }),
    node('s2', { state: 'sleeping', capacity: res(8000, 16384) }),
    node('s0', { state: 'sleeping', capacity: res(2000, 4096) }),
    node('big', { state: 'unreachable', capacity: res(64000, 262144) }),
  ];
  const d = schedule(elastic, view(0, nodes), request('x', 1000, 4096), PARAMS);
  assert.equal(where(d), 'wake s1');
  assert.ok(d.kind === 'wake' && d.reason === 'wake-to-fit');
  assert.equal(where(schedule(spread, view(0, nodes), request('x', 1000, 4096), PARAMS)), 'unschedulable', 'the baselines never wake');
  assert.equal(where(schedule(elastic, view(0, [...nodes, full('room', 8192)]), request('x', 1000, 4096), PARAMS)), 'place room', 'an awake node first');
});

test('elastic: a node already waking that would fit is named, so nothing else is woken', () => {
  const nodes = [full('a', 1024), node('w', { state: 'waking', capacity: res(4000, 8192) }), node('s', { state: 'sleeping', capacity: res(8000, 16384) })];
  const d = schedule(elastic, view(0, nodes), request('x', 1000, 4096), PARAMS);
  assert.ok(d.kind === 'wake');
  assert.equal(d.node, 'w');
  assert.equal(d.reason, 'already-waking');
});

test('a node given a new container list in the same view object is summed again', () => {
  const a = { ...node('a'), containers: [] as ReturnType<typeof container>[] };
  const v = view(0, [a, node('b', { capacity: res(1000, 1024) })]);
  assert.equal(where(schedule(binpack, v, request('x', 500, 2048), PARAMS)), 'place a');
  a.containers = [container('fat', 'a', { request: res(3900, 8000) })];
  const d = schedule(binpack, v, request('x', 500, 2048), PARAMS);
  assert.ok(d.kind === 'unschedulable');
  assert.match(d.message, /insufficient memory: a, b \(needs 2048 MiB, free 192\/1024\)/);
});

test('a bad request and an unknown app type are refused with their codes', () => {
  const is = (c: string) => (e: unknown) => e instanceof FerryError && e.code === c;
  assert.throws(() => schedule(spread, view(0, [node('a')]), request('x', -1, 1), PARAMS), is('FERRY_ERR_INVALID_INPUT'));
  assert.throws(() => schedule(spread, view(0, [node('a')]), request('x', Number.NaN, 1), PARAMS), is('FERRY_ERR_INVALID_INPUT'));
  assert.throws(() => schedule(spread, view(0, [node('a')]), request('x', 1, 1, { appType: 'gpu' }), PARAMS), is('FERRY_ERR_UNKNOWN_APP_TYPE'));
});

test('10,000 nodes: every placement lands on an active node with room that stays out of the red (speed is measured by the simulator\'s benchmark, not here)', () => {
  const nodes = Array.from({ length: 10_000 }, (_, i) => {
    const name = `n${i}`;
    const containers = Array.from({ length: 8 }, (_, j) => container(`${name}-${j}`, name, { request: res(200 + ((i + j) % 5) * 50, 512) }));
    const u = ((i * 7919) % 100) / 100;
    return node(name, { state: i % 10 === 0 ? 'sleeping' : 'active', containers, usage: { cpu: u * 0.6, memory: u * 0.7, network: u * 0.2 }, dataOf: i % 50 === 0 ? ['app-1'] : [] });
  });
  const v = view(0, nodes);
  const byName = new Map(nodes.map((n) => [n.name, n]));
  for (let i = 0; i < 50; i++) {
    const d = schedule(elastic, v, request(`c${i}`, 500, 1024, { app: `app-${i % 3}` }), PARAMS);
    assert.equal(d.kind, 'place');
    const n = byName.get(d.node)!;
    assert.equal(n.state, 'active');
    const requested = n.containers.reduce((a, c) => a + c.request.cpuMillis, 0);
    assert.ok(requested + 500 <= n.capacity.cpuMillis, `${d.node} has room`);
    assert.ok(n.usage.cpu + 500 / n.capacity.cpuMillis <= PARAMS.overloadW, `${d.node} stays under W`);
  }
});
