import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nodeGauges, type GaugeValue } from './node-sample.ts';
import { nodeRows } from './node-rows.test-data.ts';

/** The values of one gauge and node, keyed by the remaining label (or '' when there is none). */
function of(values: GaugeValue[], gauge: GaugeValue['gauge'], node: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const v of values.filter((x) => x.gauge === gauge && x.labels['node'] === node)) {
    const rest = Object.entries(v.labels).find(([k]) => k !== 'node');
    out[rest?.[1] ?? ''] = v.value;
  }
  return out;
}

test('Wi, its three parts and the containers of each node', () => {
  const v = nodeGauges(nodeRows());
  assert.deepEqual(of(v, 'load', 'h1'), { '': 0.82 });
  assert.deepEqual(of(v, 'loadPart', 'h1'), { memory: 0.3, cpu: 0.42, network: 0.1 });
  assert.deepEqual(of(v, 'containers', 'h2'), { '': 1 });
});

test('colour and state are state sets: 1 for the current value, 0 for every other', () => {
  const v = nodeGauges(nodeRows());
  assert.deepEqual(of(v, 'colour', 'h1'), { blue: 0, green: 0, red: 1 });
  assert.deepEqual(of(v, 'state', 'h1'), { awake: 1, draining: 0, sleeping: 0, waking: 0, unreachable: 0 });
  assert.deepEqual(of(v, 'state', 'h2'), { awake: 0, draining: 1, sleeping: 0, waking: 0, unreachable: 0 });
});

test('a sleeping node has no colour: every colour series is 0', () => {
  const v = nodeGauges(nodeRows());
  assert.deepEqual(of(v, 'colour', 'h3'), { blue: 0, green: 0, red: 0 });
  assert.equal(of(v, 'state', 'h3')['sleeping'], 1);
});
