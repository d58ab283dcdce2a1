/** @module dashboard/plot.test — the plots' geometry. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bars, linePath, niceMax, scale, type Frame } from './plot.ts';

const F: Frame = { width: 110, height: 110, left: 10, bottom: 10, top: 0, right: 0 };

test('scale maps the domain onto the range; a flat domain to its start', () => {
  assert.equal(scale(0, 10, 0, 100)(5), 50);
  assert.equal(scale(3, 3, 7, 9)(100), 7);
});

test('a line and a step line', () => {
  const pts = [{ x: 0, y: 0 }, { x: 10, y: 1 }];
  assert.equal(linePath(pts, 0, 10, 1, F), 'M10.0,100.0L110.0,0.0');
  assert.equal(linePath(pts, 0, 10, 1, F, true), 'M10.0,100.0H110.0V0.0');
  assert.equal(linePath([], 0, 1, 1, F), '');
});

test('bars stand on the axis, proportional to their value', () => {
  const b = bars([50, 100], 100, F);
  assert.equal(b.length, 2);
  assert.equal(b[1]?.h, 100);
  assert.equal(b[0]?.h, 50);
  assert.equal(b[0]?.y, 50);
  assert.equal(b[0]?.w, 35);
  assert.equal(bars([1], 1, F)[0]?.w, 40, 'a lone bar is not a wall');
});

test('nice axis maxima', () => {
  assert.deepEqual([0, 0.3, 0.8, 1, 1.2, 37, 480].map(niceMax), [1, 0.5, 1, 1, 2, 50, 500]);
});
