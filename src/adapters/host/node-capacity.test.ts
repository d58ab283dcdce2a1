import { test } from 'node:test';
import assert from 'node:assert/strict';
import { availableParallelism } from 'node:os';
import { memTotalMiB, nodeCapacity } from './node-capacity.ts';

test('MemTotal of /proc/meminfo in MiB', () => {
  assert.equal(memTotalMiB('MemTotal:       24684084 kB\nMemFree:        23973208 kB\n'), 24105);
  assert.equal(memTotalMiB(''), 0);
});

test('what is given wins; what is missing or 0 defaults to all CPUs, MemTotal and 1000 Mbit/s', async () => {
  assert.deepEqual(await nodeCapacity({ cpuMillis: 300, memoryMiB: 512, networkMbps: 100 }), { cpuMillis: 300, memoryMiB: 512, networkMbps: 100 });
  const d = await nodeCapacity({ cpuMillis: 0 });
  assert.equal(d.cpuMillis, 1000 * availableParallelism());
  assert.ok(d.memoryMiB > 0);
  assert.equal(d.networkMbps, 1000);
});
