/**
 * @module tools/workloads/clients/redis-writer — a Redis client on ONE persistent TCP connection,
 * writing and reading back continuously: `SET k<n> v<n>`, then `GET k<n>` (checked), for
 * n = 1, 2, 3, ... Every acknowledged SET is logged (it must survive any move), every
 * error, every request that waited `--slow-ms` or more, and the longest wait. A lost
 * connection is never hidden: it is logged as `reset` with how it ended, then the client
 * reconnects and goes on, so a test counts resets. A request unanswered for `--timeout-ms`
 * ends the connection as `timeout`. Events and summary: see redis-log.ts.
 *
 *   node src/tools/workloads/clients/redis-writer.ts --host IP [--port 6379] --log FILE [--duration-ms N]
 *        [--pause-ms 1] [--slow-ms 100] [--timeout-ms 30000] [--prefix k]
 *   node src/tools/workloads/clients/redis-writer.ts --verify-from WRITER_LOG --host IP [--port 6379] [--log FILE]
 *        reads back every acknowledged write; prints a `verify` line (appended to --log too); exit 1 if any is lost
 */
import { readFile } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { asFerryError } from '../../../core/errors.ts';
import { REDIS_PORT } from '../services-spec.ts';
import { parseClientArgs } from './args.ts';
import { runClient, type RunningClient } from './client-run.ts';
import { JsonLog } from './json-log.ts';
import { ConnectionLost, RedisConnection } from './redis-connection.ts';
import { keyValue } from './redis-log.ts';
import { verifyAcked } from './redis-verify.ts';
import { RespError, type RespValue } from './resp.ts';
import { LongestWait, round1 } from './stats.ts';

/** pauseMs 1: about 650 SET+GET pairs a second at 0.1 CPU here; 0: as fast as one connection goes (about 10,000 pairs a second, 0.7 CPU). */
const EXTRAS = { pauseMs: 1, slowMs: 100, timeoutMs: 30_000, prefix: 'k', verifyFrom: '' };
type Args = ReturnType<typeof parseArgs>;
/** Between failed connection attempts. */
const RECONNECT_MS = 100;

function parseArgs(argv: readonly string[]) {
  return parseClientArgs(argv, REDIS_PORT, EXTRAS, argv.includes('--verify-from') ? ['log'] : []);
}

/** Starts the write loop; it runs until stopped. */
function startWriter(args: Args, log: JsonLog, fail: (err: unknown) => void): RunningClient {
  const t0 = performance.now();
  const c = { requests: 0, acked: 0, lastN: 0, mismatches: 0, errors: 0, resets: 0, connects: 0, connectErrors: 0, slow: 0 };
  const resetCodes: Record<string, number> = {};
  const wait = new LongestWait();
  let inFlight: { mono: number; wall: number } | undefined;
  let conn: RedisConnection | undefined;
  let stopping = false;

  const connect = async (): Promise<RedisConnection> => {
    for (;;) {
      try {
        const next = await RedisConnection.connect(args.host, args.port, args.timeoutMs);
        c.connects++;
        log.write('connect', { endpoints: next.endpoints });
        return next;
      } catch (err) {
        c.connectErrors++;
        log.write('connect-error', { code: err instanceof ConnectionLost ? err.code : String(err) });
        await sleep(RECONNECT_MS);
      }
    }
  };

  /** One request, timed; a timeout ends the connection. */
  const ask = async (open: RedisConnection, n: number, op: string, cmd: string[]): Promise<RespValue> => {
    const sent = { mono: performance.now(), wall: Date.now() };
    inFlight = sent;
    const timer = setTimeout(() => open.destroy('timeout'), args.timeoutMs);
    try {
      return await open.request(cmd);
    } finally {
      clearTimeout(timer);
      inFlight = undefined;
      const ms = performance.now() - sent.mono;
      wait.record(ms, sent.wall);
      if (ms >= args.slowMs) { c.slow++; log.write('slow', { n, op, ms: round1(ms), since: sent.wall }); }
    }
  };

  const step = async (open: RedisConnection, n: number): Promise<void> => {
    const { key, value } = keyValue(args.prefix, n);
    const set = await ask(open, n, 'SET', ['SET', key, value]);
    c.requests++;
    if (set !== 'OK') { c.errors++; log.write('error', { n, op: 'SET', code: set instanceof RespError ? 'ERR' : 'REPLY', reply: describe(set) }); return; }
    c.acked++;
    log.write('ack', { n });
    const got = await ask(open, n, 'GET', ['GET', key]);
    c.requests++;
    if (got !== value) { c.mismatches++; log.write('mismatch', { n, got: describe(got) }); }
  };

  const loop = async (): Promise<void> => {
    for (let n = 1; !stopping; n++) {
      conn ??= await connect();
      if (stopping) return;
      c.lastN = n;
      try {
        await step(conn, n);
      } catch (err) {
        if (!(err instanceof ConnectionLost)) throw err;
        if (stopping) return;
        c.resets++;
        resetCodes[err.code] = (resetCodes[err.code] ?? 0) + 1;
        log.write('reset', { n, code: err.code });
        conn.destroy(err.code);
        conn = undefined;
      }
      if (args.pauseMs > 0) await sleep(args.pauseMs);
    }
  };
  loop().catch(fail);

  return {
    stop: () => { stopping = true; conn?.destroy('stopped'); },
    summary: () => {
      const now = performance.now();
      const pendingMs = inFlight ? now - inFlight.mono : 0;
      if (inFlight) wait.record(pendingMs, inFlight.wall);
      return { ...c, resetCodes, gapMs: round1(wait.ms), gapAt: wait.at, pendingMs: round1(pendingMs), durationMs: Math.round(now - t0) };
    },
  };
}

function describe(v: RespValue): string {
  return v instanceof RespError ? `-${v.message}` : JSON.stringify(v);
}

/** `--verify-from`: reads back the acknowledged writes of a writer log. */
async function verifyMain(): Promise<void> {
  let args: Args;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`redis-writer: ${asFerryError(err).message}\n`);
    process.exit(2);
  }
  const report = await verifyAcked(args.host, args.port, await readFile(args.verifyFrom, 'utf8'), args.timeoutMs);
  process.stdout.write(`${JSON.stringify({ ev: 'verify', at: Date.now(), from: args.verifyFrom, ...report })}\n`);
  if (args.log !== '') {
    const log = new JsonLog(args.log);
    log.write('verify', { from: args.verifyFrom, ...report });
    log.close();
  }
  process.exitCode = report.missing + report.mismatched === 0 ? 0 : 1;
}

if (import.meta.main) {
  if (process.argv.includes('--verify-from')) await verifyMain();
  else await runClient('redis-writer', parseArgs, startWriter);
}
