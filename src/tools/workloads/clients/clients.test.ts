/**
 * @module tools/workloads/clients/clients.test — the three client programs run whole against the
 * fakes of fake-servers.test-support.ts on loopback: a reset connection is counted and
 * reconnected, acknowledged writes are read back (a deleted one is reported lost), keep-alive
 * connections carry a steady load, dropped DNS queries are retried. Each stops on its
 * duration or on SIGTERM and leaves a summary its parser reads.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseDnsLog } from './dns-log.ts';
import { fakeDns, fakeHttp, fakeRedis } from './fake-servers.test-support.ts';
import { parseHttpLog } from './http-log.ts';
import { ackedWrites, parseRedisLog } from './redis-log.ts';

const TIMEOUT = { timeout: 30_000 };

/** Runs a client to its end (or SIGTERM after `termAfterMs`); its exit code, stdout and stderr. */
function runClient(script: string, args: string[], termAfterMs?: number): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', path.join(import.meta.dirname, script), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (b: Buffer) => { stdout += b.toString(); });
  child.stderr.on('data', (b: Buffer) => { stderr += b.toString(); });
  if (termAfterMs !== undefined) setTimeout(() => child.kill('SIGTERM'), termAfterMs);
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, stdout, stderr })));
}

async function withDir(f: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(path.join(tmpdir(), 'ferry-clients-'));
  try { await f(dir); } finally { await rm(dir, { recursive: true, force: true }); }
}

void test('redis-writer: one reset is logged and counted, the client reconnects; --verify-from finds every ack, then a deleted one', TIMEOUT, () => withDir(async (dir) => {
  const store = new Map<string, string>();
  const redis = await fakeRedis(store, 40);
  try {
    const log = path.join(dir, 'redis.log');
    const run = await runClient('redis-writer.ts', ['--host', '127.0.0.1', '--port', String(redis.port), '--log', log, '--duration-ms', '800', '--prefix', 't-']);
    assert.equal(run.code, 0);
    const text = await readFile(log, 'utf8');
    const s = parseRedisLog(text);
    assert.equal(s.resets, 1);
    assert.deepEqual(s.resetCodes, { ECONNRESET: 1 });
    assert.equal(s.connects, 2);
    assert.equal(s.mismatches, 0);
    assert.ok(s.acked > 40, `acked ${s.acked}`);
    assert.ok(s.durationMs >= 800 && s.durationMs < 5000);
    const { prefix, acked } = ackedWrites(text);
    assert.equal(prefix, 't-');
    assert.equal(acked.length, s.acked);

    const ok = await runClient('redis-writer.ts', ['--verify-from', log, '--host', '127.0.0.1', '--port', String(redis.port)]);
    assert.equal(ok.code, 0);
    const report = JSON.parse(ok.stdout) as Record<string, unknown>;
    assert.deepEqual([report['ev'], report['checked'], report['missing'], report['mismatched']], ['verify', acked.length, 0, 0]);
    store.delete(`t-${acked[3]}`);
    const lost = await runClient('redis-writer.ts', ['--verify-from', log, '--host', '127.0.0.1', '--port', String(redis.port), '--log', path.join(dir, 'verify.log')]);
    assert.equal(lost.code, 1);
    assert.deepEqual((JSON.parse(lost.stdout) as { missingN: number[] }).missingN, [acked[3]]);
    assert.match(await readFile(path.join(dir, 'verify.log'), 'utf8'), /"ev":"verify".*"missing":1/);
  } finally {
    await redis.close();
  }
}));

void test('http-load: K keep-alive connections, every request answered and checked, summary written on SIGTERM', TIMEOUT, () => withDir(async (dir) => {
  const server = await fakeHttp();
  try {
    const log = path.join(dir, 'http.log');
    const run = await runClient('http-load.ts', ['--host', '127.0.0.1', '--port', String(server.port), '--log', log, '--connections', '3', '--rate', '100', '--large-every', '4'], 1200);
    assert.equal(run.code, 0);
    const s = parseHttpLog(await readFile(log, 'utf8'));
    assert.equal(s.failures, 0);
    assert.equal(s.connections, 3);
    assert.equal(s.closes, 0);
    assert.ok(s.ok >= 50, `ok ${s.ok}`);
    assert.ok(s.p50Ms > 0 && s.p50Ms <= s.p99Ms && s.p99Ms <= s.maxMs);
  } finally {
    await server.close();
  }
}));

void test('dns-asker: dropped queries are retried and answered late; nothing lost; exits 0 after its duration', TIMEOUT, () => withDir(async (dir) => {
  const dns = await fakeDns('10.9.8.7', 3);
  try {
    const log = path.join(dir, 'dns.log');
    const run = await runClient('dns-asker.ts', ['--host', '127.0.0.1', '--port', String(dns.port), '--log', log, '--duration-ms', '1000', '--interval-ms', '20', '--retry-ms', '100']);
    assert.equal(run.code, 0);
    const s = parseDnsLog(await readFile(log, 'utf8'));
    assert.ok(s.asked >= 30, `asked ${s.asked}`);
    assert.equal(s.answered + s.pending, s.asked);
    assert.equal(s.lost, 0);
    assert.equal(s.wrong, 0);
    assert.ok(s.late >= 1 && s.retries >= 3, `late ${s.late}, retries ${s.retries}`);
    assert.ok(s.unansweredInARowMax >= 1);
  } finally {
    await dns.close();
  }
}));

void test('a bad command line exits 2 naming the option; a wrong DNS answer is counted as wrong', TIMEOUT, () => withDir(async (dir) => {
  const bad = await runClient('dns-asker.ts', ['--host', '127.0.0.1', '--log', path.join(dir, 'x.log'), '--interval-ms', 'soon']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--interval-ms must be a number of at least 0, got "soon"/);
  const dns = await fakeDns('10.0.0.1');
  try {
    const log = path.join(dir, 'wrong.log');
    await runClient('dns-asker.ts', ['--host', '127.0.0.1', '--port', String(dns.port), '--log', log, '--duration-ms', '300']);
    await sleep(10);
    const s = parseDnsLog(await readFile(log, 'utf8'));
    assert.ok(s.wrong >= 1);
    assert.equal(s.answered, 0);
  } finally {
    await dns.close();
  }
}));
