import { test } from 'node:test';
import assert from 'node:assert/strict';
import { newCycle } from '../cycle.ts';
import { ReservationBook } from '../reservations.ts';
import { container, node, PARAMS, request, res, view } from '../test-support.ts';
import type { NodeView, PlacementRequest } from '../types.ts';
import type { ScorePlugin } from '../framework.ts';
import { balancedAllocation } from './balanced-allocation.ts';
import { dataLocality } from './data-locality.ts';
import { leastAllocated } from './least-allocated.ts';
import { leastContainers } from './least-containers.ts';
import { modelScore } from './model-score.ts';
import { mostAllocated } from './most-allocated.ts';

const score = (s: ScorePlugin, n: NodeView, r: PlacementRequest) => s.score(newCycle(view(0, [n]), r, PARAMS), r, n);
const close = (a: number, b: number) => assert.ok(Math.abs(a - b) < 1e-9, `${a} ≠ ${b}`);
const half = node('a', { containers: [container('x', 'a', { request: res(1000, 2048) })] });
const empty = node('b');

test('most-allocated: mean requested fraction with the request, × 100', () => {
  close(score(mostAllocated, half, request('c', 1000, 2048)), 50); // 2000/4000, 4096/8192
  close(score(mostAllocated, empty, request('c', 1000, 4096)), 37.5); // 0.25, 0.5
  close(score(mostAllocated, node('z', { capacity: res(0, 0) }), request('c', 0, 0)), 100);
});

test('least-allocated: Kubernetes LeastAllocated, mean of (capacity − requested)/capacity × 100', () => {
  close(score(leastAllocated, half, request('c', 1000, 2048)), 50);
  close(score(leastAllocated, empty, request('c', 1000, 4096)), 62.5); // (0.75 + 0.5) / 2
});

test('balanced-allocation: 100 × (1 − std dev of the fractions); two resources: |cpu − mem| / 2', () => {
  close(score(balancedAllocation, empty, request('c', 1000, 4096)), 87.5); // |0.25 − 0.5| / 2 = 0.125
  close(score(balancedAllocation, half, request('c', 1000, 2048)), 100);
  close(score(balancedAllocation, empty, request('c', 4000, 0)), 50);
});

test('least-containers: counts, reservations included, then normalized emptiest 100 … fullest 0', () => {
  const three = node('t', { containers: [container('1', 't'), container('2', 't'), container('3', 't')] });
  assert.equal(score(leastContainers, three, request('c', 1, 1)), 3);
  const book = new ReservationBook();
  book.reserve('t', request('r', 1, 1));
  const r = request('c', 1, 1);
  assert.equal(leastContainers.score(newCycle(view(0, [three]), r, PARAMS, { reservations: book }), r, three), 4);
  const s = new Float64Array([0, 2, 4]);
  leastContainers.normalize!(newCycle(view(0, []), r, PARAMS), r, s);
  assert.deepEqual([...s], [100, 50, 0]);
  const same = new Float64Array([3, 3]);
  leastContainers.normalize!(newCycle(view(0, []), r, PARAMS), r, same);
  assert.deepEqual([...same], [100, 100], 'all equal: all 100');
});

test('model-score: predicted Wi / redAbove × 100 (consolidation: fuller scores higher)', () => {
  const n = node('a', { usage: { cpu: 0.3, memory: 0.3, network: 0.3 } });
  close(score(modelScore, n, request('c', 0, 0)), 40); // 0.3 / 0.75
  // + 1000m (0.25) and 2048 MiB (0.25): balanced Wi = 0.34·0.55 + 0.33·0.55 + 0.33·0.3 = 0.4675
  close(score(modelScore, n, request('c', 1000, 2048)), (0.4675 / 0.75) * 100);
  close(score(modelScore, node('b', { usage: { cpu: 2, memory: 2, network: 2 } }), request('c', 0, 0)), 100);
});

test('data-locality: 100 where the app\'s replica M1 lives', () => {
  assert.equal(score(dataLocality, node('a', { dataOf: ['shop', 'blog'] }), request('c', 1, 1, { app: 'blog' })), 100);
  assert.equal(score(dataLocality, node('a', { dataOf: ['shop'] }), request('c', 1, 1, { app: 'blog' })), 0);
  assert.equal(score(dataLocality, node('a'), request('c', 1, 1, { app: 'blog' })), 0);
});
