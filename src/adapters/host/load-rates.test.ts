import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadSample, type ContainerReading, type LoadReading } from './load-rates.ts';

const T0 = 1_700_000_000_000;
const MIB = 1024 * 1024;

function c(id: string, o: Partial<ContainerReading> = {}): ContainerReading {
  return { id, name: `n-${id}`, labels: { 'ferry.app': id }, startedAt: T0 - 60_000, cpuNs: 0, memoryBytes: 0, netBytes: 0, ...o };
}

function reading(atOffsetMs: number, containers: ContainerReading[], node: { cpuNs?: number; netBytes?: number } = {}): LoadReading {
  return { at: T0 + atOffsetMs, mono: 5_000 + atOffsetMs, containers, ...(node.cpuNs !== undefined ? { nodeCpuNs: node.cpuNs } : {}), nodeNetBytes: node.netBytes ?? 0 };
}

test('CPU ns over the interval become millicores, memory MiB, bytes Mbit/s', () => {
  const prev = reading(0, [c('a', { cpuNs: 1e9, netBytes: 1000 })], { netBytes: 0 });
  // 2 s later: 1.5 s of CPU (750 millicores), 2.5 MB on the wire (10 Mbit/s)
  const cur = reading(2000, [c('a', { cpuNs: 2.5e9, memoryBytes: 48 * MIB, netBytes: 1000 + 2_500_000 })], { netBytes: 5_000_000 });
  const s = loadSample(prev, cur, 7);
  assert.equal(s.seq, 7);
  assert.equal(s.at, T0 + 2000);
  assert.deepEqual(s.containers, [{ name: 'n-a', id: 'a', cpuMillis: 750, memoryMiB: 48, networkMbps: 10, dirtyRateMBps: 0, labels: { 'ferry.app': 'a' } }]);
  assert.deepEqual(s.node, { cpuMillis: 750, memoryMiB: 48, networkMbps: 20 }, 'node CPU and memory sum the containers; network is the uplink\'s');
});

test('the node\'s CPU is its cgroup parent\'s when both readings have it', () => {
  const prev = reading(0, [c('a', { cpuNs: 0 })], { cpuNs: 10e9 });
  const cur = reading(1000, [c('a', { cpuNs: 0.2e9 })], { cpuNs: 10.9e9 });
  assert.equal(loadSample(prev, cur, 1).node.cpuMillis, 900, 'includes work of containers that came and went');
  const noParent = reading(1000, [c('a', { cpuNs: 0.2e9 })]);
  assert.equal(loadSample(prev, noParent, 1).node.cpuMillis, 200, 'else the sum of the containers');
});

test('a container first seen is measured from its start; one that restarted too', () => {
  const prev = reading(0, [c('old', { cpuNs: 5e9, startedAt: T0 - 100_000 })]);
  const cur = reading(2000, [
    c('new', { cpuNs: 0.5e9, startedAt: T0 + 1000 }), // 1 s old, half a core
    c('old', { cpuNs: 0.25e9, startedAt: T0 + 1500 }), // restarted 0.5 s ago: counters restarted at zero
  ]);
  const s = loadSample(prev, cur, 1);
  assert.equal(s.containers.find((x) => x.id === 'new')?.cpuMillis, 500);
  assert.equal(s.containers.find((x) => x.id === 'old')?.cpuMillis, 500);
});

test('a vanished container drops out; counters going backwards count zero, never negative', () => {
  const prev = reading(0, [c('a', { cpuNs: 5e9, netBytes: 9000 }), c('gone', { cpuNs: 1e9 })], { netBytes: 1e6 });
  const cur = reading(1000, [c('a', { cpuNs: 4e9, netBytes: 10 })], { netBytes: 10 });
  const s = loadSample(prev, cur, 1);
  assert.deepEqual(s.containers.map((x) => x.id), ['a']);
  assert.equal(s.containers[0]?.cpuMillis, 0);
  assert.equal(s.containers[0]?.networkMbps, 0);
  assert.equal(s.node.networkMbps, 0);
});

test('a zero-length interval gives zero rates, not infinities', () => {
  const r = reading(0, [c('a', { cpuNs: 1e9, memoryBytes: MIB })]);
  const s = loadSample(r, { ...r, containers: [c('a', { cpuNs: 2e9, memoryBytes: MIB })] }, 1);
  assert.equal(s.containers[0]?.cpuMillis, 0);
  assert.equal(s.containers[0]?.memoryMiB, 1);
  assert.ok(Object.values(s.node).every(Number.isFinite));
});
