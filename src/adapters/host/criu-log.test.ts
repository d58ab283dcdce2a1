/** @module adapters/host/criu-log.test — the cause of a failure, picked from real CRIU 4.2.1 logs of these machines. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { criuLogCause } from './criu-log.ts';

const RLIMIT = '(00.045489) Error (criu/util.c:1534): rlimit: Can\'t setup RLIMIT_NOFILE for self: Operation not permitted';

void test('the harmless rlimit line is skipped; the first errors and the last one are kept', () => {
  const log = [
    '(00.000001) Version: 4.2.1',
    RLIMIT,
    '(00.060238) Error (criu/sockets.c:628): sockets: Can\'t get 1:16 opt: Operation not supported',
    '(00.060241) Error (criu/sockets.c:628): sockets: Can\'t get 1:34 opt: Operation not supported',
    '(00.060274) Error (criu/cr-dump.c:1681): Dump files (pid: 6184) failed with -1',
    '(00.062588) Error (criu/cr-dump.c:2111): Dumping FAILED.',
  ].join('\n');
  assert.equal(criuLogCause(log), '(00.060238) Error (criu/sockets.c:628): sockets: Can\'t get 1:16 opt: Operation not supported | (00.060241) Error (criu/sockets.c:628): sockets: Can\'t get 1:34 opt: Operation not supported | (00.062588) Error (criu/cr-dump.c:2111): Dumping FAILED.');
});

void test('no error line but the harmless one: the last lines of the log', () => {
  assert.equal(criuLogCause(`(00.0) Version: 4.2.1\n${RLIMIT}\n(00.1) a\n(00.2) b\n`), `${RLIMIT} | (00.1) a | (00.2) b`);
  assert.equal(criuLogCause(''), '');
});

void test('a long cause is cut', () => {
  assert.equal(criuLogCause(`Error ${'x'.repeat(2000)}`, 10), 'Error xxxx…');
});
