import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WORKLOADS, workloadSpec } from './catalog.ts';
import type { WorkloadName } from './workload-types.ts';

test('every workload has its own image and a heartbeat log under /data, beating 10 times a second or more (load: once)', () => {
  const names = Object.keys(WORKLOADS) as WorkloadName[];
  assert.deepEqual(names.sort(), ['compile', 'counter', 'load', 'loop', 'services', 'sockets', 'stream']);
  assert.equal(new Set(names.map((n) => WORKLOADS[n].image)).size, names.length);
  for (const n of names) {
    const w = workloadSpec(n);
    assert.equal(w.name, n);
    assert.match(w.heartbeatPath, /^\/data\/[\w.-]+$/);
    assert.ok(w.beatsPerSecond >= (n === 'load' ? 1 : 10));
    for (const e of w.env) assert.match(e, /^[A-Z_]+=\S+$/);
  }
});

test("the stream's parser keeps its checksum; the others read plain beats", () => {
  assert.deepEqual(workloadSpec('stream').parse('1 1000 00000000deadbeef\n'), [{ n: 1, atMs: 1000, checksum: '00000000deadbeef' }]);
  assert.deepEqual(workloadSpec('loop').parse('1 1000\n'), [{ n: 1, atMs: 1000 }]);
  assert.equal(workloadSpec('stream').verifyPath, '/data/verify.log');
  assert.deepEqual(workloadSpec('load').parse('t=1 want=200 got=198\n'), [{ n: 1, atMs: 1000 }]);
  assert.equal(workloadSpec('load').image, 'ferry/load:1');
});
