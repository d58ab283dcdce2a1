/**
 * @module tools/bench/tls-cost — pure: what mutual TLS on ferry's links costs, from rows run in
 * twins (the same strategy and case with TLS, and with TLS off on plain TCP): TLS ÷ plain of total
 * time, frozen time, downtime and the data link's throughput, and that throughput from a report.
 */
import { benchCases, findRow, measured, ratioOf, round3 } from './cases.ts';
import { BENCH_STRATEGIES, type BenchCase, type BenchRow, type BenchStrategy, type BenchSummary, type BenchTlsCost } from './results.ts';
import type { MigrationReport } from '../../domain/migration/report.ts';

/** The strategy whose ratios the summary carries (as for every other headline ratio). */
export const TLS_HEADLINE_STRATEGY: BenchStrategy = 'precopy';

/**
 * The data link's throughput over the transfer that carries the bulk of a migration, wire bytes
 * per second: pre-copy's first round (all memory, container running); pre-storage's final round
 * less its scan (the rounds go to the object store, not the link); post-copy's transfer plus the
 * lazy window (pages follow the resume); stop-copy's transfer phase. Undefined without a duration.
 */
export function linkThroughputBps(report: Pick<MigrationReport, 'strategy' | 'phases' | 'bytes' | 'precopy' | 'prestore' | 'lazyWindowMs'>): number | undefined {
  const transferMs = report.phases.filter((p) => p.phase === 'transfer').reduce((a, p) => a + p.ms, 0);
  const first = report.precopy?.rounds[0];
  const final = report.precopy?.final;
  if (report.prestore) return final ? perSecond(final.wireBytes, final.ms - (final.scanMs ?? 0)) : undefined;
  if (first) return perSecond(first.wireBytes, first.ms);
  if (report.strategy === 'postcopy') return perSecond(report.bytes.wireBytes, transferMs + (report.lazyWindowMs ?? 0));
  return perSecond(report.bytes.wireBytes, transferMs);
}

function perSecond(bytes: number, ms: number): number | undefined {
  return ms > 0 && bytes > 0 && Number.isFinite(bytes / ms) ? Math.round((bytes * 1000) / ms) : undefined;
}

/** One strategy's TLS cost in one case, or nothing when it has no TLS-off twin; a ratio only where both rows succeeded. */
export function tlsCost(rows: readonly BenchRow[], c: BenchCase, strategy: BenchStrategy): BenchTlsCost | undefined {
  const on = findRow(rows, c, strategy, 'tls');
  const off = findRow(rows, c, strategy, 'plain');
  if (!off) return undefined;
  const link = (r: BenchRow | undefined): number | undefined => (r?.ok && r.linkBps !== undefined && r.linkBps > 0 && Number.isFinite(r.linkBps) ? r.linkBps : undefined);
  const cost: BenchTlsCost = { case: c, strategy, linkBps: {} };
  const tlsBps = link(on);
  const plainBps = link(off);
  if (tlsBps !== undefined) cost.linkBps.tls = tlsBps;
  if (plainBps !== undefined) cost.linkBps.plain = plainBps;
  const ratios: Array<[keyof BenchTlsCost & `${string}Ratio`, number | undefined]> = [
    ['totalRatio', ratioOf(measured(on, 'totalMs'), measured(off, 'totalMs'))],
    ['frozenRatio', ratioOf(measured(on, 'frozenMs'), measured(off, 'frozenMs'))],
    ['downtimeRatio', ratioOf(measured(on, 'downtimeMs'), measured(off, 'downtimeMs'))],
    ['linkRatio', ratioOf(tlsBps, plainBps)],
  ];
  for (const [key, value] of ratios) if (value !== undefined && Number.isFinite(value)) cost[key] = round3(value);
  return cost;
}

/** The TLS cost of every strategy that ran a TLS-off twin, case by case, strategies in table order. */
export function tlsCosts(rows: readonly BenchRow[]): BenchTlsCost[] {
  return benchCases(rows).flatMap((c) => BENCH_STRATEGIES.map((s) => tlsCost(rows, c, s)).filter((x): x is BenchTlsCost => x !== undefined));
}

/** The headline case's TLS ratios for the summary: precopy's four, and the geometric mean of every strategy's total-time ratio. */
export function tlsRatios(rows: readonly BenchRow[], headline: BenchCase): Pick<BenchSummary, 'totalTimeRatioTlsVsPlain' | 'frozenTimeRatioTlsVsPlain' | 'downtimeRatioTlsVsPlain' | 'linkThroughputRatioTlsVsPlain' | 'totalTimeRatioTlsVsPlainAllStrategies'> {
  const out: ReturnType<typeof tlsRatios> = {};
  const main = tlsCost(rows, headline, TLS_HEADLINE_STRATEGY);
  if (main?.totalRatio !== undefined) out.totalTimeRatioTlsVsPlain = main.totalRatio;
  if (main?.frozenRatio !== undefined) out.frozenTimeRatioTlsVsPlain = main.frozenRatio;
  if (main?.downtimeRatio !== undefined) out.downtimeRatioTlsVsPlain = main.downtimeRatio;
  if (main?.linkRatio !== undefined) out.linkThroughputRatioTlsVsPlain = main.linkRatio;
  const totals = BENCH_STRATEGIES.map((s) => tlsCost(rows, headline, s)?.totalRatio).filter((v): v is number => v !== undefined && v > 0);
  if (totals.length > 0) out.totalTimeRatioTlsVsPlainAllStrategies = round3(Math.exp(totals.reduce((a, v) => a + Math.log(v), 0) / totals.length));
  return out;
}
