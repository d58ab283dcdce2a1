import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LoadSampler } from './load-sampler.ts';
import type { LoadReading } from './load-rates.ts';

/** Readings 1 s apart in which one container uses a quarter core more each second. */
function readings(): () => Promise<LoadReading> {
  let i = 0;
  return () => {
    i++;
    return Promise.resolve({ at: i * 1000, mono: i * 1000, nodeNetBytes: i * 125_000, containers: [{ id: 'a', name: 'a', labels: {}, startedAt: -1e9, cpuNs: i * 0.25e9, memoryBytes: 1048576, netBytes: 0 }] });
  };
}

test('the first reading completes no sample; later ones do, numbered from 1', async () => {
  const s = new LoadSampler({ everyMs: 1000, read: readings() });
  assert.equal(await s.tick(), undefined);
  const first = await s.tick();
  assert.equal(first?.seq, 1);
  assert.equal(first?.node.cpuMillis, 250);
  assert.equal(first?.node.networkMbps, 1);
  assert.equal((await s.tick())?.seq, 2);
  assert.deepEqual(s.samples().map((x) => x.seq), [1, 2], 'oldest first');
});

test('keeps only the last K samples', async () => {
  const s = new LoadSampler({ everyMs: 1000, read: readings(), keep: 3 });
  for (let i = 0; i < 10; i++) await s.tick();
  assert.deepEqual(s.samples().map((x) => x.seq), [7, 8, 9]);
});

test('a failed reading skips its tick and is reported; sampling goes on', async () => {
  const good = readings();
  let fail = false;
  const errors: unknown[] = [];
  const s = new LoadSampler({ everyMs: 1000, read: () => (fail ? Promise.reject(new Error('engine gone')) : good()), onError: (e) => errors.push(e) });
  await s.tick();
  fail = true;
  assert.equal(await s.tick(), undefined);
  fail = false;
  assert.equal((await s.tick())?.seq, 1);
  assert.equal(errors.length, 1);
});

test('while paused no sample is taken, and the first interval after a pause does not span it', async () => {
  let paused = false;
  let reads = 0;
  const inner = readings();
  const s = new LoadSampler({ everyMs: 1000, read: () => { reads++; return inner(); }, paused: () => paused });
  await s.tick();
  await s.tick();
  assert.equal(s.samples().length, 1);
  paused = true;
  assert.equal(await s.tick(), undefined);
  assert.equal(reads, 2, 'nothing is read while paused');
  assert.deepEqual(s.samples(), [], 'samples from before the sleep are forgotten');
  paused = false;
  assert.equal(await s.tick(), undefined, 'a fresh first reading after the pause');
  assert.equal((await s.tick())?.seq, 2);
});

test('overlapping ticks share one reading; start and stop drive the timer', async () => {
  let reads = 0;
  const inner = readings();
  const s = new LoadSampler({ everyMs: 5, read: async () => { reads++; await new Promise((r) => setTimeout(r, 20)); return inner(); } });
  await Promise.all([s.tick(), s.tick(), s.tick()]);
  assert.equal(reads, 1);
  s.start();
  await new Promise((r) => setTimeout(r, 60));
  s.stop();
  assert.ok(s.samples().length >= 1, 'the timer sampled');
});
