/**
 * @module tools/bench/fixture.test-data — for the bench tests only: a realistic `ferry bench migrate`
 * run of three cases, with a failed podman row, a failed precopy row, a problem text that
 * needs escaping, and TLS-off twins of the headline's stop-copy and precopy.
 */
import type { BenchCase, BenchResults, BenchRound, BenchRow } from './results.ts';

const MB = 1e6;
const PAGE = 4096;

/** The headline: 1 GiB of stream dirtying 50 MB/s over a 1 Gbit/s link. */
export const HEADLINE: BenchCase = { workload: 'stream', sizeMiB: 1024, dirtyMBps: 50, bandwidthMbit: 1000 };
/** A slower link where plain pre-copy runs into its byte cap. */
export const SLOW_LINK: BenchCase = { workload: 'stream', sizeMiB: 1024, dirtyMBps: 50, bandwidthMbit: 200 };
/** A compile workload where podman and ferry's pre-copy failed. */
export const COMPILE: BenchCase = { workload: 'compile', sizeMiB: 256, dirtyMBps: 0, bandwidthMbit: 1000 };

/** Rounds from [dirty, deferred, sent, wire MB, ms] tuples. */
function rounds(spec: [number, number, number, number, number][]): BenchRound[] {
  return spec.map(([dirtyPages, deferredPages, sentPages, wireMB, ms], i) => ({
    round: i + 1, dirtyPages, deferredPages, sentPages, rawBytes: sentPages * PAGE, wireBytes: wireMB * MB, ms,
  }));
}

function row(c: BenchCase, strategy: BenchRow['strategy'], s: number[], extra: Partial<BenchRow> = {}): BenchRow {
  const [downtimeMs, frozenMs, totalMs, wireMB] = s;
  const out: BenchRow = { case: c, strategy, ok: true, footprintBytes: 1180 * MB, compressedFootprintBytes: 600 * MB, ...extra };
  if (downtimeMs !== undefined) out.downtimeMs = downtimeMs;
  if (frozenMs !== undefined) out.frozenMs = frozenMs;
  if (totalMs !== undefined) out.totalMs = totalMs;
  if (wireMB !== undefined) out.wireBytes = wireMB * MB;
  return out;
}

const headlineRows: BenchRow[] = [
  row(HEADLINE, 'baseline-stopcopy', [14_200, 13_900, 15_100, 1120], { phases: { checkpoint: 4200, transfer: 8900, restore: 1100 } }),
  row(HEADLINE, 'podman', [9_800, 9_500, 10_400, 700]),
  row(HEADLINE, 'stop-copy', [6_100, 5_900, 6_600, 620], { tls: true, linkBps: 95 * MB }),
  row(HEADLINE, 'stop-copy', [5_900, 5_700, 6_300, 619], { tls: false, linkBps: 100 * MB }),
  row(HEADLINE, 'precopy-nodefer', [1_900, 1_700, 9_800, 1043], { tls: true,
    stopRule: 'dirty-set-growing',
    rounds: rounds([[268_000, 0, 268_000, 450, 3600], [61_000, 0, 61_000, 140, 1150], [60_000, 0, 60_000, 138, 1120], [67_000, 0, 67_000, 155, 1260], [67_500, 0, 67_500, 160, 1700]]),
  }),
  row(HEADLINE, 'precopy', [950, 820, 7_600, 700], {
    tls: true, linkBps: 110 * MB, stopRule: 'fits-downtime-budget',
    rounds: rounds([[268_000, 0, 268_000, 450, 3600], [61_000, 38_000, 23_000, 52, 420], [60_000, 52_000, 8_000, 18, 150], [59_000, 55_000, 4_000, 9, 80], [59_500, 0, 59_500, 171, 820]]),
  }),
  row(HEADLINE, 'precopy', [900, 800, 7_200, 698], {
    tls: false, linkBps: 115 * MB, stopRule: 'fits-downtime-budget',
    rounds: rounds([[268_000, 0, 268_000, 450, 3500], [61_000, 38_000, 23_000, 52, 400], [60_000, 52_000, 8_000, 18, 150], [59_000, 55_000, 4_000, 9, 80], [59_500, 0, 59_500, 169, 800]]),
  }),
  { case: HEADLINE, strategy: 'bound', ok: true, totalMs: 4800, wireBytes: 600 * MB, footprintBytes: 1180 * MB, compressedFootprintBytes: 600 * MB },
];

