import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { rsvgConvert } from './svg-to-png.ts';

function tempDir(): string {
  return mkdtempSync(path.join(os.tmpdir(), 'ferry-report-kit-'));
}

test('rsvg-convert failing (or missing) means no PNG, not an error', async () => {
  const dir = tempDir();
  try {
    assert.equal(await rsvgConvert(path.join(dir, 'absent.svg'), path.join(dir, 'absent.png')), false);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
