/** @module tools/workloads/clients/dns-log.test — dns-asker's summary read back. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDnsLog } from './dns-log.ts';

void test('parseDnsLog reads the last summary; missing numbers read as 0, error codes copied', () => {
  const text = [
    '{"ev":"start","at":1,"client":"dns-asker"}',
    '{"ev":"late","at":2,"n":55,"ms":1109.4,"tries":6,"since":1}',
    '{"ev":"summary","at":9,"client":"dns-asker","asked":159,"answered":158,"late":19,"lost":1,"wrong":0,"retries":52,"duplicates":52,"errors":2,'
      + '"errorCodes":{"ECONNREFUSED":2},"unansweredInARowMax":19,"pending":0,"p50Ms":0.6,"p99Ms":1058.5,"maxMs":1109.4,"gapMs":1157,"gapAt":1796581661098,"durationMs":8007}',
  ].join('\n');
  assert.deepEqual(parseDnsLog(text), {
    asked: 159, answered: 158, late: 19, lost: 1, wrong: 0, retries: 52, duplicates: 52, errors: 2, errorCodes: { ECONNREFUSED: 2 },
    unansweredInARowMax: 19, pending: 0, p50Ms: 0.6, p99Ms: 1058.5, maxMs: 1109.4, gapMs: 1157, gapAt: 1796581661098, durationMs: 8007,
  });
  assert.equal(parseDnsLog('{"ev":"summary","at":1}').asked, 0);
  assert.throws(() => parseDnsLog(''), /dns-asker log has no summary line/);
});
