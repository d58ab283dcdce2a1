/**
 * @module services/metrics/reports.test-data — for the metrics tests only: finished migration reports
 * (a pre-copy move with carried connections and a lazy restore, a pre-storage move, a
 * stop-and-copy rolled back before the freeze). The `ferry nodes` rows are in
 * apps/controller/node-rows.test-data.ts.
 */
import type { MigrationReport, PrecopyRoundReport } from '../../domain/migration/report.ts';

const MB = 1e6;

/** A pre-copy round of `dirty` pages. */
function round(n: number, dirty: number): PrecopyRoundReport {
  return { round: n, dirtyPages: dirty, deferredPages: 0, sentPages: dirty, pendingPages: 0, files: 0, deleted: 0, rawBytes: dirty * 4096, wireBytes: dirty * 2048, ms: 200, bandwidthBps: 100 * MB };
}

/** A base report from `from` to h2; the rest is overridden. */
function report(from: string, over: Partial<MigrationReport>): MigrationReport {
  return {
    migrationId: 'm-1', container: 'redis', from, to: 'h2', strategy: 'stop-copy', outcome: 'migrated', startedAt: 0, endedAt: 9000, totalMs: 9000, phases: [],
    bytes: { rawBytes: 80 * MB, wireBytes: 40 * MB, compressionRatio: 2, byRoot: {} }, ...over,
  };
}

/** Pre-copy from h1: 3 rounds ended by the convergence rule, 2 inside and 3 outside connections carried, a lazy window. */
export function precopyMove(from = 'h1'): MigrationReport {
  return report(from, {
    strategy: 'precopy', frozenMs: 2500, lazyWindowMs: 1800,
    precopy: {
      dirtyTracking: 'content-hash', softDirtyAvailable: false, footprintBytes: 200 * MB, rounds: [round(1, 40000), round(2, 9000), round(3, 8800)], stopRule: 'dirty-set-converged',
      policy: { deferWindow: 3, deferThreshold: 2, downtimeBudgetMs: 300, growthLimit: 0.1, shrinkMargin: 0.05, maxRounds: 8, maxBytesFactor: 3 },
    },
    network: { connections: { inside: 2, outside: 3 }, tcp: 'established', clientGapMs: 2700 },
  });
}

/** Pre-storage from h1: 30 MB of pages and a 70 MB image through the store. */
export function prestoreMove(from = 'h1'): MigrationReport {
  return report(from, {
    strategy: 'prestore', frozenMs: 1200,
    prestore: { store: 'dir:/srv/store', policy: { window: 3, threshold: 2 }, image: 'store', imageUploadedBytes: 70 * MB, uploadedPages: 7000, uploadedBytes: 30 * MB, packs: 4, rounds: [] },
  });
}

/** Stop-and-copy from h1 that failed before the freeze: no frozen time. */
export function rolledBackMove(from = 'h1'): MigrationReport {
  return report(from, { outcome: 'rolled-back', totalMs: 400, bytes: { rawBytes: 0, wireBytes: 0, compressionRatio: 1, byRoot: {} }, network: { connections: { inside: 0, outside: 4 }, tcp: 'established' } });
}
