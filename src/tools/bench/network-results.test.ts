import { test } from 'node:test';
import assert from 'node:assert/strict';
import { longestWaitIn, networkTargets, renderNetworkMarkdown, renderNetworkSvg, type NetworkBenchResults, type NetworkMove, type NetworkRun } from './network-results.ts';
import type { RedisSummary } from '../workloads/clients/redis-log.ts';
import type { HttpSummary } from '../workloads/clients/http-log.ts';
import type { DnsSummary } from '../workloads/clients/dns-log.ts';

const redis = (o: Partial<RedisSummary> = {}): RedisSummary => ({ requests: 100, acked: 50, lastN: 50, mismatches: 0, errors: 0, resets: 0, resetCodes: {}, connects: 1, connectErrors: 0, slow: 0, gapMs: 10, gapAt: 0, pendingMs: 0, durationMs: 1000, ...o });
const http = (o: Partial<HttpSummary> = {}): HttpSummary => ({ issued: 200, requests: 200, ok: 200, failures: 0, failureCodes: {}, inFlight: 0, pendingMs: 0, p50Ms: 1, p99Ms: 5, maxMs: 9, gapMs: 9, gapAt: 0, slow: 0, connections: 4, closes: 0, achievedRate: 200, durationMs: 1000, ...o });
const dns = (): DnsSummary => ({ asked: 20, answered: 20, late: 0, lost: 0, wrong: 0, retries: 0, duplicates: 0, errors: 0, errorCodes: {}, unansweredInARowMax: 0, pending: 0, p50Ms: 1, p99Ms: 2, maxMs: 3, gapMs: 3, gapAt: 0, durationMs: 1000 });
const runOf = (label: string, o: { redis?: Partial<RedisSummary>; http?: Partial<HttpSummary>; missing?: number } = {}): NetworkRun => ({ label, durationMs: 30_000, redis: redis(o.redis), lost: { checked: 50, missing: o.missing ?? 0, mismatched: 0 }, http: http(o.http), dns: dns() });
const move = (n: number, frozenMs: number, redisWaitMs: number): NetworkMove => ({ n, from: 'h1', to: 'h2', outcome: 'migrated', startedAt: 0, endedAt: 1, frozenMs, clientGapMs: frozenMs - 50, connections: { inside: 0, outside: 5 }, redisWaitMs, httpWaitMs: redisWaitMs });

test('a move\'s longest wait counts only requests sent during it', () => {
  const slow = [{ ms: 900, since: 100 }, { ms: 2500, since: 1500 }, { ms: 4000, since: 9000 }];
  assert.equal(longestWaitIn(slow, 1000, 2000), 2500);
  assert.equal(longestWaitIn(slow, 3000, 4000), 0);
});

test('targets: resets, lost writes, the gap per move and failed requests; p99 is reported beside the still run', () => {
  const good = networkTargets(runOf('still'), runOf('precopy', { http: { p99Ms: 20 } }), [move(1, 2000, 2200), move(2, 2000, 2250)]);
  assert.deepEqual(good.map((t) => t.holds), [true, true, true, true, true, true]);
  assert.match(good.find((t) => t.name === 'HTTP p99')?.measured ?? '', /20 ms moving vs 5 ms still \(4\.0x\)/);
  const bad = networkTargets(runOf('still'), runOf('precopy', { redis: { resets: 1 }, missing: 3 }), [move(1, 2000, 3500)]);
  assert.deepEqual(bad.filter((t) => !t.holds).map((t) => t.name), ['connection resets', 'lost acknowledged writes', 'client-visible gap']);
  assert.match(bad.find((t) => t.name === 'client-visible gap')?.measured ?? '', /0 of 1 moves; worst 1500 ms over frozen/);
});

test('the report and the chart name every move', () => {
  const moves = [move(1, 2000, 2200), move(2, 1800, 3100)];
  const r: NetworkBenchResults = { kind: 'ferry-bench-network', startedAt: 's', finishedAt: 'f', strategy: 'precopy', machine: 'm', still: runOf('no migration'), moving: runOf('precopy'), moves, targets: networkTargets(runOf('a'), runOf('b'), moves) };
  const md = renderNetworkMarkdown(r);
  assert.match(md, /\| 2 \| h1 → h2 \| migrated \| 1800 \| 1750 \| 3100 \| 3100 \| 5 \/ 0 \|/);
  assert.match(md, /\| client-visible gap \| .* \| 1 of 2 moves; worst 1300 ms over frozen \| \*\*no\*\* \|/);
  const svg = renderNetworkSvg(r);
  assert.equal((svg.match(/<rect x=/g) ?? []).length >= 8, true);
  assert.match(svg, /Redis longest wait/);
});
