import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { FerryError } from '../../core/errors.ts';
import { imageChanges, recipeKey, splitImageRef, type RootfsRecipe } from './rootfs.ts';

test('an image reference splits at the tag, not at a registry port', () => {
  assert.deepEqual(splitImageRef('ferry/stream:1'), { repo: 'ferry/stream', tag: '1' });
  assert.deepEqual(splitImageRef('localhost:5000/ferry/loop'), { repo: 'localhost:5000/ferry/loop', tag: 'latest' });
  assert.deepEqual(splitImageRef('localhost:5000/ferry/loop:2'), { repo: 'localhost:5000/ferry/loop', tag: '2' });
});

test('import changes: the command as JSON, one ENV per entry, then the working directory', () => {
  assert.deepEqual(imageChanges({ cmd: ['/bin/stream'] }), ['CMD ["/bin/stream"]']);
  assert.deepEqual(imageChanges({ cmd: ['/x'], env: ['JOBS=2'], workdir: '/src' }), ['CMD ["/x"]', 'ENV JOBS=2', 'WORKDIR /src']);
});

test('the cache key follows the content of the input files and the facts, not their timestamps', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'ferry-recipe-'));
  try {
    const file = path.join(dir, 'prog.c');
    await writeFile(file, 'int main(void) { return 0; }\n');
    const recipe: RootfsRecipe = { name: 'prog', image: 'ferry/prog:1', changes: [], inputFiles: [file], facts: ['a'], populate: async () => {} };
    const key = await recipeKey(recipe);
    assert.match(key, /^[0-9a-f]{16}$/);
    await writeFile(file, 'int main(void) { return 0; }\n');
    assert.equal(await recipeKey(recipe), key);
    assert.notEqual(await recipeKey({ ...recipe, facts: ['b'] }), key);
    await writeFile(file, 'int main(void) { return 1; }\n');
    assert.notEqual(await recipeKey(recipe), key);
    await assert.rejects(recipeKey({ ...recipe, inputFiles: [path.join(dir, 'missing.c')] }),
      (err: unknown) => err instanceof FerryError && err.code === 'FERRY_ERR_PREREQUISITE' && /cannot read .*missing\.c/.test(err.message));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
