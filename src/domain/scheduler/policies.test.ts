import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FerryError } from '../../core/errors.ts';
import { binpack, elastic, kube, policyByName, POLICIES, spread } from './policies.ts';
import { schedule } from './schedule.ts';
import { container, node, PARAMS, request, res, view } from './test-support.ts';
import type { Decision } from './framework.ts';

// One cluster where each policy picks a different node for a 1000m / 2048 MiB request:
//  a: small (2000m, 4096 MiB) and empty            → spread (fewest containers)
//  b: large (8000m, 16384 MiB), 3 small requests   → kube (least allocated: 2500/8000, 5120/16384)
//  c: 4000m / 8192 MiB, one request of 2500m/5 GiB → binpack (fullest by requests: 0.875, 0.875)
//  d: 4000m / 8192 MiB, two small requests, busy   → elastic (most loaded by measured use, still out of the red)
const cluster = view(0, [
  node('a', { capacity: res(2000, 4096, 1000) }),
  node('b', { capacity: res(8000, 16384, 1000), containers: [1, 2, 3].map((i) => container(`b${i}`, 'b', { request: res(500, 1024) })), usage: { cpu: 0.1, memory: 0.1, network: 0.1 } }),
  node('c', { containers: [container('c1', 'c', { request: res(2500, 5120) })], usage: { cpu: 0.3, memory: 0.3, network: 0.1 } }),
  node('d', { containers: [container('d1', 'd', { request: res(500, 1024) }), container('d2', 'd', { request: res(500, 1024) })], usage: { cpu: 0.5, memory: 0.6, network: 0.5 } }),
]);
const req = request('x', 1000, 2048);
const placed = (d: Decision) => (d.kind === 'place' ? d : assert.fail(`expected a place, got ${d.kind}`));

test('spread: the node with the fewest containers', () => {
  const d = placed(schedule(spread, cluster, req, PARAMS));
  assert.equal(d.node, 'a');
  assert.deepEqual(d.scores.map((s) => [s.node, s.total]), [['a', 100], ['c', 100 * (3 - 1) / 3], ['d', 100 * (3 - 2) / 3]]);
});

test('binpack: the fullest node by requests', () => {
  const d = placed(schedule(binpack, cluster, req, PARAMS));
  assert.equal(d.node, 'c');
  assert.deepEqual(d.scores.map((s) => [s.node, s.total]), [['c', 87.5], ['a', 50], ['d', 50]]);
});

test('kube: LeastAllocated + BalancedAllocation, equal weights', () => {
  const d = placed(schedule(kube, cluster, req, PARAMS));
  assert.equal(d.node, 'b');
  // b: least (0.6875 + 0.6875) / 2 = 68.75, balanced 100 → 84.375; a and d: 50 and 100 → 75
  assert.deepEqual(d.scores[0], { node: 'b', total: 84.375, parts: { 'least-allocated': 68.75, 'balanced-allocation': 100 } });
  assert.deepEqual(d.scores.slice(1).map((s) => [s.node, s.total]), [['a', 75], ['d', 75]]);
});

test('elastic: the most-loaded node that stays out of the red (consolidation)', () => {
  const d = placed(schedule(elastic, cluster, req, PARAMS));
  assert.equal(d.node, 'd');
  // d after: Wm 0.85, Wc 0.75, Wn 0.5 → 0.34·0.85 + 0.33·0.75 + 0.33·0.5 = 0.7015; / 0.75 × 100
  const top = d.scores[0]!;
  assert.ok(Math.abs(top.parts['model-score']! - (0.7015 / 0.75) * 100) < 1e-9);
  assert.equal(top.parts['data-locality'], 0);
  assert.deepEqual(d.scores.map((s) => s.node), ['d', 'c', 'a']);
});

test('elastic: a busier node that would pass W is skipped for the next', () => {
  const hot = view(0, cluster.nodes.map((n) => (n.name === 'd' ? { ...n, usage: { cpu: 0.6, memory: 0.6, network: 0.5 } } : n)));
  assert.equal(placed(schedule(elastic, hot, req, PARAMS)).node, 'c', 'd would reach CPU 0.85 > W 0.8');
});

test('elastic: the app\'s data replica M1 tips the choice between equal nodes', () => {
  const v = view(0, [node('a', { usage: { cpu: 0.3, memory: 0.3, network: 0 } }), node('b', { usage: { cpu: 0.3, memory: 0.3, network: 0 }, dataOf: ['shop'] })]);
  assert.equal(placed(schedule(elastic, v, request('x', 100, 100, { app: 'shop' }), PARAMS)).node, 'b');
  assert.equal(placed(schedule(elastic, v, request('x', 100, 100, { app: 'blog' }), PARAMS)).node, 'a');
});

test('policyByName: the four policies; an unknown name lists them', () => {
  assert.equal(policyByName('kube'), kube);
  assert.deepEqual(Object.keys(POLICIES), ['elastic', 'spread', 'binpack', 'kube']);
  assert.throws(() => policyByName('random'), (e: unknown) => e instanceof FerryError && e.code === 'FERRY_ERR_INVALID_INPUT' && /elastic, spread, binpack, kube/.test(e.message));
  assert.throws(() => policyByName('constructor'), FerryError);
});

test('only elastic rebalances and wakes; the baselines never drain, sleep or wake', () => {
  assert.equal(typeof elastic.rebalancer, 'function');
  assert.equal(elastic.wakeSleeping, true);
  for (const p of [spread, binpack, kube]) {
    assert.equal(p.rebalancer, undefined, p.name);
    assert.equal(p.wakeSleeping, false, p.name);
  }
});
