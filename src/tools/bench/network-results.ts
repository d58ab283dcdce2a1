/**
 * @module tools/bench/network-results — pure: the network benchmark's results (clients of real
 * servers while their container moves back and forth), each move's waits as its clients saw
 * them, the targets as named checks, and the Markdown and SVG that report them.
 */
import type { RedisSummary } from '../workloads/clients/redis-log.ts';
import type { HttpSummary } from '../workloads/clients/http-log.ts';
import type { DnsSummary } from '../workloads/clients/dns-log.ts';
import { element, legend, niceTicks, svgDocument, text, tickLabel } from '../report-kit/svg-kit.ts';

/** One move of the services container. */
export interface NetworkMove {
  n: number;
  from: string;
  to: string;
  outcome: string;
  /** When the move began and ended (ms since the epoch). */
  startedAt: number;
  endedAt: number;
  frozenMs: number;
  /** The report's client-visible gap (network lock to restore). */
  clientGapMs: number;
  connections: { inside: number; outside: number };
  /** The longest a Redis request and an HTTP request waited that began during this move (0: none was slow). */
  redisWaitMs: number;
  httpWaitMs: number;
}

/** What the clients saw over one run (with or without moves). */
export interface NetworkRun {
  label: string;
  durationMs: number;
  redis: RedisSummary;
  /** Acknowledged writes read back at the end: missing and changed ones. */
  lost: { checked: number; missing: number; mismatched: number };
  http: HttpSummary;
  dns: DnsSummary;
}

/** A target of the issue, measured. */
export interface NetworkTarget {
  name: string;
  target: string;
  measured: string;
  holds: boolean;
}

/** The benchmark's results. */
export interface NetworkBenchResults {
  kind: 'ferry-bench-network';
  startedAt: string;
  finishedAt: string;
  strategy: string;
  machine: string;
  /** The run without moves, for comparison, and the run with them. */
  still: NetworkRun;
  moving: NetworkRun;
  moves: NetworkMove[];
  targets: NetworkTarget[];
}

/** A slow request as a client logs it: how long it waited and when it was sent (ms since the epoch). */
export interface SlowRequest {
  ms: number;
  since: number;
}

/** The longest wait of the requests sent from `from` to `to` (ms since the epoch); 0 when none. */
export function longestWaitIn(slow: readonly SlowRequest[], from: number, to: number): number {
  return slow.filter((s) => s.since >= from && s.since <= to).reduce((m, s) => Math.max(m, s.ms), 0);
}

/** How much longer than frozen a client may wait (the 300 ms). */
export const GAP_ALLOWANCE_MS = 300;

/** The targets, checked on a run with moves (and its still run for p99). */
export function networkTargets(still: NetworkRun, moving: NetworkRun, moves: readonly NetworkMove[]): NetworkTarget[] {
  const within = moves.filter((m) => m.redisWaitMs <= m.frozenMs + GAP_ALLOWANCE_MS).length;
  const worst = moves.reduce((w, m) => Math.max(w, m.redisWaitMs - m.frozenMs), Number.NEGATIVE_INFINITY);
  const migrated = moves.filter((m) => m.outcome === 'migrated').length;
  return [
    { name: 'moves', target: `${moves.length} migrations back and forth`, measured: `${migrated} migrated`, holds: migrated === moves.length && moves.length > 0 },
    { name: 'connection resets', target: '0', measured: `Redis ${moving.redis.resets}, HTTP connections closed ${moving.http.closes}`, holds: moving.redis.resets === 0 && moving.http.closes === 0 },
    { name: 'lost acknowledged writes', target: '0', measured: `${moving.lost.missing} missing, ${moving.lost.mismatched} changed of ${moving.lost.checked}`, holds: moving.lost.missing === 0 && moving.lost.mismatched === 0 && moving.lost.checked > 0 },
    { name: 'client-visible gap', target: `Redis's longest wait ≤ frozen + ${GAP_ALLOWANCE_MS} ms, every move`, measured: `${within} of ${moves.length} moves; worst ${Number.isFinite(worst) ? Math.round(worst) : '-'} ms over frozen`, holds: within === moves.length && moves.length > 0 },
    { name: 'failed HTTP requests', target: '0', measured: `${moving.http.failures} of ${moving.http.requests}`, holds: moving.http.failures === 0 && moving.http.requests > 0 },
    { name: 'HTTP p99', target: 'reported next to no migration', measured: `${moving.http.p99Ms} ms moving vs ${still.http.p99Ms} ms still (${ratio(moving.http.p99Ms, still.http.p99Ms)})`, holds: true },
  ];
}

function ratio(a: number, b: number): string {
  return b > 0 ? `${(a / b).toFixed(1)}x` : '-';
}

