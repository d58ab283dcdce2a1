/** @module doctor/criu-parse.test — parsers of CRIU output, the prefix layout, the wrapper and the private apt tree. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  aptSourcesLine, aptTree, aptTreeOptions, archLayout, criuPrefixLayout, criuVersionOk, criuWrapperScript,
  parseCriuCheck, parseCriuFeature, parseCriuVersion, shellQuote,
} from './criu-parse.ts';

void test('parseCriuVersion reads the Version line', () => {
  assert.deepEqual(parseCriuVersion('Version: 4.1.1\n'), { major: 4, minor: 1, patch: 1, text: '4.1.1' });
  assert.deepEqual(parseCriuVersion('Version: 3.17\nGitID: v3.17\n'), { major: 3, minor: 17, patch: 0, text: '3.17.0' });
  assert.equal(parseCriuVersion('criu: command not found'), null);
});

void test('criuVersionOk wants major >= 4', () => {
  assert.equal(criuVersionOk(parseCriuVersion('Version: 3.17.1')), false);
  assert.equal(criuVersionOk(parseCriuVersion('Version: 4.0')), true);
  assert.equal(criuVersionOk(null), false);
});

void test('parseCriuCheck passes only on exit 0 with "Looks good."', () => {
  assert.deepEqual(parseCriuCheck(0, 'Looks good.\n', ''), { ok: true, detail: 'Looks good.' });
  const failing = 'Error (criu/vdso.c:613): vdso: Failed to fill self vdso symtable\nError (criu/kerndat.c:1615): kerndat_vdso_fill_symtable failed\n';
  assert.deepEqual(parseCriuCheck(1, '', failing), { ok: false, detail: 'Error (criu/vdso.c:613): vdso: Failed to fill self vdso symtable' });
  assert.equal(parseCriuCheck(0, 'Warn: something\n', '').ok, false);
  assert.equal(parseCriuCheck(1, '', '').detail, 'criu check exited with 1');
});

void test('parseCriuFeature: supported, and off with the warning text', () => {
  assert.deepEqual(parseCriuFeature('uffd-noncoop', 0, 'uffd-noncoop is supported\n', ''), { name: 'uffd-noncoop', supported: true, detail: 'uffd-noncoop is supported' });
  const off = parseCriuFeature('mem_dirty_track', 1, '', 'Warn  (criu/cr-check.c:824): Dirty tracking is OFF. Memory snapshot will not work.\n');
  assert.equal(off.supported, false);
  assert.equal(off.detail, 'Dirty tracking is OFF. Memory snapshot will not work.');
  assert.equal(parseCriuFeature('x', 1, '', '').detail, 'x is not supported');
});

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
  assert.match(aptSourcesLine(), /signed-by=\/usr\/share\/keyrings\/debian-archive-keyring\.gpg\] http:\/\/deb\.debian\.org\/debian trixie main/);
});
