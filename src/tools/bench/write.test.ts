import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { writeResults } from './write.ts';
import { FIXTURE } from './fixture.test-data.ts';

function tempDir(): string {
  return mkdtempSync(path.join(os.tmpdir(), 'ferry-bench-write-'));
}

test('writes the JSON, the report and both charts, and a PNG of each chart the converter makes', async () => {
  const dir = path.join(tempDir(), 'results');
  try {
    const asked: string[] = [];
    const written = await writeResults(dir, FIXTURE, 'migrate', (svg, png) => {
      asked.push(path.basename(svg));
      writeFileSync(png, 'png');
      return Promise.resolve(svg.endsWith('bars.svg'));
    });
    assert.deepEqual(written.map((f) => path.relative(dir, f)), ['migrate-latest.json', 'migrate-latest.md', 'migrate-bars.svg', 'migrate-rounds.svg', 'migrate-bars.png']);
    assert.deepEqual(asked, ['migrate-bars.svg', 'migrate-rounds.svg']);
    assert.deepEqual(JSON.parse(readFileSync(path.join(dir, 'migrate-latest.json'), 'utf8')), FIXTURE);
    assert.match(readFileSync(path.join(dir, 'migrate-latest.json'), 'utf8'), /^\{\n {2}"kind": "ferry-bench-migrate",/);
    assert.match(readFileSync(path.join(dir, 'migrate-latest.md'), 'utf8'), /^# ferry bench migrate\n/);
    assert.match(readFileSync(path.join(dir, 'migrate-rounds.svg'), 'utf8'), /^<\?xml/);
  } finally {
    rmSync(path.dirname(dir), { recursive: true, force: true });
  }
});

test('without a converter only the four text files are written', async () => {
  const dir = tempDir();
  try {
    const written = await writeResults(dir, FIXTURE, 'quick', () => Promise.resolve(false));
    assert.deepEqual(written.map((f) => path.basename(f)), ['quick-latest.json', 'quick-latest.md', 'quick-bars.svg', 'quick-rounds.svg']);
    assert.deepEqual(readdirSync(dir).sort(), ['quick-bars.svg', 'quick-latest.json', 'quick-latest.md', 'quick-rounds.svg']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
