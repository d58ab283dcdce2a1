/**
 * @module tools/bench/results — the shape of `ferry bench migrate` results, shared by the runner,
 * the baselines and the renderer. One row per (case, strategy); the JSON file carries the
 * rows, the machine they ran on, and a summary of the headline case for regression scripts.
 */

/** Every strategy a benchmark row can name; `bound` is computed, not run. */
export const BENCH_STRATEGIES = ['baseline-stopcopy', 'podman', 'stop-copy', 'precopy-nodefer', 'precopy', 'prestore-nothreshold', 'prestore', 'postcopy', 'bound'] as const;
/** One of the benchmarked strategies. */
export type BenchStrategy = (typeof BENCH_STRATEGIES)[number];

/** One cell of the matrix: what migrates, and over what link. */
export interface BenchCase {
  workload: 'stream' | 'loop' | 'compile';
  /** Resident memory the workload holds, MiB. */
  sizeMiB: number;
  /** Rate at which it rewrites memory, MB/s (0 for workloads that set their own). */
  dirtyMBps: number;
  /** Skew of the writes: this % of the pages takes 90 % of them (absent: uniform). */
  hotPercent?: number;
  bandwidthMbit: number;
}

/** One pre-copy round as the report gives it. */
export interface BenchRound {
  round: number;
  /** The frozen round (after the dump): dirty pages are then the dump's pages. */
  final?: boolean;
  /** Pages that changed since the previous round (all non-zero pages in round 1). */
  dirtyPages: number;
  /** Pages held back by the history rule this round. */
  deferredPages: number;
  sentPages: number;
  rawBytes: number;
  wireBytes: number;
  ms: number;
}

/** One strategy run on one case. */
export interface BenchRow {
  case: BenchCase;
  strategy: BenchStrategy;
  ok: boolean;
  /**
   * Ferry rows: whether every link (control API, data link) ran over mutual TLS 1.3 — true on
   * the benchmark's own test bed; false for the row's twin on a second bed with testbed.tls=false
   * (plain TCP with the token). Absent for the baselines and the bound, which use no ferry link.
   */
  tls?: boolean;
  /** Why the run failed or what is off about it, in words. */
  problem?: string;
  /** Where the hosts' logs (agents, dockerds, CRIU) were kept when the row failed (testbed.keptLogsDir). */
  keptLogs?: string;
  /** Longest silence of the workload's heartbeat across the migration (what an outside probe sees), ms. */
  downtimeMs?: number;
  /** From freeze (pause or checkpoint start) to the restored container running, ms. */
  frozenMs?: number;
  /** From the start of the migration command to the restored container running, ms. */
  totalMs?: number;
  /** Bytes that crossed the source host's link (its veth counters), headers included. */
  wireBytes?: number;
  /** Ferry rows: the data link's throughput over its bulk transfer (wire bytes per second; see tls-cost.ts for which transfer). */
  linkBps?: number;
  /** Resident memory plus writable-layer bytes of the container at the start. */
  footprintBytes?: number;
  /** The footprint after zstd (level 1), for the physical bound. */
  compressedFootprintBytes?: number;
  rounds?: BenchRound[];
  /** The stop rule that ended the pre-copy rounds. */
  stopRule?: string;
  /** How the destination restored (ferry rows): thin, or thin-lazy (memory filled after resume). */
  restoredBy?: string;
  /** Lazy restore: from resume until every page was in, while the container ran, ms. */
  lazyWindowMs?: number;
  /** Where the frozen time went (ferry rows): freeze, CRIU's dump, transfer while frozen, restore, the rest. */
  frozenParts?: { freezeMs: number; dumpMs: number; transferMs: number; restoreMs: number; otherMs: number };
  /** The workload's pace (beats per second) during the lazy window over its pace before the migration. */
  lazyPace?: number;
  /** Named phase durations as the strategy reports them, ms. */
  phases?: Record<string, number>;
  /** Pre-storage (prestore rows): bytes through the object store and direct, and uploads that went stale. */
  prestore?: BenchPrestore;
}

/** What a pre-stored migration moved where. */
export interface BenchPrestore {
  /** The migration's own footprint (memory pages and files at round 1), bytes. */
  footprintBytes: number;
  /** Bytes sent source→destination directly (data link). */
  directBytes: number;
  uploadedBytes: number;
  fetchedBytes: number;
  staleBytes: number;
  imageUploadedBytes: number;
}

/** The machine a benchmark ran on. */
export interface BenchMachine {
  hostname: string;
  kernel: string;
  cpus: number;
  cpuModel: string;
  memoryGiB: number;
  node: string;
  docker: string;
  criu: string;
  podman?: string;
}

/** The headline case's ratios, for scripts that track regressions. Absent when a side did not run. */
export interface BenchSummary {
  headline: BenchCase;
  downtimeRatioVsBaseline?: number;
  bytesRatioDeferralVsNone?: number;
  totalTimeRatioVsBound?: number;
  downtimeRatioVsPodman?: number;
  /** Wire bytes of ferry precopy over the compressed footprint. */
  bytesRatioVsCompressedFootprint?: number;
  totalTimeRatioVsPodman?: number;
  /** prestore: bytes sent source→destination directly over the footprint. */
  directBytesShare?: number;
  /** prestore: stale uploaded bytes over those of the same case with the threshold disabled. */
  staleUploadRatioVsNoThreshold?: number;
  /** prestore: downtime over precopy's. */
  downtimeRatioPrestoreVsPrecopy?: number;
  /** The three prestore ratios for every case that ran prestore (the headline's are also above). */
  prestoreByCase?: Array<{ case: BenchCase; directBytesShare?: number; staleUploadRatioVsNoThreshold?: number; downtimeRatioPrestoreVsPrecopy?: number }>;
  /** precopy's total time with TLS on every link over its twin's with TLS off. */
  totalTimeRatioTlsVsPlain?: number;
  /** precopy's frozen time with TLS over without. */
  frozenTimeRatioTlsVsPlain?: number;
  /** precopy's downtime (probe) with TLS over without. */
  downtimeRatioTlsVsPlain?: number;
  /** precopy's data-link throughput with TLS over without. */
  linkThroughputRatioTlsVsPlain?: number;
  /** The geometric mean of the total-time ratio over every ferry strategy with both twins (less noise than one pair). */
  totalTimeRatioTlsVsPlainAllStrategies?: number;
  /** What TLS cost each ferry strategy, for every case that ran TLS-off twins. */
  tlsCosts?: BenchTlsCost[];
}

/** What TLS cost one ferry strategy in one case: each measure with TLS over without (absent when a twin failed or lacks it). */
export interface BenchTlsCost {
  case: BenchCase;
  strategy: BenchStrategy;
  totalRatio?: number;
  frozenRatio?: number;
  downtimeRatio?: number;
  /** The data link's throughput, wire bytes per second, with TLS and without. */
  linkBps: { tls?: number; plain?: number };
  linkRatio?: number;
}

/** A whole benchmark run. */
export interface BenchResults {
  kind: 'ferry-bench-migrate';
  startedAt: string;
  finishedAt: string;
  quick: boolean;
  machine: BenchMachine;
  rows: BenchRow[];
  summary: BenchSummary;
}
