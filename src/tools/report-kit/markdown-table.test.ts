import { test } from 'node:test';
import assert from 'node:assert/strict';
import { markdownText } from './markdown-table.ts';

test('text escaping keeps a table a table', () => {
  assert.equal(markdownText('a | b\n  <c>'), 'a \\| b &lt;c>');
  assert.equal(markdownText('C:\\x'), 'C:\\\\x');
});
