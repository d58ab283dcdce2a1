/**
 * @module test/integration/lazy-pages.test — CRIU's lazy-pages daemon as ferry drives it
 * (adapters/host/lazy-pages.ts), on a plain process without Docker: a server holding sockets and
 * 64 MiB of memory is dumped, restored with --lazy-pages against the daemon, answers at once
 * with its memory intact, and the daemon exits 0 once every page is in. A daemon that dies
 * is an error naming its log. Needs root and a CRIU with userfaultfd (uffd-noncoop).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseConfig } from '../../src/core/config.ts';
import { FerryError } from '../../src/core/errors.ts';
import { askSockets, helperBinary, judgeRestore } from '../../src/tools/doctor/index.ts';
import { criuFacts } from '../../src/adapters/host/criu.ts';
import { run } from '../../src/adapters/host/run.ts';
import { startLazyPages, type LazyPages } from '../../src/adapters/host/lazy-pages.ts';

const config = parseConfig({});
const CRIU = path.join(config.prerequisites.criuPrefix, 'bin', 'criu');

/** Starts the sockets helper detached and returns its pid and TCP port. */
async function startServer(dir: string, mib: number): Promise<{ pid: number; port: number }> {
  const bin = await helperBinary('sockets', path.join(config.prerequisites.probeDir, 'bin'));
  const state = path.join(dir, 'state');
  const child = spawn(bin, ['serve'], { detached: true, stdio: 'ignore', env: { BIND: '127.0.0.1', PORT: '0', UDP_PORT: '0', MEM_MIB: String(mib), STATE_FILE: state } });
  child.unref();
  for (let i = 0; i < 200; i++) {
    const [pid, port] = (await readFile(state, 'utf8').catch(() => '')).trim().split(' ').map(Number);
    if (pid && port) return { pid, port };
    await sleep(25);
  }
  throw new Error('the sockets helper did not start');
}

async function gone(pid: number): Promise<void> {
  for (let i = 0; i < 200; i++) {
    try { process.kill(pid, 0); } catch { return; }
    await sleep(25);
  }
}

void test('a lazily restored process answers at once with its memory intact; the daemon exits 0 when every page is in (skipped where CRIU has no userfaultfd)', { timeout: 120_000 }, async (t) => {
  if (!(await criuFacts({ PATH: `${path.dirname(CRIU)}:${process.env['PATH'] ?? ''}` })).uffdNoncoop) { t.skip('this kernel has no userfaultfd for CRIU (uffd-noncoop)'); return; }
  const dir = await mkdtemp(path.join(tmpdir(), 'ferry-it-lazy-'));
  const images = path.join(dir, 'images');
  await mkdir(images);
  const server = await startServer(dir, 64);
  try {
    const before = await askSockets(server.port);
    assert.ok(before?.ok, 'the server answers before the dump');
    const dump = await run(CRIU, ['dump', '-t', String(server.pid), '-D', images, '-o', 'dump.log'], { timeoutMs: 60_000 });
    assert.equal(dump.code, 0, dump.stderr);
    await gone(server.pid);
    const lazy = await startLazyPages({ criu: CRIU, imagesDir: images, workDir: path.join(dir, 'work'), logFile: path.join(dir, 'lazy.log') });
    const t0 = Date.now();
    const restore = await run(CRIU, ['restore', '-d', '-D', images, '-W', lazy.workDir, '--lazy-pages', '-o', path.join(dir, 'restore.log')], { timeoutMs: 60_000 });
    assert.equal(restore.code, 0, await readFile(path.join(dir, 'restore.log'), 'utf8').catch(() => restore.stderr));
    const resumedMs = Date.now() - t0;
    const after = await askSockets(server.port);
    assert.equal(judgeRestore(before, after), null);
    await lazy.done;
    console.log(`# restore ${resumedMs} ms; every page in ${Date.now() - t0} ms after the restore began`);
  } finally {
    try { process.kill(server.pid, 'SIGKILL'); } catch { /* gone */ }
    await rm(dir, { recursive: true, force: true });
  }
});

void test('a daemon that cannot serve is an error naming its log', { timeout: 60_000 }, async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'ferry-it-lazy-'));
  try {
    let lazy: LazyPages;
    try {
      lazy = await startLazyPages({ criu: CRIU, imagesDir: path.join(dir, 'no-images'), workDir: path.join(dir, 'work'), logFile: path.join(dir, 'lazy.log') });
    } catch (e) {
      assert.ok(e instanceof FerryError && e.code === 'FERRY_ERR_RESTORE' && /lazy-pages daemon/.test(e.message), String(e));
      return;
    }
    // It listened; stopping it before any restore connects ends it with an error.
    lazy.stop();
    await assert.rejects(lazy.done, (e: FerryError) => e.code === 'FERRY_ERR_RESTORE' && /log /.test(e.message));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
