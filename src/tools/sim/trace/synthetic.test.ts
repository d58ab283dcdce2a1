import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FerryError } from '../../../core/errors.ts';
import { generateSyntheticTrace, SyntheticTraceSchema, type SyntheticTraceInput } from './synthetic.ts';
import type { SimContainerSpec } from './types.ts';

/** A 3000 s day: quiet, steady, peak, 1000 s each, sampled every 10 s. */
const day = (over: Partial<SyntheticTraceInput> = {}): SyntheticTraceInput => ({
  seed: 7,
  durationS: 3000,
  intervalS: 10,
  phases: [
    { name: 'quiet', fromS: 0, toS: 1000, level: 0.5 },
    { name: 'steady', fromS: 1000, toS: 2000, level: 1 },
    { name: 'peak', fromS: 2000, toS: 3000, level: 2 },
  ],
  apps: [{ app: 'web', count: 2, request: { cpuMillis: 500, memoryMiB: 256 }, baseCpuMillis: 100, noise: 0.2 }],
  ...over,
});

const mean = (xs: Float32Array, from: number, to: number): number => xs.subarray(from, to).reduce((a, b) => a + b, 0) / (to - from);
const byName = (specs: SimContainerSpec[], name: string): SimContainerSpec => specs.find((s) => s.name === name) ?? assert.fail(`no ${name}`);

test('the same seed gives the same trace; another seed another noise', () => {
  const a = generateSyntheticTrace(day());
  assert.deepEqual(a, generateSyntheticTrace(day()));
  assert.notDeepEqual(a[0]?.demand.cpuMillis, generateSyntheticTrace(day({ seed: 8 }))[0]?.demand.cpuMillis);
  assert.notDeepEqual(a[0]?.demand.cpuMillis, a[1]?.demand.cpuMillis, 'each container draws its own noise');
});

test('each phase level shows in the mean demand, every sample within the noise band', () => {
  const [web] = generateSyntheticTrace(day());
  assert.ok(web);
  assert.equal(web.demand.cpuMillis.length, 300);
  assert.equal(web.startS, 0);
  assert.equal(web.endS, undefined);
  const expected = [50, 100, 200];
  expected.forEach((level, p) => {
    const m = mean(web.demand.cpuMillis, p * 100, (p + 1) * 100);
    assert.ok(Math.abs(m - level) < level * 0.05, `phase ${p}: mean ${m}, expected about ${level}`);
    for (const x of web.demand.cpuMillis.subarray(p * 100, (p + 1) * 100)) assert.ok(x >= level * 0.8 - 1e-3 && x <= level * 1.2 + 1e-3);
  });
});

test('without noise the demand is base × level exactly; between phases the level is 1', () => {
  const [web] = generateSyntheticTrace(day({
    phases: [{ name: 'peak', fromS: 1000, toS: 2000, level: 3 }],
    apps: [{ app: 'web', request: { cpuMillis: 500, memoryMiB: 256 }, baseCpuMillis: 100, baseNetworkMbps: 10, memoryMiB: 200 }],
  }));
  assert.ok(web);
  assert.deepEqual([web.demand.cpuMillis[99], web.demand.cpuMillis[100], web.demand.cpuMillis[199], web.demand.cpuMillis[200]], [100, 300, 300, 100]);
  assert.deepEqual([web.demand.networkMbps?.[0], web.demand.networkMbps?.[150]], [10, 30]);
  assert.deepEqual(web.demand.memoryMiB, Float32Array.of(200));
  assert.deepEqual(web.request, { cpuMillis: 500, memoryMiB: 256, networkMbps: 0 });
  assert.equal(web.appType, 'balanced');
});

test('burst containers exist only during each phase of their name', () => {
  const specs = generateSyntheticTrace(day({
    durationS: 4000,
    phases: [
      { name: 'peak', fromS: 1000, toS: 1500, level: 2 },
      { name: 'quiet', fromS: 1500, toS: 3000, level: 0.5 },
      { name: 'peak', fromS: 3000, toS: 3600, level: 2 },
    ],
    apps: [
      { app: 'web', request: { cpuMillis: 500, memoryMiB: 256 }, baseCpuMillis: 100 },
      { app: 'burst', appType: 'cpu', count: 2, request: { cpuMillis: 1000, memoryMiB: 128 }, baseCpuMillis: 400, during: 'peak', dirtyRateMBps: 5 },
    ],
  }));
  assert.deepEqual(specs.map((s) => s.name), ['web-0', 'burst-peak-0-0', 'burst-peak-0-1', 'burst-peak-1-0', 'burst-peak-1-1']);
  const first = byName(specs, 'burst-peak-0-1');
  assert.deepEqual([first.startS, first.endS, first.demand.cpuMillis.length], [1000, 1500, 50]);
  assert.ok(first.demand.cpuMillis.every((x) => x === 800), 'peak level 2 × base 400 all through its life');
  const second = byName(specs, 'burst-peak-1-0');
  assert.deepEqual([second.startS, second.endS, second.demand.cpuMillis.length], [3000, 3600, 60]);
  assert.deepEqual([second.appType, second.dirtyRateMBps], ['cpu', 5]);
  assert.equal(byName(specs, 'web-0').endS, undefined);
});

test('adding an app leaves the noise of the others unchanged', () => {
  const alone = generateSyntheticTrace(day());
  const more = generateSyntheticTrace(day({ apps: [{ app: 'db', request: { cpuMillis: 1, memoryMiB: 1 }, baseCpuMillis: 1, noise: 0.5 }, ...day().apps] }));
  assert.deepEqual(byName(more, 'web-1').demand.cpuMillis, byName(alone, 'web-1').demand.cpuMillis);
});

test('a scenario that does not hold together is refused naming the field', () => {
  const is = (re: RegExp) => (e: unknown) => e instanceof FerryError && e.code === 'FERRY_ERR_INVALID_INPUT' && re.test(e.message);
  const phases = (p: SyntheticTraceInput['phases']) => day({ phases: p });
  assert.throws(() => generateSyntheticTrace(phases([{ name: 'a', fromS: 0, toS: 600, level: 1 }, { name: 'b', fromS: 500, toS: 900, level: 1 }])), is(/phases\.0: phases "a" and "b" overlap/));
  assert.throws(() => generateSyntheticTrace(phases([{ name: 'a', fromS: 600, toS: 600, level: 1 }])), is(/phases\.0: .*toS > fromS/));
  assert.throws(() => generateSyntheticTrace(phases([{ name: 'a', fromS: 0, toS: 5000, level: 1 }])), is(/after the day/));
  const app = day().apps[0] ?? assert.fail();
  assert.throws(() => generateSyntheticTrace(day({ apps: [{ ...app, during: 'lunch' }] })), is(/apps\.0\.during: .*"lunch"/));
  assert.throws(() => generateSyntheticTrace(day({ apps: [app, app] })), is(/apps\.1\.app: app "web" is listed twice/));
  assert.throws(() => generateSyntheticTrace(day({ apps: [{ ...app, noise: 2 }] })), is(/apps\.0\.noise/));
  assert.throws(() => generateSyntheticTrace({ ...day(), extra: 1 } as SyntheticTraceInput), is(/\(root\)|extra/));
});

test('the schema survives a JSON round trip, as a scenario file holds it', () => {
  const parsed = SyntheticTraceSchema.parse(JSON.parse(JSON.stringify(day())));
  assert.equal(parsed.apps[0]?.appType, 'balanced');
  assert.equal(parsed.apps[0]?.dirtyRateMBps, 0);
  assert.deepEqual(generateSyntheticTrace(parsed), generateSyntheticTrace(day()));
});
