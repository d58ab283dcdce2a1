/**
 * @module tools/workloads/clients/dns-asker — asks a DNS server for the A record of
 * `--name` over UDP every `--interval-ms` (a new question each time), sends a question
 * again every `--retry-ms` until it is answered, and gives it up after `--give-up-ms`.
 * Each answer must carry `--expect`. Logs late, lost and wrong answers, socket errors and a
 * line a second; the summary (dns-log.ts) has the questions in a row whose first try went
 * unanswered and the longest time without an answer. The socket is connected, so an ICMP
 * unreachable shows as an ECONNREFUSED error.
 *
 *   node src/tools/workloads/clients/dns-asker.ts --host IP [--port 53] --log FILE [--duration-ms N]
 *        [--interval-ms 50] [--retry-ms 200] [--give-up-ms 5000] [--name svc.ferry.test] [--expect 10.9.8.7]
 */
import dgram from 'node:dgram';
import { performance } from 'node:perf_hooks';
import { DNS_ADDRESS, DNS_NAME, DNS_PORT } from '../services-spec.ts';
import { parseClientArgs } from './args.ts';
import { runClient, type RunningClient } from './client-run.ts';
import { DnsFormatError, addressesOf, buildQuery, parseResponse, type DnsResponse } from './dns-packet.ts';
import type { JsonLog } from './json-log.ts';
import { LongestSilence, latencySummary, longestRun, round1 } from './stats.ts';

const EXTRAS = { intervalMs: 50, retryMs: 200, giveUpMs: 5000, name: DNS_NAME, expect: DNS_ADDRESS };
type Args = ReturnType<typeof parseArgs>;

function parseArgs(argv: readonly string[]) {
  return parseClientArgs(argv, DNS_PORT, EXTRAS);
}

/** One question, asked until answered or given up. */
interface Question { n: number; mono: number; wall: number; tries: number; timer: NodeJS.Timeout }

/** Starts asking once the socket is connected. */
async function startAsker(args: Args, log: JsonLog, fail: (err: unknown) => void): Promise<RunningClient> {
  const socket = dgram.createSocket('udp4');
  const c = { asked: 0, answered: 0, late: 0, lost: 0, wrong: 0, retries: 0, duplicates: 0, errors: 0 };
  const errorCodes: Record<string, number> = {};
  const firstTryMissed: boolean[] = [];
  const latencies: number[] = [];
  const silence = new LongestSilence();
  const open = new Map<number, Question>();
  let second = { answered: 0, late: 0, lost: 0 };
  const t0 = performance.now();

  const error = (code: string): void => {
    c.errors++;
    errorCodes[code] = (errorCodes[code] ?? 0) + 1;
    log.write('error', { code });
  };
  socket.on('error', (err: NodeJS.ErrnoException) => error(err.code ?? err.message));
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.connect(args.port, args.host, () => { socket.off('error', reject); resolve(); });
  });
  silence.mark(performance.now(), Date.now());

  const send = (q: Question): void => {
    socket.send(buildQuery(q.n & 0xffff, args.name), (err) => { if (err) error((err as NodeJS.ErrnoException).code ?? err.message); });
  };
  const retry = (q: Question): void => {
    if (open.get(q.n & 0xffff) !== q) return; // its id was taken by a question 65,536 later
    firstTryMissed[q.n - 1] = true;
    if (performance.now() - q.mono >= args.giveUpMs) {
      open.delete(q.n & 0xffff);
      c.lost++;
      second.lost++;
      log.write('lost', { n: q.n, tries: q.tries });
      return;
    }
    q.tries++;
    c.retries++;
    send(q);
    q.timer = setTimeout(() => retry(q), args.retryMs);
  };
  const ask = (): void => {
    const n = ++c.asked;
    firstTryMissed[n - 1] = false;
    const q: Question = { n, mono: performance.now(), wall: Date.now(), tries: 1, timer: setTimeout(() => retry(q), args.retryMs) };
    open.set(n & 0xffff, q);
    send(q);
  };
  const onAnswer = (r: DnsResponse): void => {
    const q = open.get(r.id);
    if (!q || !r.isResponse) { c.duplicates++; return; }
    open.delete(r.id);
    clearTimeout(q.timer);
    const now = performance.now();
    const ms = now - q.mono;
    if (r.rcode !== 0 || !addressesOf(r, args.name).includes(args.expect)) {
      c.wrong++;
      log.write('wrong', { n: q.n, rcode: r.rcode, answers: r.answers.map((a) => a.data) });
      return;
    }
    c.answered++;
    second.answered++;
    latencies.push(ms);
    silence.mark(now, Date.now());
    if (q.tries > 1) { c.late++; second.late++; log.write('late', { n: q.n, ms: round1(ms), tries: q.tries, since: q.wall }); }
  };
  socket.on('message', (msg: Buffer) => {
    try {
      onAnswer(parseResponse(msg));
    } catch (err) {
      if (err instanceof DnsFormatError) error('format'); else fail(err);
    }
  });

  ask();
  const tick = setInterval(ask, args.intervalMs);
  const perSecond = setInterval(() => {
    log.write('second', { ...second, open: open.size });
    second = { answered: 0, late: 0, lost: 0 };
  }, 1000);

  return {
    stop: () => {
      clearInterval(tick);
      clearInterval(perSecond);
      for (const q of open.values()) clearTimeout(q.timer);
      socket.close();
    },
    summary: () => {
      const now = performance.now();
      return {
        ...c, errorCodes, unansweredInARowMax: longestRun(firstTryMissed), pending: open.size,
        ...latencySummary(latencies), ...silence.result(now), durationMs: Math.round(now - t0),
      };
    },
  };
}

if (import.meta.main) await runClient('dns-asker', parseArgs, startAsker);
