/**
 * @module tools/bench/summary — pure: the headline case's ratios (TLS's cost among them), the physical
 * lower bound a migration is measured against, and the issues' targets as named data with whether each holds.
 */
import { findRow, measured, ratioOf, round3 } from './cases.ts';
import type { BenchCase, BenchRow, BenchSummary } from './results.ts';
import { tlsCosts, tlsRatios } from './tls-cost.ts';

/** The ratio fields of a summary (everything but the headline case and the per-case lists). */
export type SummaryRatio = Exclude<keyof BenchSummary, 'headline' | 'prestoreByCase' | 'tlsCosts'>;
/** The ratios of the pre-copy rows (the pre-storage ones come from prestoreRatios, the TLS ones from tlsRatios). */
type PrecopyRatio = Exclude<SummaryRatio, 'directBytesShare' | 'staleUploadRatioVsNoThreshold' | 'downtimeRatioPrestoreVsPrecopy' | keyof ReturnType<typeof tlsRatios>>;

/**
 * The summary of the headline case. A ratio is present only when both of its rows ran with
 * ok=true and have finite positive numbers; ratios are rounded to 3 decimals. When the rows
 * carry no `bound` row, the bound is computed from precopy's compressed footprint.
 */
export function summarize(rows: readonly BenchRow[], headline: BenchCase): BenchSummary {
  const row = (s: BenchRow['strategy']): BenchRow | undefined => findRow(rows, headline, s);
  const precopy = row('precopy');
  const baseline = row('baseline-stopcopy');
  const nodefer = row('precopy-nodefer');
  const podman = row('podman');
  const compressed = measured(precopy, 'compressedFootprintBytes');
  const bound = row('bound') ?? (compressed === undefined ? undefined : boundRow(headline, compressed, precopy?.footprintBytes));
  const footprint = compressed ?? measured(bound, 'compressedFootprintBytes') ?? measured(bound, 'wireBytes');
  const ratios: Record<PrecopyRatio, number | undefined> = {
    downtimeRatioVsBaseline: ratioOf(measured(precopy, 'downtimeMs'), measured(baseline, 'downtimeMs')),
    bytesRatioDeferralVsNone: ratioOf(measured(precopy, 'wireBytes'), measured(nodefer, 'wireBytes')),
    totalTimeRatioVsBound: ratioOf(measured(precopy, 'totalMs'), measured(bound, 'totalMs')),
    downtimeRatioVsPodman: ratioOf(measured(precopy, 'downtimeMs'), measured(podman, 'downtimeMs')),
    bytesRatioVsCompressedFootprint: ratioOf(measured(precopy, 'wireBytes'), footprint),
    totalTimeRatioVsPodman: ratioOf(measured(precopy, 'totalMs'), measured(podman, 'totalMs')),
  };
  const summary: BenchSummary = { headline };
  for (const [key, value] of Object.entries(ratios) as [PrecopyRatio, number | undefined][]) {
    if (value !== undefined && Number.isFinite(value)) summary[key] = round3(value);
  }
  Object.assign(summary, prestoreRatios(rows, headline));
  const byCase = casesOf(rows).filter((c) => findRow(rows, c, 'prestore')).map((c) => ({ case: c, ...prestoreRatios(rows, c) }));
  if (byCase.length) summary.prestoreByCase = byCase;
  Object.assign(summary, tlsRatios(rows, headline));
  const costs = tlsCosts(rows);
  if (costs.length) summary.tlsCosts = costs;
  return summary;
}

/** The pre-storage ratios of one case: direct share of the footprint, stale uploads vs no threshold, downtime vs precopy. */
export function prestoreRatios(rows: readonly BenchRow[], c: BenchCase): Pick<BenchSummary, 'directBytesShare' | 'staleUploadRatioVsNoThreshold' | 'downtimeRatioPrestoreVsPrecopy'> {
  const ok = (s: BenchRow['strategy']) => {
    const r = findRow(rows, c, s);
    return r?.ok ? r : undefined;
  };
  const ps = ok('prestore');
  const none = ok('prestore-nothreshold');
  const out: Pick<BenchSummary, 'directBytesShare' | 'staleUploadRatioVsNoThreshold' | 'downtimeRatioPrestoreVsPrecopy'> = {};
  const share = ratioOf(ps?.prestore?.directBytes, ps?.prestore?.footprintBytes);
  const stale = ps?.prestore && none?.prestore && none.prestore.staleBytes > 0 ? ps.prestore.staleBytes / none.prestore.staleBytes : undefined;
  const downtime = ratioOf(measured(ps, 'downtimeMs'), measured(ok('precopy'), 'downtimeMs'));
  if (share !== undefined && Number.isFinite(share)) out.directBytesShare = round3(share);
  if (stale !== undefined && Number.isFinite(stale)) out.staleUploadRatioVsNoThreshold = round3(stale);
  if (downtime !== undefined && Number.isFinite(downtime)) out.downtimeRatioPrestoreVsPrecopy = round3(downtime);
  return out;
}

