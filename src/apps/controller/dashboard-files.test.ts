/** @module apps/controller/dashboard-files.test — URL paths to dashboard files: safe mapping and content types. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { assetPath, contentTypeOf, dashboardFile } from './dashboard-files.ts';

test('/ is index.html; assets keep their path', () => {
  assert.equal(assetPath('/'), 'index.html');
  assert.equal(assetPath('/assets/index-abc.js'), 'assets/index-abc.js');
});

test('traversal, dot files, encoded slashes and unknown types are refused', () => {
  for (const p of ['/../etc/passwd', '/assets/../../x.js', '/%2e%2e/x.js', '/.env', '/a//b.js', '/a%5cb.js', '/x.sh', '/%E0%A4%A', '/a%00.js']) {
    assert.equal(assetPath(p), undefined, p);
  }
});

test('content types', () => {
  assert.equal(contentTypeOf('a.html'), 'text/html; charset=utf-8');
  assert.equal(contentTypeOf('a.JS'), 'text/javascript; charset=utf-8');
  assert.equal(contentTypeOf('a.txt'), undefined);
});

test('reads files inside the directory only', async () => {
  const root = mkdtempSync(path.join(tmpdir(), 'ferry-dash-'));
  const dir = path.join(root, 'dist');
  mkdirSync(path.join(dir, 'assets'), { recursive: true });
  writeFileSync(path.join(dir, 'index.html'), '<p>hi</p>');
  writeFileSync(path.join(dir, 'assets', 'a.css'), 'p{}');
  writeFileSync(path.join(root, 'secret.js'), 'x');
  assert.equal((await dashboardFile('/', dir))?.body.toString(), '<p>hi</p>');
  assert.equal((await dashboardFile('/assets/a.css', dir))?.contentType, 'text/css; charset=utf-8');
  assert.equal(await dashboardFile('/../secret.js', dir), undefined);
  assert.equal(await dashboardFile('/missing.js', dir), undefined);
});
