import { test } from 'node:test';
import assert from 'node:assert/strict';
import { elastic } from './policies.ts';
import { rebalance } from './rebalance.ts';
import { container, node, PARAMS, res, runTicks, view } from './test-support.ts';

const medium = (name: string, on: string) => container(name, on, { request: res(500, 1024), usage: res(500, 1024) });
const burner = (name: string, on: string) => container(name, on, { request: res(900, 1024), usage: res(900, 1024) });

test('a steady blue cluster: 50 ticks, not one action', () => {
  const v = view(0, ['a', 'b', 'c'].map((n) => node(n, { containers: [1, 2, 3, 4].map((i) => medium(`${n}${i}`, n)) })));
  const { log } = runTicks(v, 50);
  assert.deepEqual(log, []);
});

test('a mixed cluster settles (relief, drains, sleeps), then stays still for 50 ticks', () => {
  const v = view(0, [
    node('hot', { containers: [1, 2, 3, 4].map((i) => burner(`b${i}`, 'hot')) }), // CPU 0.9 > W
    node('blue', { containers: [1, 2, 3].map((i) => medium(`m${i}`, 'blue')) }),
    node('g1', { containers: [container('s1', 'g1', { request: res(200, 512), usage: res(200, 512) })] }),
    node('g2'),
    node('off', { state: 'sleeping' }),
  ]);
  const settle = runTicks(v, 60);
  assert.deepEqual(settle.log, [
    '20s: migrate b1 hot→blue', // hot for overloadForMs; drains wait while a node is above W
    '30s: drain g2, drain g1', // green since 0 for idleForMs
    '32s: migrate s1 g1→blue, sleep g2',
    '34s: sleep g1',
  ]);
  const states = Object.fromEntries(settle.v.nodes.map((n) => [n.name, n.state]));
  assert.deepEqual(states, { hot: 'active', blue: 'active', g1: 'sleeping', g2: 'sleeping', off: 'sleeping' });
  const still = runTicks(settle.v, 50, PARAMS, settle.memory);
  assert.deepEqual(still.log, [], 'no flapping once settled');
});

test('rebalance is pure: the memory passed in is not changed, and the same input gives the same output', () => {
  const v = view(30_000, [node('a'), node('b', { containers: [medium('m', 'b')] })]);
  const memory = rebalance({ ...v, now: 0 }, undefined, PARAMS, elastic).memory;
  const frozen = JSON.stringify(memory);
  const one = rebalance(v, memory, PARAMS, elastic);
  const two = rebalance(v, memory, PARAMS, elastic);
  assert.equal(JSON.stringify(memory), frozen);
  assert.deepEqual(one, two);
  assert.deepEqual(one.actions.map((a) => a.kind), ['drain']);
});
