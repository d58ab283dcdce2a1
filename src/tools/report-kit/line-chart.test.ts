import { test } from 'node:test';
import assert from 'node:assert/strict';
import { policyLine, stepLinePlot, valueTicks } from './line-chart.ts';
import { POLICY_COLOURS } from './svg-kit.ts';

const AREA = { left: 0, top: 0, width: 100, height: 100 };

test('a step line holds each value until the next point, merges repeats and stops at xMax', () => {
  const svg = stepLinePlot(AREA, {
    xMax: 10, yMax: 4, xTicks: [], yTicks: [], xLabel: 'x',
    lines: [{ label: 'a', colour: '#000000', width: 2, points: [[0, 4], [2, 4], [5, 2], [8, 2], [12, 0]] }],
  }).join('');
  assert.match(svg, /<polyline points="0,0 50,0 50,50 100,50"/);
});

test('bands, ticks and the legend are drawn; elastic is the thick line', () => {
  const svg = stepLinePlot(AREA, {
    xMax: 10, yMax: 4, xTicks: [{ at: 5, label: 'five' }], yTicks: valueTicks([0, 2, 4, 6], 4), xLabel: 'time', yLabel: 'hosts',
    bands: [{ from: 0, to: 5, label: 'peak' }],
    lines: [policyLine('elastic', [[0, 1]]), policyLine('spread', [[0, 2]])],
  }).join('\n');
  for (const word of ['>five<', '>time<', '>hosts<', '>peak<', '>elastic<', '>spread<', '>4<']) assert.ok(svg.includes(word), word);
  assert.ok(!svg.includes('>6<'), 'ticks past the max are dropped');
  assert.match(svg, new RegExp(`stroke="${POLICY_COLOURS.elastic}" stroke-width="3"`));
  assert.match(svg, new RegExp(`stroke="${POLICY_COLOURS.spread}" stroke-width="2"`));
});
