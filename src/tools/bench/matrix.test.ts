import { test } from 'node:test';
import assert from 'node:assert/strict';
import { benchCases, HEADLINE, precopyOptions, workloadEnv } from './matrix.ts';

test('the quick matrix is one small stream case; the full one holds the headline case', () => {
  assert.deepEqual(benchCases(true).map((c) => [c.workload, c.sizeMiB, c.dirtyMBps, c.bandwidthMbit]), [['stream', 256, 20, 1000]]);
  assert.ok(benchCases(false).some((c) => c === HEADLINE));
});

test('the workload environment carries size, rate and skew; only precopy-nodefer turns deferral off', () => {
  assert.deepEqual(workloadEnv({ ...HEADLINE, hotPercent: 10 }), ['STREAM_MIB=1024', 'DIRTY_MBPS=50', 'HOT_PERCENT=10', 'HOT_SHARE=90']);
  assert.deepEqual(workloadEnv({ workload: 'loop', sizeMiB: 0, dirtyMBps: 0, bandwidthMbit: 1000 }), []);
  assert.deepEqual(precopyOptions('precopy-nodefer'), { deferThreshold: 0 });
  assert.equal(precopyOptions('precopy'), undefined);
});
