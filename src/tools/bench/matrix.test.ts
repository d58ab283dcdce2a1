import { test } from 'node:test';
import assert from 'node:assert/strict';
import { benchCases, HEADLINE, isFerryStrategy, linkOrder, LOOP, precopyOptions, RUN_STRATEGIES, tlsOffCases, workloadEnv } from './matrix.ts';

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

test('TLS-off twins: every ferry row of a one-case run, only the headline\'s in the full matrix', () => {
  assert.deepEqual(tlsOffCases(benchCases(true)), benchCases(true));
  assert.deepEqual(tlsOffCases([LOOP]), [LOOP]);
  assert.deepEqual(tlsOffCases(benchCases(false)), [HEADLINE]);
  assert.deepEqual(RUN_STRATEGIES.filter(isFerryStrategy), ['stop-copy', 'precopy-nodefer', 'precopy', 'prestore-nothreshold', 'prestore', 'postcopy']);
});

test('a twin runs right after or before its row, the order flipping every other ferry strategy; baselines run once', () => {
  assert.deepEqual(linkOrder('baseline-stopcopy', 0, true), [true]);
  assert.deepEqual(linkOrder('podman', 1, true), [true]);
  assert.deepEqual(linkOrder('stop-copy', 0, true), [true, false]);
  assert.deepEqual(linkOrder('precopy-nodefer', 1, true), [false, true]);
  assert.deepEqual(linkOrder('precopy', 2, true), [true, false]);
  assert.deepEqual(linkOrder('precopy', 2, false), [true]);
});
