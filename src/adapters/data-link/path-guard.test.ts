import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FerryError } from '../../core/errors.ts';
import { safeRelativePath, parentsOf, isWithin, showPath, MAX_PATH_BYTES } from './path-guard.ts';

function refused(p: string, why: RegExp): void {
  assert.throws(
    () => safeRelativePath(p),
    (err: unknown) => {
      assert.ok(err instanceof FerryError);
      assert.equal(err.code, 'FERRY_ERR_UNSAFE_PATH');
      assert.ok(err.message.startsWith(`unsafe path ${showPath(p)}: `), err.message);
      assert.match(err.message, why);
      return true;
    },
    `expected ${showPath(p)} to be refused`,
  );
}

void test('plain relative paths pass unchanged', () => {
  for (const p of ['a', 'a/b/c', 'etc/passwd', '.hidden', '..x', 'x..', '...', 'a/..b/c', 'with space/ü/日本', 'back\\slash', '-rf', '~root']) {
    assert.equal(safeRelativePath(p), p);
  }
});

void test('redundant slashes and dot segments are normalised away', () => {
  assert.equal(safeRelativePath('./a//b'), 'a/b');
  assert.equal(safeRelativePath('a/./b/.'), 'a/b');
  assert.equal(safeRelativePath('a/b/'), 'a/b');
  assert.equal(safeRelativePath('.//././x'), 'x');
});

void test('absolute paths are refused', () => {
  refused('/etc/passwd', /absolute path/);
  refused('/', /absolute path/);
  refused('//x', /absolute path/);
});

void test('".." segments are refused wherever they are', () => {
  for (const p of ['..', '../x', 'a/../../x', 'a/..', 'a/b/../c', './..', 'a//..//b']) refused(p, /"\.\." segment/);
});

void test('empty paths, and paths that normalise to nothing, are refused', () => {
  refused('', /empty path/);
  refused('.', /names no entry/);
  refused('./', /names no entry/);
  refused('././/', /names no entry/);
});

void test('NUL bytes and broken Unicode are refused', () => {
  refused('a\0b', /NUL byte/);
  refused('\0', /NUL byte/);
  refused('a/\ud800/b', /not valid Unicode/);
});

void test('segment and total length limits count UTF-8 bytes', () => {
  assert.equal(safeRelativePath('x'.repeat(255)), 'x'.repeat(255));
  refused('x'.repeat(256), /segment of 256 bytes, the limit is 255/);
  refused(`a/${'é'.repeat(128)}`, /segment of 256 bytes/);
  const atLimit = Array.from({ length: 16 }, () => 'y'.repeat(255)).join('/');
  assert.equal(Buffer.byteLength(atLimit), 4095);
  assert.equal(safeRelativePath(atLimit), atLimit);
  refused(`${atLimit}/z`, new RegExp(`4097 bytes long, the limit is ${MAX_PATH_BYTES}`));
});

void test('non-strings are refused even from untyped callers', () => {
  assert.throws(() => safeRelativePath(42 as unknown as string), /not a string/);
});

void test('messages quote hostile paths safely and briefly', () => {
  assert.equal(showPath('a\nb'), '"a\\nb"');
  assert.ok(showPath('z'.repeat(5000)).length < 210);
});

void test('parentsOf lists the parents outermost first', () => {
  assert.deepEqual(parentsOf('a/b/c'), ['a', 'a/b']);
  assert.deepEqual(parentsOf('a'), []);
});

void test('isWithin respects segment boundaries', () => {
  assert.equal(isWithin('a/b', 'a'), true);
  assert.equal(isWithin('a', 'a'), true);
  assert.equal(isWithin('ab', 'a'), false);
  assert.equal(isWithin('a', 'a/b'), false);
});
