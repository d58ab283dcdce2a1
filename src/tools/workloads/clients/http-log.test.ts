/** @module tools/workloads/clients/http-log.test — http-load's summary read back. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseHttpLog } from './http-log.ts';

void test('parseHttpLog reads the last summary; missing numbers read as 0, failure codes copied', () => {
  const text = [
    '{"ev":"start","at":1,"client":"http-load"}',
    '{"ev":"fail","at":2,"i":7,"path":"/index.html","code":"ECONNRESET","ms":3.2,"since":1}',
    '{"ev":"summary","at":9,"client":"http-load","issued":1600,"requests":1599,"ok":1598,"failures":1,"failureCodes":{"ECONNRESET":1},"inFlight":1,"pendingMs":2.5,'
      + '"p50Ms":0.6,"p99Ms":12.1,"maxMs":1109,"gapMs":1073.9,"gapAt":1796581591174,"slow":217,"connections":4,"closes":1,"achievedRate":199.8,"durationMs":8010}',
  ].join('\n');
  assert.deepEqual(parseHttpLog(text), {
    issued: 1600, requests: 1599, ok: 1598, failures: 1, failureCodes: { ECONNRESET: 1 }, inFlight: 1, pendingMs: 2.5,
    p50Ms: 0.6, p99Ms: 12.1, maxMs: 1109, gapMs: 1073.9, gapAt: 1796581591174, slow: 217, connections: 4, closes: 1, achievedRate: 199.8, durationMs: 8010,
  });
  const bare = parseHttpLog('{"ev":"summary","at":1}');
  assert.equal(bare.ok, 0);
  assert.deepEqual(bare.failureCodes, {});
  assert.throws(() => parseHttpLog('{"ev":"start","at":1}'), /http-load log has no summary line/);
});
