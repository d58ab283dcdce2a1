import { test } from 'node:test';
import assert from 'node:assert/strict';
import { criuTimeoutError, deadlineText, formatMs, tailLines } from './deadline.ts';

test('a deadline names its limit, config key and environment twin', () => {
  assert.equal(formatMs(300_000), '300 s');
  assert.equal(formatMs(1500), '1.5 s');
  assert.equal(formatMs(800), '800 ms');
  assert.equal(deadlineText('deadlines', 'criuDumpMs', 5000), '5 s (config deadlines.criuDumpMs, env FERRY_DEADLINES_CRIU_DUMP_MS)');
});

test('a log tail keeps the last non-empty lines and is cut from the front', () => {
  assert.equal(tailLines('a\n\nb\nc\n', 2), 'b | c');
  assert.equal(tailLines(''), '');
  assert.equal(tailLines('x'.repeat(50), 5, 10), `…${'x'.repeat(10)}`);
});

test('a CRIU timeout names the step, the deadline, the key and the log tail', () => {
  const e = criuTimeoutError({ step: 'dump', subject: 'container 0123456789ab', deadlineMs: 5000, logPath: '/s/criu/m-1/dump.log', logText: '(00.01) seized\n(04.99) waiting for breakpoint\n' });
  assert.equal(e.code, 'FERRY_ERR_CRIU_TIMEOUT');
  assert.match(e.message, /^CRIU dump of container 0123456789ab did not finish within 5 s \(config deadlines\.criuDumpMs, env FERRY_DEADLINES_CRIU_DUMP_MS\); it was killed with its process group\./);
  assert.match(e.message, /CRIU log \/s\/criu\/m-1\/dump\.log, last lines: \(00\.01\) seized \| \(04\.99\) waiting for breakpoint$/);
  assert.deepEqual(e.details, { step: 'dump', deadlineMs: 5000, key: 'deadlines.criuDumpMs', log: '/s/criu/m-1/dump.log' });
  const empty = criuTimeoutError({ step: 'dump', subject: 'c', deadlineMs: 5000, logPath: '/l', logText: '' });
  assert.match(empty.message, /CRIU log \/l is empty or absent \(CRIU had not begun the dump\)/);
  const engine = criuTimeoutError({ step: 'restore', subject: 'c', deadlineMs: 300_000, killed: false });
  assert.match(engine.message, /deadlines\.criuRestoreMs.*ferry stopped waiting for the engine\. CRIU's log is with the engine/);
  assert.match(criuTimeoutError({ step: 'cpuinfo dump', subject: 'h', deadlineMs: 30_000 }).message, /deadlines\.criuProbeMs.*CRIU wrote nothing$/);
  assert.match(criuTimeoutError({ step: 'cpuinfo check', subject: 'h', deadlineMs: 30_000, logText: 'stuck\n' }).message, /CRIU's last output: stuck$/);
});
