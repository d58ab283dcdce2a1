/** @module tools/workloads/clients/redis-log.test — redis-writer's summary, its acknowledged writes and their read-back. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ackedWrites, keyValue, parseRedisLog, verifyReport } from './redis-log.ts';

const OLD_RUN = [
  '{"ev":"start","at":1,"prefix":"old"}',
  '{"ev":"ack","at":2,"n":1}',
  '{"ev":"summary","at":3,"acked":1}',
];
const RUN = [
  '{"ev":"start","at":10,"client":"redis-writer","prefix":"k"}',
  '{"ev":"connect","at":11,"endpoints":"a > b"}',
  '{"ev":"ack","at":12,"n":1}',
  '{"ev":"ack","at":13,"n":2}',
  '{"ev":"reset","at":14,"n":3,"code":"ECONNRESET"}',
  '{"ev":"ack","at":15,"n":4}',
  '{"ev":"summary","at":20,"client":"redis-writer","requests":7,"acked":3,"lastN":4,"mismatches":0,"errors":0,"resets":1,"resetCodes":{"ECONNRESET":1},"connects":2,"connectErrors":0,"slow":1,"gapMs":812.5,"gapAt":14,"pendingMs":0,"durationMs":10}',
  '{"ev":"ack","at":21,"n":5', // cut by a kill
];

void test('parseRedisLog reads the last summary line; missing numbers read as 0', () => {
  assert.deepEqual(parseRedisLog([...OLD_RUN, ...RUN].join('\n')), {
    requests: 7, acked: 3, lastN: 4, mismatches: 0, errors: 0, resets: 1, resetCodes: { ECONNRESET: 1 }, connects: 2, connectErrors: 0,
    slow: 1, gapMs: 812.5, gapAt: 14, pendingMs: 0, durationMs: 10,
  });
  assert.equal(parseRedisLog(OLD_RUN.join('\n')).resets, 0);
});

void test('parseRedisLog without a summary says the client was killed or still runs', () => {
  assert.throws(() => parseRedisLog(RUN.slice(0, 4).join('\n')), /no summary line.*SIGTERM/);
});

void test('ackedWrites takes the last run: its prefix and every acknowledged n, not the unacknowledged one', () => {
  assert.deepEqual(ackedWrites([...OLD_RUN, ...RUN].join('\n')), { prefix: 'k', acked: [1, 2, 4] });
  assert.deepEqual(ackedWrites(''), { prefix: 'k', acked: [] });
  assert.deepEqual(keyValue('run2-', 7), { key: 'run2-7', value: 'v7' });
});

void test('verifyReport counts missing and changed values and lists the first of each', () => {
  assert.deepEqual(verifyReport([1, 2, 4, 5], ['v1', null, 'v9', 'v5']), { checked: 4, missing: 1, mismatched: 1, missingN: [2], mismatchedN: [4] });
  assert.deepEqual(verifyReport([], []), { checked: 0, missing: 0, mismatched: 0, missingN: [], mismatchedN: [] });
  const many = Array.from({ length: 30 }, (_, i) => i + 1);
  assert.equal(verifyReport(many, []).missingN.length, 20);
});
