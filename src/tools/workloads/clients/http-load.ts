/**
 * @module tools/workloads/clients/http-load — a steady HTTP load on K keep-alive connections:
 * `--rate` GETs a second in all (open loop: sent on schedule whether or not earlier ones
 * were answered, so a pause of the server shows as latency, not as fewer requests), of the
 * small file and every `--large-every`-th of the 64 KiB one, each answer's status and body
 * checked. The first K requests go out at once to open K connections; the agent then takes
 * the least recently used one (fifo), so every connection carries requests. Logs every
 * failure, every slow request, each connection opened or closed, a line a second; the
 * summary has p50/p99/max latency and the longest time without an answer (http-log.ts).
 *
 *   node src/tools/workloads/clients/http-load.ts --host IP [--port 80] --log FILE [--duration-ms N]
 *        [--connections 4] [--rate 200] [--large-every 10] [--slow-ms 100] [--timeout-ms 30000]
 */
import http from 'node:http';
import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { HTTP_PORT, LARGE_PATH, SMALL_BODY, SMALL_PATH, largeBody } from '../services-spec.ts';
import { parseClientArgs } from './args.ts';
import { runClient, type RunningClient } from './client-run.ts';
import type { JsonLog } from './json-log.ts';
import { LongestSilence, LongestWait, latencySummary, round1 } from './stats.ts';

const EXTRAS = { connections: 4, rate: 200, largeEvery: 10, slowMs: 100, timeoutMs: 30_000 };
type Args = ReturnType<typeof parseArgs>;
const TICK_MS = 5;
const BODIES: Readonly<Record<string, Buffer>> = { [SMALL_PATH]: Buffer.from(SMALL_BODY), [LARGE_PATH]: largeBody() };

function parseArgs(argv: readonly string[]) {
  return parseClientArgs(argv, HTTP_PORT, EXTRAS);
}

/** Starts the load; it runs until stopped. */
function startLoad(args: Args, log: JsonLog): RunningClient {
  const K = Math.max(1, Math.floor(args.connections));
  const agent = new http.Agent({ keepAlive: true, maxSockets: K, maxFreeSockets: K, scheduling: 'fifo' });
  const t0 = performance.now();
  const c = { issued: 0, requests: 0, ok: 0, failures: 0, slow: 0, connections: 0, closes: 0 };
  const failureCodes: Record<string, number> = {};
  const latencies: number[] = [];
  const silence = new LongestSilence();
  silence.mark(t0, Date.now());
  const inFlight = new Map<number, { mono: number; wall: number }>();
  const known = new WeakSet<Socket>();
  let second = { ok: 0, failed: 0, maxMs: 0 };
  let stopping = false;

  const onSocket = (socket: Socket): void => {
    if (known.has(socket)) return;
    known.add(socket);
    c.connections++;
    let local = '';
    const opened = (): void => {
      local = `${socket.localAddress}:${socket.localPort}`;
      log.write('connect', { local });
    };
    if (socket.localPort) opened(); else socket.once('connect', opened);
    socket.once('close', (hadError: boolean) => {
      if (stopping) return;
      c.closes++;
      log.write('close', { local, hadError });
    });
  };

  const done = (i: number, path: string, failure: string | undefined): void => {
    const sent = inFlight.get(i);
    if (!sent || stopping) return;
    inFlight.delete(i);
    const now = performance.now();
    const ms = now - sent.mono;
    c.requests++;
    second.maxMs = Math.max(second.maxMs, ms);
    if (ms >= args.slowMs) { c.slow++; log.write('slow', { i, path, ms: round1(ms), since: sent.wall }); }
    if (failure === undefined) {
      c.ok++;
      second.ok++;
      latencies.push(ms);
      silence.mark(now, Date.now());
      return;
    }
    c.failures++;
    second.failed++;
    failureCodes[failure] = (failureCodes[failure] ?? 0) + 1;
    log.write('fail', { i, path, code: failure, ms: round1(ms), since: sent.wall });
  };

  const send = (i: number): void => {
    const path = args.largeEvery > 0 && i % args.largeEvery === args.largeEvery - 1 ? LARGE_PATH : SMALL_PATH;
    inFlight.set(i, { mono: performance.now(), wall: Date.now() });
    c.issued++;
    const req = http.get({ host: args.host, port: args.port, path, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (b: Buffer) => chunks.push(b));
      res.on('end', () => {
        const body = Buffer.concat(chunks);
        done(i, path, res.statusCode !== 200 ? `status-${res.statusCode}` : body.equals(BODIES[path] ?? Buffer.alloc(0)) ? undefined : 'body');
      });
      res.on('error', (err: NodeJS.ErrnoException) => done(i, path, err.code ?? err.message));
    });
    req.on('socket', onSocket);
    req.setTimeout(args.timeoutMs, () => req.destroy(Object.assign(new Error('timeout'), { code: 'timeout' })));
    req.on('error', (err: NodeJS.ErrnoException) => done(i, path, err.code ?? err.message));
  };

  for (let i = 0; i < K; i++) send(i);
  const tick = setInterval(() => {
    const due = Math.floor(((performance.now() - t0) * args.rate) / 1000);
    while (c.issued < due) send(c.issued);
  }, TICK_MS);
  const perSecond = setInterval(() => {
    log.write('second', { ...second, maxMs: round1(second.maxMs), inFlight: inFlight.size });
    second = { ok: 0, failed: 0, maxMs: 0 };
  }, 1000);

  return {
    stop: () => {
      stopping = true;
      clearInterval(tick);
      clearInterval(perSecond);
    },
    summary: () => {
      const now = performance.now();
      const oldest = new LongestWait();
      for (const s of inFlight.values()) oldest.record(now - s.mono, s.wall);
      agent.destroy();
      const durationMs = Math.round(now - t0);
      return {
        ...c, failureCodes, inFlight: inFlight.size, pendingMs: round1(oldest.ms), ...latencySummary(latencies), ...silence.result(now),
        achievedRate: round1(c.ok / Math.max(0.001, durationMs / 1000)), durationMs,
      };
    },
  };
}

if (import.meta.main) await runClient('http-load', parseArgs, startLoad);
