/** @module tools/doctor/criu-parse.test — suites, the prefix layout, the wrapper, the probes' answers and the private apt tree. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCriuVersion } from '../../adapters/host/criu-output.ts';
import {
  aptSourcesLine, aptTree, aptTreeOptions, archLayout, CRIU_SUITES, criuPrefixLayout, criuWrapperScript, judgeRestore,
  needsNoBreakpointSwitch, parseBreakpointProbe, parsePrefixMarker, parseSocketsAnswer, shellQuote,
} from './criu-parse.ts';

void test('archLayout knows amd64 and arm64 only', () => {
  assert.deepEqual(archLayout('amd64\n'), { triplet: 'x86_64-linux-gnu', loader: 'ld-linux-x86-64.so.2' });
  assert.equal(archLayout('arm64')?.loader, 'ld-linux-aarch64.so.1');
  assert.equal(archLayout('riscv64'), null);
});

void test('the prefix layout and its wrapper run criu through the prefix loader', () => {
  const arch = archLayout('amd64');
  assert.ok(arch);
  const l = criuPrefixLayout('/opt/ferry/criu', arch);
  assert.equal(l.wrapper, '/opt/ferry/criu/bin/criu');
  assert.equal(l.wrapperDir, '/opt/ferry/criu/bin');
  assert.equal(l.loader, '/opt/ferry/criu/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2');
  const script = criuWrapperScript(l);
  assert.match(script, /^#!\/bin\/sh\n/);
  assert.ok(script.includes(`exec '/opt/ferry/criu/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2' --library-path '/opt/ferry/criu/usr/lib/x86_64-linux-gnu' '/opt/ferry/criu/usr/sbin/criu' "$@"`));
});

void test('shellQuote survives single quotes', () => {
  assert.equal(shellQuote(`/a b/it's`), `'/a b/it'\\''s'`);
});

void test('the private apt tree points apt only at its own dirs and trixie', () => {
  const t = aptTree('/x/apt');
  const opts = aptTreeOptions(t);
  assert.ok(opts.includes('Dir::Etc::SourceList=/x/apt/etc/sources.list'));
  assert.ok(opts.includes('Dir::State::status=/x/apt/state/status'));
  assert.ok(opts.includes('Dir::Cache=/x/apt/cache'));
  assert.ok(opts.includes('Dir::Etc::SourceParts=/dev/null'));
  assert.ok(opts.includes('APT::Install-Recommends=false'));
  assert.equal(opts.filter((o) => o === '-o').length, opts.length / 2);
  assert.match(aptSourcesLine('trixie'), /signed-by=\/usr\/share\/keyrings\/debian-archive-keyring\.gpg\] http:\/\/deb\.debian\.org\/debian trixie main/);
  assert.match(aptSourcesLine('sid'), / sid main\n$/);
});

void test('suites are tried newest first', () => {
  assert.deepEqual([...CRIU_SUITES], ['sid', 'trixie']);
});

void test('parseBreakpointProbe reads the helper\'s one line', () => {
  assert.equal(parseBreakpointProbe('works\n').state, 'works');
  assert.equal(parseBreakpointProbe('does not fire\n').state, 'does-not-fire');
  assert.deepEqual(parseBreakpointProbe('unsupported: not x86_64\n'), { state: 'unknown', detail: 'unsupported: not x86_64' });
  assert.equal(parseBreakpointProbe('').state, 'unknown');
});

void test('needsNoBreakpointSwitch: only CRIU older than 4.2 where breakpoints do not fire', () => {
  assert.equal(needsNoBreakpointSwitch(parseCriuVersion('Version: 4.1.1'), 'does-not-fire'), true);
  assert.equal(needsNoBreakpointSwitch(parseCriuVersion('Version: 4.2.1'), 'does-not-fire'), false);
  assert.equal(needsNoBreakpointSwitch(parseCriuVersion('Version: 4.1.1'), 'works'), false);
  assert.equal(needsNoBreakpointSwitch(parseCriuVersion('Version: 4.1.1'), 'unknown'), false);
  assert.equal(needsNoBreakpointSwitch(null, 'does-not-fire'), false);
});

void test('the wrapper sets CRIU_FAULT=130 only when asked, and keeps a value the caller set', () => {
  const l = criuPrefixLayout('/opt/ferry/criu', { triplet: 'x86_64-linux-gnu', loader: 'ld-linux-x86-64.so.2' });
  assert.doesNotMatch(criuWrapperScript(l), /CRIU_FAULT/);
  assert.match(criuWrapperScript(l, { noBreakpoints: true }), /^CRIU_FAULT=\$\{CRIU_FAULT:-130\}; export CRIU_FAULT$/m);
});

void test('parseSocketsAnswer and judgeRestore', () => {
  const before = parseSocketsAnswer('ok pid=41 count=7 mem=00aa11bb22cc33dd tcp=40001 udp=40002 unix=ok udp_echo=ok\n');
  assert.deepEqual(before, { ok: true, pid: 41, count: 7, mem: '00aa11bb22cc33dd', tcpPort: 40001, udpPort: 40002, unix: 'ok', udpEcho: 'ok' });
  assert.equal(parseSocketsAnswer('bad request'), null);
  if (!before) assert.fail('no answer parsed');
  const b = before;
  assert.equal(judgeRestore(b, { ...b, count: 9 }), null);
  assert.equal(judgeRestore(b, null), 'the restored process did not answer over TCP');
  assert.equal(judgeRestore(b, { ...b, unix: 'lost', udpEcho: 'lost', mem: 'ff' }), 'anonymous memory changed; the unix socket pair lost its queued message; the UDP socket no longer receives');
  assert.match(judgeRestore(b, { ...b, count: 3, pid: 50 }) ?? '', /pid 41 became 50; the counter went back from 7 to 3/);
});

void test('parsePrefixMarker: JSON markers, and the text marker of older doctors means trixie', () => {
  assert.deepEqual(parsePrefixMarker('{"suite":"sid","version":"4.2.1","noBreakpoints":false,"installedAt":"t"}'), { suite: 'sid', version: '4.2.1', noBreakpoints: false, installedAt: 't' });
  assert.deepEqual(parsePrefixMarker('CRIU from Debian 13, unpacked by ferry doctor --fix on 2026-11-20T10:00:00.000Z\n'), { suite: 'trixie', version: 'unknown', noBreakpoints: false, installedAt: '2026-11-20T10:00:00.000Z' });
  assert.equal(parsePrefixMarker('{"suite":"bookworm","version":"3.17"}'), null);
  assert.equal(parsePrefixMarker('hello'), null);
});
