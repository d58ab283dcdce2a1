/** @module tools/workloads/clients/json-log.test — the clients' JSON-lines logs: batched writes, a cut line skipped, the summary found. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { JsonLog, readJsonLines, summaryLine } from './json-log.ts';

void test('JsonLog appends one object per line with ev and at; nothing reaches the file before a flush', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'json-log-'));
  try {
    const file = path.join(dir, 'x.log');
    const log = new JsonLog(file, 60_000);
    log.write('start', { host: 'h' });
    log.write('ack', { n: 1, at: 5 });
    assert.equal(await readFile(file, 'utf8'), '');
    log.close();
    const lines = readJsonLines(await readFile(file, 'utf8'));
    assert.equal(lines.length, 2);
    assert.equal(lines[0]?.ev, 'start');
    assert.equal(lines[0]?.['host'], 'h');
    assert.ok(Math.abs((lines[0]?.at ?? 0) - Date.now()) < 60_000);
    assert.deepEqual(lines[1], { ev: 'ack', at: 5, n: 1 });
    new JsonLog(file).close();
    assert.equal(readJsonLines(await readFile(file, 'utf8')).length, 2, 'a second log appends');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

void test('readJsonLines skips blank, cut and foreign lines; summaryLine takes the last summary', () => {
  const text = '{"ev":"a","at":1}\n\nnot json\n[1,2]\n{"x":1}\n{"ev":"summary","at":2,"k":1}\n{"ev":"summary","at":3,"k":2}\n{"ev":"ack","at":4,"n';
  const lines = readJsonLines(text);
  assert.deepEqual(lines.map((l) => l.ev), ['a', 'summary', 'summary']);
  assert.equal(summaryLine(lines, 'x')['k'], 2);
  assert.throws(() => summaryLine([], 'dns-asker'), /the dns-asker log has no summary line/);
});