/** The Markdown report. */
export function renderNetworkMarkdown(r: NetworkBenchResults): string {
  const run = (x: NetworkRun) => `| ${x.label} | ${(x.durationMs / 1000).toFixed(0)} s | ${x.redis.acked} | ${x.redis.resets} | ${x.lost.missing + x.lost.mismatched} | ${x.redis.gapMs} | ${x.http.ok}/${x.http.requests} | ${x.http.failures} | ${x.http.p50Ms} / ${x.http.p99Ms} / ${x.http.maxMs} | ${x.dns.answered}/${x.dns.asked} (${x.dns.late} late, ${x.dns.lost} lost) |`;
  return [
    '# ferry bench network',
    '',
    `Real servers (redis-server, lighttpd, dnsmasq from Debian) in one container on the cluster network; clients on the test bed's client host: one Redis connection writing and reading back continuously, HTTP on keep-alive connections at a steady rate, DNS over UDP. The container moves ${r.moves.length} times back and forth with strategy ${r.strategy}; the same clients ran for ${(r.still.durationMs / 1000).toFixed(0)} s without any move first. ${r.startedAt} – ${r.finishedAt}, ${r.machine}.`,
    '',
    '## Targets',
    '',
    '| target | wanted | measured | holds |',
    '| --- | --- | --- | --- |',
    ...r.targets.map((t) => `| ${t.name} | ${t.target} | ${t.measured} | ${t.holds ? 'yes' : '**no**'} |`),
    '',
    '## Clients',
    '',
    '| run | length | Redis acks | resets | lost writes | Redis longest wait ms | HTTP ok | HTTP failed | HTTP p50 / p99 / max ms | DNS answered |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    run(r.still),
    run(r.moving),
    '',
    '## Moves',
    '',
    '| # | from → to | outcome | frozen ms | gap in report ms | Redis longest wait ms | HTTP longest wait ms | connections (outside / inside) |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
    ...r.moves.map((m) => `| ${m.n} | ${m.from} → ${m.to} | ${m.outcome} | ${m.frozenMs} | ${m.clientGapMs} | ${Math.round(m.redisWaitMs)} | ${Math.round(m.httpWaitMs)} | ${m.connections.outside} / ${m.connections.inside} |`),
    '',
    `A client whose request falls into the freeze waits for its own TCP retransmission timer after the destination runs: Linux retries after 0.2 s and doubles each time (0.2, 0.6, 1.4, 3.0 s after the first send), so a wait can exceed the frozen time by up to the last doubling; that, not the network, is what the gap target measures beyond the freeze.`,
    '',
  ].join('\n');
}

const SERIES = [
  { key: 'frozenMs', label: 'frozen', colour: '#1f6fb4' },
  { key: 'clientGapMs', label: 'gap in report', colour: '#8ab6de' },
  { key: 'redisWaitMs', label: 'Redis longest wait', colour: '#d9822b' },
  { key: 'httpWaitMs', label: 'HTTP longest wait', colour: '#5a9e4b' },
] as const;

/** Bars per move: frozen time, the report's gap, and the longest waits the Redis and HTTP clients saw. */
export function renderNetworkSvg(r: NetworkBenchResults): string {
  const width = 900;
  const left = 60;
  const top = 40;
  const plotH = 260;
  const plotW = width - left - 20;
  const max = Math.max(1, ...r.moves.flatMap((m) => SERIES.map((s) => m[s.key])));
  const ticks = niceTicks(max);
  const yMax = ticks.at(-1) ?? max;
  const y = (v: number) => top + plotH - (v / yMax) * plotH;
  const group = plotW / Math.max(1, r.moves.length);
  const bar = Math.max(2, (group - 8) / SERIES.length);
  const body: string[] = [text(left, 22, `Waits per move, ms (${r.strategy}, ${r.moves.length} moves back and forth)`, { 'font-size': 14 })];
  for (const t of ticks) {
    body.push(element('line', { x1: left, x2: left + plotW, y1: y(t), y2: y(t), stroke: '#e5e5e5' }), text(left - 6, y(t) + 4, tickLabel(t, ticks), { 'text-anchor': 'end' }));
  }
  r.moves.forEach((m, i) => {
    const x0 = left + i * group + 4;
    SERIES.forEach((s, j) => body.push(element('rect', { x: x0 + j * bar, y: y(m[s.key]), width: bar - 1, height: Math.max(0, top + plotH - y(m[s.key])), fill: s.colour })));
    body.push(text(x0 + (group - 8) / 2, top + plotH + 16, String(m.n), { 'text-anchor': 'middle' }));
  });
  const key = legend(left, top + plotH + 40, SERIES.map((s) => ({ label: s.label, mark: (x: number, yy: number) => element('rect', { x, y: yy - 6, width: 20, height: 12, fill: s.colour }) })), width - 20);
  body.push(...key.svg);
  return svgDocument(width, top + plotH + 60 + key.height, 'ferry bench network: waits per move', body);
}