const slowRows: BenchRow[] = [
  row(SLOW_LINK, 'baseline-stopcopy', [52_000, 51_600, 53_000, 1120]),
  row(SLOW_LINK, 'podman', [31_000, 30_700, 31_800, 700]),
  row(SLOW_LINK, 'precopy-nodefer', [6_900, 6_600, 61_000, 3540], {
    stopRule: 'too-many-bytes', problem: 'sent 3x the footprint before stopping',
    rounds: rounds([[268_000, 0, 268_000, 450, 18_000], [240_000, 0, 240_000, 560, 22_400], [250_000, 0, 250_000, 580, 23_200], [255_000, 0, 255_000, 590, 23_600]]),
  }),
  row(SLOW_LINK, 'precopy', [3_100, 2_900, 29_500, 760], {
    stopRule: 'too-many-rounds',
    rounds: rounds([[268_000, 0, 268_000, 450, 18_000], [240_000, 200_000, 40_000, 95, 3800], [210_000, 190_000, 20_000, 48, 1900], [205_000, 200_000, 5_000, 12, 480], [205_000, 0, 205_000, 155, 3100]]),
  }),
  { case: SLOW_LINK, strategy: 'bound', ok: true, totalMs: 24_000, wireBytes: 600 * MB, compressedFootprintBytes: 600 * MB },
];

const compileRows: BenchRow[] = [
  row(COMPILE, 'baseline-stopcopy', [4_300, 4_100, 4_900, 310], { footprintBytes: 330 * MB, compressedFootprintBytes: 120 * MB }),
  { case: COMPILE, strategy: 'podman', ok: false, problem: 'podman container checkpoint: CRIU dump failed | unix socket <ext> & "peer" not found' },
  row(COMPILE, 'precopy-nodefer', [700, 600, 3_900, 260], { stopRule: 'fits-downtime-budget', rounds: rounds([[80_000, 0, 80_000, 110, 900], [30_000, 0, 30_000, 70, 600], [28_000, 0, 28_000, 80, 640]]) }),
  { case: COMPILE, strategy: 'precopy', ok: false, problem: 'restore failed: CRIU restore exited 1 (see the agent log)', totalMs: 3_400, rounds: rounds([[80_000, 0, 80_000, 110, 900], [30_000, 12_000, 18_000, 41, 380]]) },
  { case: COMPILE, strategy: 'bound', ok: true, totalMs: 960, wireBytes: 120 * MB, compressedFootprintBytes: 120 * MB },
];

/** A whole run; its summary is what `summarize` gives for the headline rows. */
export const FIXTURE: BenchResults = {
  kind: 'ferry-bench-migrate',
  startedAt: '2025-06-02T09:14:03.000Z',
  finishedAt: '2025-06-02T09:41:27.000Z',
  quick: false,
  machine: {
    hostname: 'bench-1', kernel: '6.8.0-57-generic', cpus: 16, cpuModel: 'AMD EPYC 7443P 24-Core Processor', memoryGiB: 62.7,
    node: 'v24.9.0', docker: '28.1.1', criu: '4.1', podman: '5.4.2',
  },
  rows: [...headlineRows, ...slowRows, ...compileRows],
  summary: {
    headline: HEADLINE,
    downtimeRatioVsBaseline: 0.067,
    bytesRatioDeferralVsNone: 0.671,
    totalTimeRatioVsBound: 1.583,
    downtimeRatioVsPodman: 0.097,
    bytesRatioVsCompressedFootprint: 1.167,
    totalTimeRatioVsPodman: 0.731,
    totalTimeRatioTlsVsPlain: 1.056,
    frozenTimeRatioTlsVsPlain: 1.025,
    downtimeRatioTlsVsPlain: 1.056,
    linkThroughputRatioTlsVsPlain: 0.957,
    totalTimeRatioTlsVsPlainAllStrategies: 1.052,
    tlsCosts: [
      { case: HEADLINE, strategy: 'stop-copy', linkBps: { tls: 95 * MB, plain: 100 * MB }, totalRatio: 1.048, frozenRatio: 1.035, downtimeRatio: 1.034, linkRatio: 0.95 },
      { case: HEADLINE, strategy: 'precopy', linkBps: { tls: 110 * MB, plain: 115 * MB }, totalRatio: 1.056, frozenRatio: 1.025, downtimeRatio: 1.056, linkRatio: 0.957 },
    ],
  },
};
