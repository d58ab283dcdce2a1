import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRecipe } from './recipe.ts';
import { ZERO_PAGE } from './page-delta.ts';
import { isCode } from '../../../test/support/errors.ts';

test('a recipe names CRIU page files and page addresses only', () => {
  assert.deepEqual(parseRecipe(JSON.stringify({ files: [{ name: 'pages-1.img', pages: [ZERO_PAGE] }] })).files[0]?.pages, [ZERO_PAGE]);
  for (const bad of [
    '{',
    JSON.stringify({ files: [{ name: '../etc/passwd', pages: [] }] }),
    JSON.stringify({ files: [{ name: 'pages-1.img', pages: ['short'] }] }),
    JSON.stringify({ files: [{ name: 'pages-1.img', pages: [] }, { name: 'pages-1.img', pages: [] }] }),
    JSON.stringify({ files: [], extra: 1 }),
  ]) assert.throws(() => parseRecipe(bad), isCode('FERRY_ERR_PROTOCOL'), bad);
});
