/** @module adapters/host/criu-output.test — what CRIU's own output says: version, `criu check`, features, the breakpoint warning. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkSaysNoBreakpoints, criuVersionOk, parseCriuCheck, parseCriuFeature, parseCriuVersion } from './criu-output.ts';

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

void test('parseCriuFeature ignores CRIU 4.2\'s breakpoint warning', () => {
  const f = parseCriuFeature('uffd-noncoop', 0, 'uffd-noncoop is supported\n', 'Warn  (criu/cr-check.c:1607): Hardware breakpoints don\'t seem to work (status=137f)\n');
  assert.deepEqual(f, { name: 'uffd-noncoop', supported: true, detail: 'uffd-noncoop is supported' });
});

void test('checkSaysNoBreakpoints spots CRIU 4.2\'s warning', () => {
  assert.equal(checkSaysNoBreakpoints('Warn  (criu/cr-check.c:1607): Hardware breakpoints don\'t seem to work\nLooks good.\n'), true);
  assert.equal(checkSaysNoBreakpoints('Looks good.\n'), false);
});
