import { test } from 'node:test';
import assert from 'node:assert/strict';
import { POLICY_COLOURS, policyColour } from '../../report-kit/svg-kit.ts';
import { assertWellFormed, texts } from '../../report-kit/svg-test-support.ts';
import { activeHostsChart, energyChart, hourTicks, migrationsChart, SIM_CHARTS } from './svg.ts';
import { SIM_FIXTURE } from './fixture.test-data.ts';
import type { SimReport } from './types.ts';

/** The stroke colours of the chart's polylines, in order. */
function lineColours(svg: string): string[] {
  return [...svg.matchAll(/<polyline [^>]*stroke="([^"]+)"/g)].map((m) => m[1] ?? '');
}

test('every chart is a well-formed document with the title and the setup', () => {
  for (const { render } of SIM_CHARTS) {
    const svg = render(SIM_FIXTURE);
    assertWellFormed(svg);
    assert.match(svg, /<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" width="760"/);
    assert.ok(texts(svg).includes('hosts: 4, containers: 6, hours: 2, tickS: 300, migration: precopy'));
  }
  assert.deepEqual(SIM_CHARTS.map((c) => c.name), ['active-hosts', 'energy', 'migrations']);
});

test('active hosts: one step line per policy in its colour, hours along the bottom, a legend', () => {
  const svg = activeHostsChart(SIM_FIXTURE);
  assert.deepEqual(lineColours(svg), [POLICY_COLOURS.spread, POLICY_COLOURS.elastic]);
  const words = texts(svg);
  assert.ok(words.includes('spread') && words.includes('elastic'), 'legend');
  assert.ok(words.includes('hours') && words.includes('active hosts'));
  assert.deepEqual(['0', '0.5', '1', '1.5', '2'].filter((t) => words.includes(t)), ['0', '0.5', '1', '1.5', '2']);
  // elastic: 4 hosts until 0.5 h, 3 until 1 h, then 2 to the end (the repeated 2 at 1.5 h adds no point).
  const elastic = svg.match(/<polyline points="([^"]+)"[^>]*stroke="#1f6fb4"/)?.[1];
  assert.equal(elastic, '60,65 195,65 195,127.5 330,127.5 330,190 600,190');
});

test('energy: a bar per policy in its colour with the value printed', () => {
  const svg = energyChart(SIM_FIXTURE);
  const words = texts(svg);
  assert.ok(words.includes('12.50 kWh') && words.includes('10.00 kWh'));
  for (const p of ['spread', 'elastic']) assert.ok(svg.includes(`fill="${POLICY_COLOURS[p]}"`), p);
});

test('migrations: bars with counts, and the running total over time, one line per policy', () => {
  const svg = migrationsChart(SIM_FIXTURE);
  const words = texts(svg);
  assert.ok(words.includes('Migrations so far over time'));
  assert.equal(svg.match(/<rect x="140" [^>]*fill="#(1f6fb4|d9822b)"/g)?.length, 2, 'two bars');
  assert.ok(words.includes('3'));
  assert.deepEqual(lineColours(svg), [POLICY_COLOURS.spread, POLICY_COLOURS.elastic]);
});

test('text is escaped and an unknown policy still gets a steady colour of its own', () => {
  const odd: SimReport = { ...SIM_FIXTURE, scenario: 'a<b & "c"', runs: SIM_FIXTURE.runs.map((r, i) => (i ? { ...r, policy: 'my<policy>' } : r)) };
  for (const { render } of SIM_CHARTS) {
    const svg = render(odd);
    assertWellFormed(svg);
    assert.ok(svg.includes('a&lt;b &amp; &quot;c&quot;'));
    assert.ok(texts(svg).includes('my<policy>'));
  }
  assert.equal(policyColour('my<policy>'), policyColour('my<policy>'));
  assert.ok(!Object.values(POLICY_COLOURS).includes(policyColour('my<policy>')));
});

test('a long setup wraps onto more lines instead of running off the chart', () => {
  const setup = Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`setting${i}`, `value number ${i}`]));
  const svg = energyChart({ ...SIM_FIXTURE, setup });
  assertWellFormed(svg);
  const lines = texts(svg).filter((t) => t.startsWith('setting'));
  assert.ok(lines.length >= 2, `${lines.length} lines`);
  assert.equal(lines.join(', '), Object.entries(setup).map(([k, v]) => `${k}: ${v}`).join(', '));
  assert.ok(lines.every((l) => l.length * 11 * 0.58 <= 760 - 32));
});

test('bars of counts have whole-number ticks', () => {
  const barAxis = (svg: string): string[] => [...svg.matchAll(/<text [^>]*font-size="10"[^>]*>([^<]*)<\/text>/g)].map((m) => m[1] ?? '');
  assert.deepEqual(barAxis(migrationsChart(SIM_FIXTURE)), ['0', '1', '2', '3']);
  assert.deepEqual(barAxis(energyChart(SIM_FIXTURE)), ['0', '5', '10', '15']);
});

test('a report without runs or timelines still draws', () => {
  for (const { render } of SIM_CHARTS) assertWellFormed(render({ ...SIM_FIXTURE, runs: [] }));
  const bare: SimReport = { ...SIM_FIXTURE, runs: SIM_FIXTURE.runs.map((r) => ({ ...r, timeline: [], metrics: { ...r.metrics, simulatedHours: 0 } })) };
  for (const { render } of SIM_CHARTS) assertWellFormed(render(bare));
});

test('hour ticks come at steps a reader counts in', () => {
  assert.deepEqual(hourTicks(24).map((t) => t.label), ['0', '3', '6', '9', '12', '15', '18', '21', '24']);
  assert.deepEqual(hourTicks(1).map((t) => t.label), ['0', '0.25', '0.5', '0.75', '1']);
  assert.deepEqual(hourTicks(168).map((t) => t.at), [0, 24, 48, 72, 96, 120, 144, 168]);
  assert.equal(hourTicks(10_000).length <= 9, true);
});