/** The distinct cases of the rows, in order. */
function casesOf(rows: readonly BenchRow[]): BenchCase[] {
  const seen = new Map<string, BenchCase>();
  for (const r of rows) seen.set(JSON.stringify(r.case), r.case);
  return [...seen.values()];
}

/**
 * The physical lower bound of a case: the compressed footprint sent once at the link's full
 * bandwidth (1 Mbit = 1e6 bit), nothing else. It has no downtime of its own.
 */
export function boundRow(c: BenchCase, compressedFootprintBytes: number, footprintBytes?: number): BenchRow {
  const row: BenchRow = { case: c, strategy: 'bound', ok: true, wireBytes: compressedFootprintBytes, compressedFootprintBytes };
  if (footprintBytes !== undefined) row.footprintBytes = footprintBytes;
  if (!(c.bandwidthMbit > 0) || !(compressedFootprintBytes >= 0)) {
    return { ...row, ok: false, problem: `no bound: needs a positive bandwidth and footprint, got ${c.bandwidthMbit} Mbit/s and ${compressedFootprintBytes} bytes` };
  }
  row.totalMs = ((compressedFootprintBytes * 8) / (c.bandwidthMbit * 1e6)) * 1000;
  return row;
}

/** One of the targets: a summary ratio held against a limit. */
export interface BenchTarget {
  /** What is compared, in words. */
  name: string;
  /** The summary field it reads. */
  ratio: SummaryRatio;
  /** The goal as written, e.g. "≤ 0.25". */
  target: string;
  /** The measured ratio, if both sides ran. */
  value: number | undefined;
  /** Whether the goal is met; undefined when there is no value. */
  holds: boolean | undefined;
}

/** The targets: the ratio, how it compares, and the limit. */
export const BENCH_TARGETS: readonly { name: string; ratio: SummaryRatio; op: '≤' | '<'; limit: number }[] = [
  { name: 'downtime vs baseline stop-copy', ratio: 'downtimeRatioVsBaseline', op: '≤', limit: 0.25 },
  { name: 'bytes on the wire vs compressed footprint', ratio: 'bytesRatioVsCompressedFootprint', op: '≤', limit: 1.2 },
  { name: 'bytes with deferral vs without', ratio: 'bytesRatioDeferralVsNone', op: '≤', limit: 0.8 },
  { name: 'total time vs physical bound', ratio: 'totalTimeRatioVsBound', op: '≤', limit: 1.5 },
  { name: 'downtime vs podman', ratio: 'downtimeRatioVsPodman', op: '<', limit: 1 },
  { name: 'total time vs podman', ratio: 'totalTimeRatioVsPodman', op: '<', limit: 1 },
  { name: 'prestore: bytes sent directly vs footprint', ratio: 'directBytesShare', op: '≤', limit: 0.15 },
  { name: 'prestore: stale uploads vs threshold disabled', ratio: 'staleUploadRatioVsNoThreshold', op: '≤', limit: 0.5 },
  { name: 'prestore: downtime vs precopy', ratio: 'downtimeRatioPrestoreVsPrecopy', op: '≤', limit: 1 },
  { name: 'total time with TLS vs TLS off', ratio: 'totalTimeRatioTlsVsPlain', op: '≤', limit: 1.1 },
];

/** Each target with the summary's value and whether it holds. */
export function targets(summary: BenchSummary): BenchTarget[] {
  return BENCH_TARGETS.map(({ name, ratio, op, limit }) => {
    const value = summary[ratio];
    const holds = value === undefined ? undefined : op === '≤' ? value <= limit : value < limit;
    return { name, ratio, target: `${op} ${limit}`, value, holds };
  });
}
