import { test } from 'node:test';
import assert from 'node:assert/strict';
import { boundRow, prestoreRatios, summarize, targets } from './summary.ts';
import { FIXTURE, HEADLINE, COMPILE } from './fixture.test-data.ts';
import type { BenchRow, BenchSummary } from './results.ts';

test('the headline ratios come from the rows, rounded to 3 decimals', () => {
  assert.deepEqual(summarize(FIXTURE.rows, HEADLINE), FIXTURE.summary);
});

test('a failed, missing or non-positive side leaves its ratios out', () => {
  const s = summarize(FIXTURE.rows, COMPILE);
  assert.equal(s.downtimeRatioVsPodman, undefined, 'podman failed');
  assert.equal(s.totalTimeRatioVsPodman, undefined);
  assert.equal(s.downtimeRatioVsBaseline, undefined, 'precopy failed, though it has a totalMs');
  assert.deepEqual(Object.keys(s), ['headline', 'tlsCosts'], 'with precopy failed there is nothing to compare (the per-case TLS list covers every case of the rows)');

  const zeroBaseline = FIXTURE.rows.map((r): BenchRow => (r.strategy === 'baseline-stopcopy' ? { ...r, downtimeMs: 0 } : r));
  assert.equal(summarize(zeroBaseline, HEADLINE).downtimeRatioVsBaseline, undefined, 'no division by zero');
  const noPodman = FIXTURE.rows.filter((r) => r.strategy !== 'podman');
  assert.equal(summarize(noPodman, HEADLINE).downtimeRatioVsPodman, undefined);
  assert.equal(summarize(noPodman, HEADLINE).downtimeRatioVsBaseline, 0.067);
  const nan = FIXTURE.rows.map((r): BenchRow => (r.strategy === 'precopy-nodefer' ? { ...r, wireBytes: NaN } : r));
  assert.equal(summarize(nan, HEADLINE).bytesRatioDeferralVsNone, undefined);
});

test('without a bound row the bound is computed from precopy\'s compressed footprint', () => {
  const rows = FIXTURE.rows.filter((r) => r.strategy !== 'bound');
  assert.equal(summarize(rows, HEADLINE).totalTimeRatioVsBound, 1.583);
});

test('the compressed footprint falls back to the bound row\'s', () => {
  const rows = FIXTURE.rows.map((r): BenchRow => (r.strategy === 'precopy' ? { ...r, compressedFootprintBytes: undefined } : r));
  assert.equal(summarize(rows, HEADLINE).bytesRatioVsCompressedFootprint, 1.167);
});

test('the bound sends the compressed footprint once at full bandwidth', () => {
  const b = boundRow(HEADLINE, 600e6, 1180e6);
  assert.deepEqual(b, {
    case: HEADLINE, strategy: 'bound', ok: true, totalMs: 4800, wireBytes: 600e6, compressedFootprintBytes: 600e6, footprintBytes: 1180e6,
  });
  assert.equal(b.downtimeMs, undefined);
  assert.equal(boundRow({ ...HEADLINE, bandwidthMbit: 100 }, 125e6, 200e6).totalMs, 10_000, '1 Gbit in 10 s at 100 Mbit/s');
});

test('a bound without bandwidth is a failed row that says why', () => {
  const b = boundRow({ ...HEADLINE, bandwidthMbit: 0 }, 600e6, 1180e6);
  assert.equal(b.ok, false);
  assert.equal(b.totalMs, undefined);
  assert.match(b.problem ?? '', /0 Mbit\/s/);
});

test('targets hold at their limits for ≤ and not for <; missing values hold nothing', () => {
  const s: BenchSummary = { headline: HEADLINE, downtimeRatioVsBaseline: 0.25, bytesRatioVsCompressedFootprint: 1.201, downtimeRatioVsPodman: 1, totalTimeRatioVsPodman: 0.999 };
  const byRatio = new Map(targets(s).map((t) => [t.ratio, t]));
  assert.deepEqual(byRatio.get('downtimeRatioVsBaseline'), { name: 'downtime vs baseline stop-copy', ratio: 'downtimeRatioVsBaseline', target: '≤ 0.25', value: 0.25, holds: true });
  assert.equal(byRatio.get('bytesRatioVsCompressedFootprint')?.holds, false);
  assert.equal(byRatio.get('downtimeRatioVsPodman')?.holds, false, 'equal to podman is not better');
  assert.equal(byRatio.get('totalTimeRatioVsPodman')?.holds, true);
  assert.deepEqual([byRatio.get('bytesRatioDeferralVsNone')?.holds, byRatio.get('totalTimeRatioVsBound')?.value], [undefined, undefined]);
});

