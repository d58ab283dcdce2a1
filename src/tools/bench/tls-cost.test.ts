import { test } from 'node:test';
import assert from 'node:assert/strict';
import { linkThroughputBps, tlsCost, tlsCosts, tlsRatios } from './tls-cost.ts';
import { FIXTURE, HEADLINE, SLOW_LINK } from './fixture.test-data.ts';
import type { BenchRow } from './results.ts';
import type { MigrationReport, PrecopyRoundReport } from '../../domain/migration/report.ts';

type ReportPart = Parameters<typeof linkThroughputBps>[0];
const bytes = (wireBytes: number): MigrationReport['bytes'] => ({ rawBytes: wireBytes, wireBytes, compressionRatio: 1, byRoot: {} });
const round = (wireBytes: number, ms: number): PrecopyRoundReport => ({ round: 1, dirtyPages: 0, deferredPages: 0, sentPages: 0, pendingPages: 0, files: 0, deleted: 0, rawBytes: wireBytes, wireBytes, ms, bandwidthBps: 0 });
const precopy = (rounds: PrecopyRoundReport[], final?: { wireBytes: number; ms: number; scanMs?: number }): MigrationReport['precopy'] => ({
  dirtyTracking: 'content-hash', softDirtyAvailable: false, footprintBytes: 0, rounds,
  policy: { deferWindow: 4, deferThreshold: 2, downtimeBudgetMs: 500, growthLimit: 0.1, shrinkMargin: 0.05, maxRounds: 8, maxBytesFactor: 3 },
  ...(final ? { final: { dumpPages: 0, sentPages: 0, files: 0, deleted: 0, rawBytes: final.wireBytes, ...final } } : {}),
});

test('the data link\'s throughput: stop-copy over its transfer phase, pre-copy over its first round', () => {
  const stopCopy: ReportPart = { strategy: 'stop-copy', phases: [{ phase: 'stop', ms: 500 }, { phase: 'transfer', ms: 3000 }], bytes: bytes(270e6) };
  assert.equal(linkThroughputBps(stopCopy), 90e6);
  const pre: ReportPart = { strategy: 'precopy', phases: [{ phase: 'transfer', ms: 600 }], bytes: bytes(325e6), precopy: precopy([round(268e6, 3350), round(35e6, 750)], { wireBytes: 20e6, ms: 600 }) };
  assert.equal(linkThroughputBps(pre), 80e6, 'round 1 carries all of memory while the container runs');
});

test('pre-storage over its final round less the scan (its rounds go to the store); post-copy over transfer plus lazy window', () => {
  const prestore: ReportPart = {
    strategy: 'prestore', phases: [{ phase: 'transfer', ms: 800 }], bytes: bytes(25e6), precopy: precopy([round(4000, 4000)], { wireBytes: 24e6, ms: 800, scanMs: 400 }),
    prestore: { store: 's3', policy: { window: 4, threshold: 2 }, image: 'present', imageUploadedBytes: 0, uploadedPages: 0, uploadedBytes: 0, packs: 0, rounds: [] },
  };
  assert.equal(linkThroughputBps(prestore), 60e6);
  const postcopy: ReportPart = { strategy: 'postcopy', phases: [{ phase: 'transfer', ms: 150 }], bytes: bytes(270e6), lazyWindowMs: 6600 };
  assert.equal(linkThroughputBps(postcopy), 40e6);
});

test('no duration or no bytes: no throughput', () => {
  assert.equal(linkThroughputBps({ strategy: 'stop-copy', phases: [], bytes: bytes(1e6) }), undefined);
  assert.equal(linkThroughputBps({ strategy: 'stop-copy', phases: [{ phase: 'transfer', ms: 10 }], bytes: bytes(0) }), undefined);
  assert.equal(linkThroughputBps({ strategy: 'precopy', phases: [], bytes: bytes(1e6), precopy: precopy([round(1e6, 0)]) }), undefined);
});

test('a strategy\'s TLS cost: each measure with TLS over its twin\'s, the throughput both ways', () => {
  assert.deepEqual(tlsCost(FIXTURE.rows, HEADLINE, 'stop-copy'), {
    case: HEADLINE, strategy: 'stop-copy', linkBps: { tls: 95e6, plain: 100e6 }, totalRatio: 1.048, frozenRatio: 1.035, downtimeRatio: 1.034, linkRatio: 0.95,
  });
  assert.equal(tlsCost(FIXTURE.rows, HEADLINE, 'precopy-nodefer'), undefined, 'no twin, no cost');
  assert.equal(tlsCost(FIXTURE.rows, SLOW_LINK, 'precopy'), undefined);
});

test('a failed twin gives its side no numbers and no ratios', () => {
  const rows = FIXTURE.rows.map((r): BenchRow => (r.strategy === 'precopy' && r.tls === false ? { ...r, ok: false, problem: 'restore failed' } : r));
  assert.deepEqual(tlsCost(rows, HEADLINE, 'precopy'), { case: HEADLINE, strategy: 'precopy', linkBps: { tls: 110e6 } });
  assert.equal(tlsRatios(rows, HEADLINE).totalTimeRatioTlsVsPlain, undefined);
  assert.equal(tlsRatios(rows, HEADLINE).totalTimeRatioTlsVsPlainAllStrategies, 1.048, 'the mean is over the strategies that have both sides');
});

test('every twinned strategy, in table order; nothing without twins', () => {
  assert.deepEqual(tlsCosts(FIXTURE.rows).map((t) => t.strategy), ['stop-copy', 'precopy']);
  assert.deepEqual(tlsCosts(FIXTURE.rows.filter((r) => r.tls !== false)), []);
  assert.deepEqual(tlsRatios([], HEADLINE), {});
});
