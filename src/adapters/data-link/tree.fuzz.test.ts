/**
 * Fuzzing the tree entries of the data link (issue 18) with fast-check, fixed seed: the path guard
 * refuses `..`, absolute paths, NUL bytes, broken Unicode and overlong names with
 * FERRY_ERR_UNSAFE_PATH and returns only normalised paths that stay inside their base; a tree sink
 * fed random entry sequences (symlinks to outside, files below symlinks, replaced directories)
 * writes nothing outside its target and fails only with FerryErrors.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { lstatSync, mkdirSync, readdirSync, realpathSync, rmSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { MAX_PATH_BYTES, MAX_SEGMENT_BYTES, safeRelativePath } from './path-guard.ts';
import { TreeSink } from './tree-sink.ts';
import { tempDir } from './test-support.ts';
import { expectRefusal, fuzzOptions, fuzzRuns } from '../../../test/support/fuzz.ts';
import { stepArb, type EntryStep as Step } from '../../../test/support/data-link-arbitraries.ts';

/** Segments that make paths hostile, mixed with harmless ones. */
const SEGMENTS = ['', '.', '..', '...', '..\0', 'a', 'b', 'etc', 'passwd', 'x\0y', '\0', '\ud800', '\udfff', 'é', '日本', ' ', '\\..', '%2e%2e', '..%2f', 'x'.repeat(255), 'y'.repeat(256), 'é'.repeat(128)];

const hostilePath = fc.oneof(
  fc.tuple(fc.boolean(), fc.array(fc.constantFrom(...SEGMENTS), { minLength: 1, maxLength: 8 })).map(([abs, segs]) => `${abs ? '/' : ''}${segs.join('/')}`),
  fc.string({ unit: 'binary', maxLength: 64 }),
  fc.string({ unit: 'binary-ascii', maxLength: 64 }),
  fc.array(fc.constantFrom('x'.repeat(255), 'a', '..', '.'), { minLength: 15, maxLength: 18 }).map((segs) => segs.join('/')),
);

void test('fuzz: the path guard returns only normalised paths inside the base, and refuses every trick with FERRY_ERR_UNSAFE_PATH', () => {
  fc.assert(
    fc.property(hostilePath, (p) => {
      let rel: string;
      try {
        rel = safeRelativePath(p);
      } catch (err) {
        expectRefusal(err, ['FERRY_ERR_UNSAFE_PATH'], `safeRelativePath(${JSON.stringify(p)})`);
        return;
      }
      assert.ok(!p.includes('\0') && !p.startsWith('/') && !p.split('/').includes('..'), `accepted ${JSON.stringify(p)}`);
      assert.ok(rel.isWellFormed() && Buffer.byteLength(rel) <= MAX_PATH_BYTES);
      for (const segment of rel.split('/')) {
        assert.ok(segment !== '' && segment !== '.' && segment !== '..' && Buffer.byteLength(segment) <= MAX_SEGMENT_BYTES, `segment ${JSON.stringify(segment)}`);
      }
      assert.equal(path.posix.normalize(rel), rel);
      assert.ok(path.posix.resolve('/base', rel).startsWith('/base/'));
      assert.equal(safeRelativePath(rel), rel, 'normalising twice changes nothing');
    }),
    fuzzOptions(fuzzRuns()),
  );
});

const base = tempDir('tree-fuzz');
after(() => rmSync(base, { recursive: true, force: true }));

/** Every path under `dir`, without following symlinks. */
function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return lstatSync(full).isDirectory() ? [full, ...walk(full)] : [full];
  });
}

/** Feeds the steps as the receiver would: stop at the first refusal and abort the open file. */
async function receive(sink: TreeSink, steps: readonly Step[]): Promise<void> {
  let frame = 1;
  for (const { meta, data, goodSum } of steps) {
    await sink.entry(meta, frame++);
    if (meta.kind !== 'file' || !data) continue;
    await sink.data(data, frame++);
    sink.entryEnd(goodSum ? createHash('sha256').update(data).digest('hex') : '0'.repeat(64), frame++);
  }
}

let run = 0;
void test('fuzz: a tree sink fed random entries (symlinks out, files below them, replaced dirs) writes nothing outside its target', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(stepArb, { minLength: 1, maxLength: 10 }), async (steps) => {
      const root = path.join(base, String(run++));
      const outside = path.join(root, 'outside');
      const target = path.join(root, 'target');
      mkdirSync(outside, { recursive: true });
      const sink = new TreeSink(target, { maxFileBytes: 1024 });
      await sink.open();
      const real = realpathSync(target);
      try {
        await receive(sink, steps.map((s) => (s.meta.target === 'OUTSIDE' ? { ...s, meta: { ...s.meta, target: outside } } : s)));
      } catch (err) {
        sink.abort();
        expectRefusal(err, ['FERRY_ERR_UNSAFE_PATH', 'FERRY_ERR_PROTOCOL', 'FERRY_ERR_TOO_LARGE', 'FERRY_ERR_INTEGRITY'], 'the tree sink');
      }
      assert.deepEqual(readdirSync(outside), [], 'something was written outside the target');
      assert.deepEqual(readdirSync(root).sort(), ['outside', 'target']);
      for (const file of walk(target)) {
        const st = lstatSync(file);
        if (!st.isSymbolicLink()) assert.ok(realpathSync(file).startsWith(`${real}/`), `${file} resolves outside the target`);
      }
      rmSync(root, { recursive: true, force: true });
    }),
    fuzzOptions(fuzzRuns(0.1)),
  );
});
