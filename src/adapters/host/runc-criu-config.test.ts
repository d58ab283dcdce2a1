/** @module adapters/host/runc-criu-config.test — the machine's runc CRIU config: written only around a call, exclusive, stale ones removed, an operator's never touched. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { clearStale, configText, parseOwner, processStart, self, withRuncCriuConfig } from './runc-criu-config.ts';
import { FerryError } from '../../core/errors.ts';

async function tempFile(): Promise<{ file: string; done: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'ferry-runc-conf-'));
  return { file: path.join(dir, 'criu', 'runc.conf'), done: () => rm(dir, { recursive: true, force: true }) };
}

void test('the text names its owner and carries one option a line; an option with a newline is refused', () => {
  const text = configText({ pid: 42, start: 7 }, ['images-dir /x/y', 'lazy-pages']);
  assert.deepEqual(parseOwner(text), { pid: 42, start: 7 });
  assert.match(text, /\nimages-dir \/x\/y\nlazy-pages\n$/);
  assert.equal(parseOwner('images-dir /x\n'), null);
  assert.throws(() => configText({ pid: 1, start: 1 }, ['a\nb']), FerryError);
});

void test('processStart tells this process from a pid that does not exist', () => {
  assert.equal(typeof processStart(process.pid), 'number');
  assert.equal(processStart(2 ** 22 + 1), null);
  assert.equal(self().start, processStart(process.pid));
});

void test('the file exists only during the call, with the options, and is removed when the call fails', async () => {
  const t = await tempFile();
  try {
    const seen = await withRuncCriuConfig({ file: t.file, waitMs: 1000 }, ['images-dir /a'], () => readFile(t.file, 'utf8'));
    assert.match(seen, /^images-dir \/a$/m);
    assert.equal(existsSync(t.file), false);
    await assert.rejects(withRuncCriuConfig({ file: t.file, waitMs: 1000 }, [], () => Promise.reject(new Error('boom'))), /boom/);
    assert.equal(existsSync(t.file), false);
  } finally {
    await t.done();
  }
});

void test('two calls never hold it at once: the second waits for the first', async () => {
  const t = await tempFile();
  try {
    const order: string[] = [];
    const first = withRuncCriuConfig({ file: t.file, waitMs: 5000 }, ['images-dir /first'], async () => {
      order.push('first in');
      await sleep(150);
      order.push('first out');
    });
    await sleep(20);
    const second = withRuncCriuConfig({ file: t.file, waitMs: 5000 }, ['images-dir /second'], async () => {
      order.push('second in');
      assert.match(await readFile(t.file, 'utf8'), /images-dir \/second/);
    });
    await Promise.all([first, second]);
    assert.deepEqual(order, ['first in', 'first out', 'second in']);
  } finally {
    await t.done();
  }
});

void test('a holder that stays past the wait is a named error', async () => {
  const t = await tempFile();
  try {
    let release = (): void => {};
    const held = withRuncCriuConfig({ file: t.file, waitMs: 5000 }, [], () => new Promise<void>((r) => { release = r; }));
    await sleep(20);
    await assert.rejects(withRuncCriuConfig({ file: t.file, waitMs: 100 }, [], async () => {}), (e: FerryError) => e.code === 'FERRY_ERR_CRIU_CONFIG' && /held by ferry process/.test(e.message));
    release();
    await held;
  } finally {
    await t.done();
  }
});

void test('an operator\'s own file is never overwritten nor removed', async () => {
  const t = await tempFile();
  try {
    await withRuncCriuConfig({ file: t.file, waitMs: 100 }, [], async () => {});
    await writeFile(t.file, 'tcp-established\n');
    await assert.rejects(withRuncCriuConfig({ file: t.file, waitMs: 100 }, [], async () => {}), (e: FerryError) => e.code === 'FERRY_ERR_CRIU_CONFIG' && /not written by ferry/.test(e.message));
    assert.equal(await clearStale(t.file), false);
    assert.equal(await readFile(t.file, 'utf8'), 'tcp-established\n');
  } finally {
    await t.done();
  }
});

void test('crash: the owner is killed while the file is in place; the next call, or an agent start, removes it', async () => {
  const t = await tempFile();
  try {
    const holder = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', '--input-type=module', '-e', `
      import { withRuncCriuConfig } from ${JSON.stringify(path.join(import.meta.dirname, 'runc-criu-config.ts'))};
      await withRuncCriuConfig({ file: ${JSON.stringify(t.file)}, waitMs: 1000 }, ['images-dir /dead'], async () => { console.log('held'); await new Promise(() => setInterval(() => {}, 1000)); });
    `], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve) => holder.stdout.on('data', () => resolve()));
    assert.match(await readFile(t.file, 'utf8'), /images-dir \/dead/);
    assert.equal(await clearStale(t.file), false, 'a live owner keeps it');
    holder.kill('SIGKILL');
    await new Promise((r) => holder.on('close', r));
    assert.equal(existsSync(t.file), true, 'a killed owner leaves it behind');
    assert.equal(await clearStale(t.file), true, 'an agent start removes it');
    assert.equal(existsSync(t.file), false);
    // The next call also steps over a stale one.
    await writeFile(t.file, configText({ pid: 2 ** 22 + 1, start: 1 }, ['images-dir /stale']));
    const seen = await withRuncCriuConfig({ file: t.file, waitMs: 1000 }, ['images-dir /mine'], () => readFile(t.file, 'utf8'));
    assert.match(seen, /images-dir \/mine/);
  } finally {
    await t.done();
  }
});
