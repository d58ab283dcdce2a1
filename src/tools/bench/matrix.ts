/**
 * @module tools/bench/matrix — pure: which cases and strategies `ferry bench migrate` runs. The
 * quick matrix fits in a few minutes; the full one adds the headline case (stream 1 GiB
 * dirtying 50 MB/s over 1 Gbit/s, the targets), a slower link and the other
 * workloads.
 */
import { sameCase } from './cases.ts';
import type { BenchCase, BenchStrategy } from './results.ts';

/** The case whose ratios the summary carries. */
export const HEADLINE: BenchCase = { workload: 'stream', sizeMiB: 1024, dirtyMBps: 50, bandwidthMbit: 1000 };

/** The case with no memory to speak of (loop: a tiny process), the floor of a strategy's downtime. */
export const LOOP: BenchCase = { workload: 'loop', sizeMiB: 0, dirtyMBps: 0, bandwidthMbit: 1000 };

/** Strategies that run (the bound is computed beside them). */
export const RUN_STRATEGIES: readonly Exclude<BenchStrategy, 'bound'>[] = ['baseline-stopcopy', 'podman', 'stop-copy', 'precopy-nodefer', 'precopy', 'prestore-nothreshold', 'prestore', 'postcopy'];

/** The matrix: quick for CI-sized runs, full for the committed results. */
export function benchCases(quick: boolean): BenchCase[] {
  if (quick) return [{ workload: 'stream', sizeMiB: 256, dirtyMBps: 20, bandwidthMbit: 1000 }];
  return [
    HEADLINE,
    { ...HEADLINE, hotPercent: 10 },
    { workload: 'stream', sizeMiB: 256, dirtyMBps: 20, bandwidthMbit: 1000 },
    { workload: 'stream', sizeMiB: 256, dirtyMBps: 20, bandwidthMbit: 200 },
    LOOP,
    { workload: 'compile', sizeMiB: 0, dirtyMBps: 0, bandwidthMbit: 1000 },
  ];
}

/** The strategies that move a container over ferry's links (not the baselines, not the computed bound). */
export function isFerryStrategy(s: BenchStrategy): s is Exclude<BenchStrategy, 'baseline-stopcopy' | 'podman' | 'bound'> {
  return s !== 'baseline-stopcopy' && s !== 'podman' && s !== 'bound';
}

/**
 * The cases whose ferry rows also run with TLS off: a run of one case (--quick, --headline,
 * --loop) twins every ferry row; the full matrix twins only the headline case, which its
 * summary reads, so the run grows by one case's ferry rows, not six.
 */
export function tlsOffCases(cases: readonly BenchCase[]): BenchCase[] {
  return cases.length === 1 ? [...cases] : cases.filter((c) => sameCase(c, HEADLINE));
}

/**
 * The links each row of a strategy runs over, in order: one TLS row for the baselines and for
 * cases without twins; otherwise the TLS row and its TLS-off twin back to back, the order
 * flipped every other ferry strategy (on-off, off-on, …) so a drift of the machine during the
 * run weighs on both sides alike.
 */
export function linkOrder(strategy: BenchStrategy, ferryIndex: number, twins: boolean): boolean[] {
  if (!twins || !isFerryStrategy(strategy)) return [true];
  return ferryIndex % 2 === 0 ? [true, false] : [false, true];
}

/** The environment that makes a workload hold `sizeMiB` and dirty `dirtyMBps`. */
export function workloadEnv(c: BenchCase): string[] {
  if (c.workload === 'stream') return [`STREAM_MIB=${c.sizeMiB}`, `DIRTY_MBPS=${c.dirtyMBps}`, ...(c.hotPercent ? [`HOT_PERCENT=${c.hotPercent}`, 'HOT_SHARE=90'] : [])];
  return [];
}

/** How long a workload runs before it is moved: long enough to fill its memory and settle. */
export function warmupMs(c: BenchCase): number {
  return 5000 + c.sizeMiB * 8;
}

/** The ferry strategy a benchmark row runs. */
export function ferryStrategy(strategy: BenchStrategy): 'stop-copy' | 'precopy' | 'prestore' | 'postcopy' {
  return strategy === 'stop-copy' || strategy === 'postcopy' ? strategy : strategy.startsWith('prestore') ? 'prestore' : 'precopy';
}

/** The pre-storage overrides of a ferry strategy: the threshold disabled for the comparison row. */
export function prestoreOptions(strategy: BenchStrategy): { threshold: number } | undefined {
  return strategy === 'prestore-nothreshold' ? { threshold: 0 } : undefined;
}

/** The pre-copy overrides of a ferry strategy (the defaults otherwise). */
export function precopyOptions(strategy: BenchStrategy): { deferThreshold: number } | undefined {
  return strategy === 'precopy-nodefer' ? { deferThreshold: 0 } : undefined;
}
