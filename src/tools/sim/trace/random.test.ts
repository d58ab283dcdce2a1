import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deriveSeed, mulberry32, uniform } from './random.ts';

const draw = (seed: number, n: number): number[] => {
  const random = mulberry32(seed);
  return Array.from({ length: n }, () => random());
};

test('the same seed gives the same numbers, another seed others, all in [0, 1)', () => {
  assert.deepEqual(draw(42, 5), draw(42, 5));
  assert.notDeepEqual(draw(42, 5), draw(43, 5));
  const many = draw(7, 10_000);
  assert.ok(many.every((x) => x >= 0 && x < 1));
  const mean = many.reduce((a, b) => a + b, 0) / many.length;
  assert.ok(Math.abs(mean - 0.5) < 0.02, `mean ${mean}`);
});

test('derived seeds are stable and differ by name and by base seed', () => {
  assert.equal(deriveSeed(1, 'web-0'), deriveSeed(1, 'web-0'));
  assert.notEqual(deriveSeed(1, 'web-0'), deriveSeed(1, 'web-1'));
  assert.notEqual(deriveSeed(1, 'web-0'), deriveSeed(2, 'web-0'));
  assert.ok(Number.isInteger(deriveSeed(1, 'x')) && deriveSeed(1, 'x') >= 0 && deriveSeed(1, 'x') < 2 ** 32);
});

test('uniform spans its range', () => {
  const random = mulberry32(3);
  const xs = Array.from({ length: 1000 }, () => uniform(random, -1, 1));
  assert.ok(xs.every((x) => x >= -1 && x < 1));
  assert.ok(Math.min(...xs) < -0.9 && Math.max(...xs) > 0.9);
});
