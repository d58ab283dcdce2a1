/** @module tools/testbed/kept-runs.test — names of kept runs, which ones are pruned, where a kept dir may lie, which files are logs, the README. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FerryError } from '../../core/errors.ts';
import { errorText, isKeptRunName, keptRootProblem, keptRunName, logKind, readmeText, runsToPrune, searchesDir, whatSlug } from './kept-runs.ts';

void test('a kept run is named by its UTC time to the millisecond, then what failed', () => {
  const name = keptRunName(new Date('2026-12-06T10:22:33.045Z'), 'demo');
  assert.equal(name, '20261206-102233-045-demo');
  assert.ok(isKeptRunName(name));
  assert.ok(isKeptRunName(`${name}-2`), 'a clash suffix keeps the name a kept run');
});

void test('what failed becomes a short, safe slug', () => {
  assert.equal(whatSlug('Bench: stream 256 MiB / precopy'), 'bench-stream-256-mib-precopy');
  assert.equal(whatSlug('migrate.test.ts'), 'migrate.test.ts');
  assert.equal(whatSlug('../../etc'), 'etc');
  assert.equal(whatSlug('???'), 'run');
  assert.equal(whatSlug('x'.repeat(100)).length, 64);
  assert.ok(!whatSlug('a'.repeat(63) + '-b').endsWith('-'), 'never ends in a dash after the cut');
});

void test('names that are not kept runs are never pruned', () => {
  for (const n of ['README', 'lost+found', '2026-demo', '20261206-102233-demo', '20261206-102233-045-', '20261206-102233-045-Demo']) assert.equal(isKeptRunName(n), false, n);
});

void test('pruning keeps the newest runs, the current one among them, and touches nothing else', () => {
  const names = ['20261201-000000-000-a', '20261203-000000-000-c', '20261202-000000-000-b', 'notes.txt', '20261204-000000-000-d'];
  assert.deepEqual(runsToPrune([...names, '20261205-000000-000-now'], 3, '20261205-000000-000-now'), ['20261201-000000-000-a', '20261202-000000-000-b']);
  assert.deepEqual(runsToPrune(names, 20, '20261204-000000-000-d'), []);
  assert.deepEqual(runsToPrune(['20261201-000000-000-a', '20261202-000000-000-b'], 1, '20261201-000000-000-a'), ['20261202-000000-000-b'], 'the current run stays even when a newer name exists (clock skew)');
});

void test('a kept dir inside the state dir or the run dir is refused (down would remove it)', () => {
  const tb = { stateDir: '/var/lib/ferry/testbed', runDir: '/run/ferry' };
  assert.equal(keptRootProblem('/var/lib/ferry/failed-runs', tb), null);
  assert.equal(keptRootProblem('/var/lib/ferry', tb), null, 'a parent of the state dir is fine: down removes only its own names');
  assert.equal(keptRootProblem('/var/lib/ferry/testbed-kept', tb), null, 'a sibling with a common prefix is outside');
  assert.match(keptRootProblem('/var/lib/ferry/testbed/kept', tb) ?? '', /state dir .*FERRY_TESTBED_KEPT_LOGS_DIR/);
  assert.match(keptRootProblem('/var/lib/ferry/testbed', tb) ?? '', /state dir/);
  assert.match(keptRootProblem('/run/ferry/x/../kept', tb) ?? '', /run dir/);
});

void test('CRIU logs and containers\' output are recognised; other files are not', () => {
  for (const n of ['dump.log', 'restore.log', 'pre-dump.log', 'lazy-pages.log', 'criu.log', 'dump-1.log', 'm-35d39b4c-2612-4ec6-8770-037967495649-restore.log', 'm-35d39b4c-2612-4ec6-8770-037967495649-lazy-pages.log']) assert.equal(logKind(n), 'criu', n);
  assert.equal(logKind(`${'a'.repeat(64)}-json.log`), 'container');
  for (const n of ['pages-1.img', 'agent.db', 'dump.log.img', 'json.log', 'mydump.log', 'descriptors.json']) assert.equal(logKind(n), null, n);
});

void test('container file systems, layers, volumes and containerd content are not searched', () => {
  for (const n of ['overlay2', 'rootfs', 'volumes', 'io.containerd.content.v1.content', 'io.containerd.snapshotter.v1.overlayfs']) assert.equal(searchesDir(n), false, n);
  for (const n of ['containers', 'checkpoints', 'criu', 'runtime-runc', 'moby', 'criu.work', 'images']) assert.equal(searchesDir(n), true, n);
});

void test('an error in words: code and message for ferry\'s, the stack for others, causes after', () => {
  assert.equal(errorText(new FerryError('FERRY_ERR_CRIU_TIMEOUT', 'dump hung')), 'FERRY_ERR_CRIU_TIMEOUT: dump hung');
  const wrapped = new FerryError('FERRY_ERR_RESTORE', 'restore failed', { cause: new Error('criu exited 1') });
  assert.match(errorText(wrapped), /^FERRY_ERR_RESTORE: restore failed\ncaused by: Error: criu exited 1\n\s+at /);
  assert.equal(errorText('words'), 'words');
  assert.equal(errorText(undefined), '');
  const loop = new Error('loop');
  loop.cause = loop;
  assert.equal(errorText(loop).split('caused by').length, 6, 'a cyclic cause stops');
});

void test('the README says what failed, when, the error, and every file with its source', () => {
  const text = readmeText({
    what: 'demo', at: new Date('2026-12-06T10:22:33Z'), error: 'FERRY_ERR_CRIU: boom', stateDir: '/var/lib/ferry/testbed', hosts: ['h1', 'h2'],
    files: [
      { kept: 'h1/logs/agent.log', from: '/var/lib/ferry/testbed/h1/logs/agent.log', bytes: 2048, cut: false },
      { kept: 'h1/agent-state/criu/m1/dump.log', from: '/var/lib/ferry/testbed/h1/agent/criu/m1/dump.log', bytes: 40 * 1048576, cut: true },
    ],
    missing: ['h2: no log'],
  });
  assert.match(text, /what failed: demo/);
  assert.match(text, /when: 2026-12-06T10:22:33.000Z/);
  assert.match(text, /```\nFERRY_ERR_CRIU: boom\n```/);
  assert.match(text, /- h1\/logs\/agent.log \(2.0 KiB\) ← \/var\/lib\/ferry\/testbed\/h1\/logs\/agent.log/);
  assert.match(text, /dump.log \(40.0 MiB, tail only\)/);
  assert.match(text, /## Not kept\n\n- h2: no log/);
  assert.doesNotMatch(text, /No CRIU log was found/);
  assert.match(readmeText({ what: 'x', at: new Date(0), error: '', stateDir: '/s', hosts: [], files: [], missing: [] }), /No CRIU log was found[\s\S]*\(no error recorded\)|\(no error recorded\)[\s\S]*No CRIU log was found/);
});
