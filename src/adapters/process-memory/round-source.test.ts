import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PAGE, ZERO_PAGE, pageAddress } from '../../domain/pages/page-delta.ts';
import { PageTracker } from '../../domain/pages/page-tracker.ts';
import { dumpPages } from './round-source.ts';
import type { DumpRecipe } from '../../domain/pages/recipe.ts';

void test('the final round: every page of the dump in the recipe in file order, each distinct non-zero page sent once', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'ferry-dump-pages-'));
  try {
    const page = (b: number) => Buffer.alloc(PAGE, b);
    // More pages than one block, so the recipe spans blocks.
    const big = Buffer.concat(Array.from({ length: 1100 }, (_, i) => page(i % 7)));
    await writeFile(path.join(dir, 'pages-1.img'), big);
    await writeFile(path.join(dir, 'pages-2.img'), Buffer.alloc(0));
    await writeFile(path.join(dir, 'pagemap-1.img'), 'not a page file');
    const recipe: DumpRecipe = { files: [] };
    const sent: Buffer[] = [];
    for await (const b of dumpPages(dir, new PageTracker({ window: 3, threshold: 2 }), recipe, 64 * PAGE)) sent.push(b);
    assert.deepEqual(recipe.files.map((f) => [f.name, f.pages.length]), [['pages-1.img', 1100], ['pages-2.img', 0]]);
    assert.equal(recipe.files[0]?.pages[0], ZERO_PAGE);
    assert.equal(recipe.files[0]?.pages[1], pageAddress(page(1)));
    // Six distinct non-zero pages; each is sent once (the destination holds it after that).
    assert.equal(Buffer.concat(sent).length, 6 * PAGE);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
