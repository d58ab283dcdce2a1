import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildView, meanLoad, utilisation } from './cluster-view.ts';
import type { ContainerRecord, NodeRecord, SampleRow } from './records.ts';

const node: NodeRecord = { name: 'h1', controlUrl: 'http://x', dataHost: 'x', capacity: { cpuMillis: 1000, memoryMiB: 1000, networkMbps: 100 }, state: 'active', zone: '', rack: '', registeredAt: 0, lastSeen: 0 };
const req = { cpuMillis: 100, memoryMiB: 50, networkMbps: 0 };
const container = (name: string): ContainerRecord => ({ name, app: name, appType: 'balanced', node: 'h1', image: 'i', request: req, status: 'running', createdAt: 0 });
const sample = (seq: number, cpu: number): SampleRow => ({ node: 'h1', seq, at: seq, load: { cpuMillis: cpu, memoryMiB: 200, networkMbps: 10 }, containers: [{ name: 'a', cpuMillis: cpu, memoryMiB: 200, networkMbps: 10, dirtyRateMBps: 2 }] });

test('the view averages the last D samples into utilisation fractions', () => {
  assert.equal(meanLoad([]), undefined);
  assert.deepEqual(utilisation({ cpuMillis: 500, memoryMiB: 0, networkMbps: 5 }, { cpuMillis: 1000, memoryMiB: 0, networkMbps: 0 }), { cpu: 0.5, memory: 0, network: 1 });
  const v = buildView({ now: 7, nodes: [node], containers: [container('a')], samplesOf: () => [sample(1, 200), sample(2, 400)] });
  const n = v.nodes[0];
  assert.ok(n);
  assert.equal(n.usage.cpu, 0.3);
  assert.equal(n.usage.memory, 0.2);
  assert.equal(n.usage.network, 0.1);
  assert.deepEqual(n.containers[0]?.usage, { cpuMillis: 300, memoryMiB: 200, networkMbps: 10 });
  assert.equal(n.containers[0]?.dirtyRateMBps, 2);
});

test('a container not yet sampled counts as its request; removed ones do not count', () => {
  const v = buildView({ now: 0, nodes: [node], containers: [container('a'), container('b'), { ...container('c'), status: 'removed' }], samplesOf: () => [sample(1, 200)] });
  const n = v.nodes[0];
  assert.ok(n);
  assert.deepEqual(n.containers.map((c) => c.name), ['a', 'b']);
  assert.equal(n.usage.cpu, 0.3); // 200 measured + 100 requested by b
  assert.deepEqual(n.containers[1]?.usage, req);
});
