import { test } from 'node:test';
import assert from 'node:assert/strict';
import { colourFor, colourOf } from './node-colour.ts';
import { node, params, PARAMS } from './test-support.ts';
import type { NodeColour } from './types.ts';

const p = PARAMS; // greenBelow 0.2, redAbove 0.75, hysteresis 0.05
const up = (x: number) => x + 1e-9;
const down = (x: number) => x - 1e-9;

test('without a previous colour: red above redAbove, green below greenBelow, blue between (thresholds themselves are blue)', () => {
  assert.equal(colourFor(up(p.redAbove), undefined, p), 'red');
  assert.equal(colourFor(p.redAbove, undefined, p), 'blue');
  assert.equal(colourFor(0.5, undefined, p), 'blue');
  assert.equal(colourFor(p.greenBelow, undefined, p), 'blue');
  assert.equal(colourFor(down(p.greenBelow), undefined, p), 'green');
  assert.equal(colourFor(0, undefined, p), 'green');
});

test('red is left only below redAbove − hysteresis', () => {
  const leave = p.redAbove - p.hysteresis; // 0.70
  assert.equal(colourFor(p.redAbove, 'red', p), 'red');
  assert.equal(colourFor(leave, 'red', p), 'red', 'at the lower edge it stays red');
  assert.equal(colourFor(down(leave), 'red', p), 'blue');
  assert.equal(colourFor(leave, 'blue', p), 'blue', 'a blue node at 0.70 does not turn red');
  assert.equal(colourFor(0.1, 'red', p), 'green', 'a collapse goes straight to green');
});

test('green is left only above greenBelow + hysteresis', () => {
  const leave = p.greenBelow + p.hysteresis; // 0.25
  assert.equal(colourFor(p.greenBelow, 'green', p), 'green');
  assert.equal(colourFor(leave, 'green', p), 'green', 'at the upper edge it stays green');
  assert.equal(colourFor(up(leave), 'green', p), 'blue');
  assert.equal(colourFor(0.22, 'blue', p), 'blue', 'a blue node at 0.22 does not turn green');
  assert.equal(colourFor(0.8, 'green', p), 'red', 'a spike goes straight to red');
});

test('a node wandering around a threshold changes colour twice, not every tick', () => {
  const walk = [0.74, 0.76, 0.74, 0.72, 0.76, 0.71, 0.69, 0.74, 0.73];
  let c: NodeColour | undefined;
  const seen = walk.map((wi) => (c = colourFor(wi, c, p)));
  assert.deepEqual(seen, ['blue', 'red', 'red', 'red', 'red', 'red', 'blue', 'blue', 'blue']);
});

test('colourOf: a sleeping, waking or unreachable node has no colour; a draining one does', () => {
  const usage = { cpu: 0.9, memory: 0.9, network: 0.9 };
  assert.equal(colourOf(node('a', { state: 'sleeping', usage }), undefined, p), undefined);
  assert.equal(colourOf(node('a', { state: 'waking', usage }), undefined, p), undefined);
  assert.equal(colourOf(node('a', { state: 'unreachable', usage }), undefined, p), undefined);
  assert.equal(colourOf(node('a', { state: 'draining', usage }), undefined, p), 'red');
});

test('colourOf weighs with the default app type', () => {
  const n = node('a', { usage: { cpu: 1, memory: 0, network: 1 } });
  assert.equal(colourOf(n, undefined, p), 'blue', 'balanced: 0.33 + 0.33 = 0.66');
  assert.equal(colourOf(n, undefined, params({ defaultAppType: 'network-intensive' })), 'red', 'network-intensive: 0.3 + 0.5 = 0.8');
});
