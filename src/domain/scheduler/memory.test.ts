import { test } from 'node:test';
import assert from 'node:assert/strict';
import { budgetLeft, emptyMemory, inCooldown, remember } from './memory.ts';
import { container, node, params, PARAMS, view } from './test-support.ts';

const green = { cpu: 0.05, memory: 0.05, network: 0 };
const blue = { cpu: 0.4, memory: 0.4, network: 0.2 };
const hot = { cpu: 0.9, memory: 0.4, network: 0.2 };

test('colours keep their start time; the green clock survives green ticks and resets off green', () => {
  let m = remember(view(0, [node('a', { usage: green })]), undefined, PARAMS);
  assert.deepEqual(m.nodes['a'], { colour: 'green', colourSince: 0, greenSince: 0 });
  m = remember(view(2000, [node('a', { usage: green })]), m, PARAMS);
  assert.deepEqual(m.nodes['a'], { colour: 'green', colourSince: 0, greenSince: 0 });
  m = remember(view(4000, [node('a', { usage: blue })]), m, PARAMS);
  assert.deepEqual(m.nodes['a'], { colour: 'blue', colourSince: 4000 });
  m = remember(view(6000, [node('a', { usage: green })]), m, PARAMS);
  assert.deepEqual(m.nodes['a'], { colour: 'green', colourSince: 6000, greenSince: 6000 });
});

test('the above-W clock runs while CPU > W and resets when it drops', () => {
  let m = remember(view(0, [node('a', { usage: hot })]), undefined, PARAMS);
  m = remember(view(5000, [node('a', { usage: hot })]), m, PARAMS);
  assert.equal(m.nodes['a']?.aboveWSince, 0);
  m = remember(view(7000, [node('a', { usage: { ...hot, cpu: 0.8 } })]), m, PARAMS);
  assert.equal(m.nodes['a']?.aboveWSince, undefined, 'exactly W is not above');
});

test('a node that sleeps forgets its colour and clocks; a node gone from the view is dropped', () => {
  let m = remember(view(0, [node('a', { usage: green }), node('b', { usage: green })]), undefined, PARAMS);
  m = remember(view(2000, [node('a', { state: 'sleeping', usage: green })]), m, PARAMS);
  assert.deepEqual(m.nodes, { a: {} });
});

test('budget: the period rolls over; in-flight moves from before the period count', () => {
  const p = params({ migrationBudget: 3, budgetPeriodMs: 60_000 });
  let m = emptyMemory(0);
  m.budget.used = 2;
  m.containers['x'] = { movedAt: 1000 };
  const v = (now: number) => view(now, [node('a', { containers: [container('x', 'a', { migrating: true }), container('y', 'a', { migrating: true }), container('z', 'a')] })]);
  m = remember(v(30_000), m, p);
  assert.equal(budgetLeft(v(30_000), m, p), 0, '3 − 2 used − y (in flight, not by the rebalancer)');
  m = remember(v(60_000), m, p);
  assert.deepEqual(m.budget, { periodStart: 60_000, used: 0 });
  assert.equal(budgetLeft(v(60_000), m, p), 1, 'x and y are still in flight from before');
});

test('cooldown, and container entries kept only as long as they matter', () => {
  const p = params({ cooldownMs: 60_000, budgetPeriodMs: 30_000 });
  let m = emptyMemory(0);
  m.containers['x'] = { movedAt: 0 };
  assert.equal(inCooldown(m, 'x', 59_999, p), true);
  assert.equal(inCooldown(m, 'x', 60_000, p), false);
  assert.equal(inCooldown(m, 'y', 0, p), false);
  m = remember(view(59_999, []), m, p);
  assert.ok(m.containers['x']);
  m = remember(view(60_000, []), m, p);
  assert.equal(m.containers['x'], undefined);
});

test('the memory is plain JSON, and a memory of another version starts afresh', () => {
  const m = remember(view(0, [node('a', { usage: green }), node('b', { state: 'sleeping' })]), undefined, PARAMS);
  assert.deepEqual(JSON.parse(JSON.stringify(m)), m);
  const odd = { ...m, version: 99 } as unknown as typeof m;
  assert.deepEqual(remember(view(5, []), odd, PARAMS), emptyMemory(5));
});