test('the targets are the issues\' ten, in order (pre-storage ones unknown without prestore rows)', () => {
  assert.deepEqual(targets(FIXTURE.summary).map((t) => [t.target, t.holds]), [
    ['≤ 0.25', true], ['≤ 1.2', true], ['≤ 0.8', true], ['≤ 1.5', false], ['< 1', true], ['< 1', true],
    ['≤ 0.15', undefined], ['≤ 0.5', undefined], ['≤ 1', undefined], ['≤ 1.1', true],
  ]);
});

test('TLS: precopy\'s ratios over its TLS-off twin, a mean over every twinned strategy, and the ≤ 1.1 target', () => {
  const s = summarize(FIXTURE.rows, HEADLINE);
  assert.deepEqual([s.totalTimeRatioTlsVsPlain, s.frozenTimeRatioTlsVsPlain, s.downtimeRatioTlsVsPlain, s.linkThroughputRatioTlsVsPlain], [1.056, 1.025, 1.056, 0.957]);
  assert.equal(s.totalTimeRatioTlsVsPlainAllStrategies, Math.round(Math.sqrt((6600 / 6300) * (7600 / 7200)) * 1000) / 1000);
  assert.equal(s.downtimeRatioVsBaseline, 0.067, 'the other ratios read the TLS rows, not the twins');
  const slow = FIXTURE.rows.map((r): BenchRow => (r.strategy === 'precopy' && r.tls === true ? { ...r, totalMs: 8_000 } : r));
  const t = targets(summarize(slow, HEADLINE)).find((x) => x.ratio === 'totalTimeRatioTlsVsPlain');
  assert.deepEqual([t?.name, t?.value, t?.holds], ['total time with TLS vs TLS off', 1.111, false]);
  const untwinned = summarize(FIXTURE.rows.filter((r) => r.tls !== false), HEADLINE);
  assert.equal(untwinned.totalTimeRatioTlsVsPlain, undefined);
  assert.equal(untwinned.tlsCosts, undefined);
});

test('pre-storage ratios: direct share of the footprint, stale uploads vs no threshold, downtime vs precopy', () => {
  const c = FIXTURE.summary.headline;
  const ps = (strategy: 'prestore' | 'prestore-nothreshold', staleBytes: number, downtimeMs: number) => ({
    case: c, strategy, ok: true, downtimeMs,
    prestore: { footprintBytes: 1000, directBytes: strategy === 'prestore' ? 120 : 80, uploadedBytes: 900, fetchedBytes: 900, staleBytes, imageUploadedBytes: 0 },
  });
  const rows = [...FIXTURE.rows, ps('prestore', 100, 900), ps('prestore-nothreshold', 400, 950)];
  const r = prestoreRatios(rows, c);
  const precopyDowntime = FIXTURE.rows.find((x) => x.strategy === 'precopy' && JSON.stringify(x.case) === JSON.stringify(c))?.downtimeMs ?? NaN;
  assert.equal(r.directBytesShare, 0.12);
  assert.equal(r.staleUploadRatioVsNoThreshold, 0.25);
  assert.equal(r.downtimeRatioPrestoreVsPrecopy, Math.round((900 / precopyDowntime) * 1000) / 1000);
  const s = summarize(rows, c);
  assert.equal(s.directBytesShare, 0.12);
  assert.equal(s.prestoreByCase?.length, 1);
  assert.deepEqual(prestoreRatios(rows.map((x) => (x.strategy === 'prestore-nothreshold' ? { ...x, ok: false } : x)), c).staleUploadRatioVsNoThreshold, undefined, 'a failed comparison row gives no ratio');
});
