/**
 * @module domain/pages/stop-rule — pure: when to stop pre-copy rounds and freeze. Each rule has a
 * name that the report carries, so the user sees why the rounds ended:
 * - `fits-downtime-budget`: what the final round must still send fits the downtime budget
 *   at the bandwidth measured in the last round (QEMU's rule);
 * - `dirty-set-growing`: the dirty set grew by more than the limit round over round
 *   (P.Haul: "iteration grows");
 * - `dirty-set-converged`: the dirty set shrank by less than the margin round over round:
 *   further rounds resend about as much as they save (the writes outpace what a round
 *   removes), so freezing now costs no more than freezing later;
 * - `too-many-rounds`: the round cap (P.Haul: 8);
 * - `too-many-bytes`: bytes sent reached a multiple of the footprint (Xen: 3×).
 */

/** The stop rules, by name. */
export const STOP_RULES = ['fits-downtime-budget', 'dirty-set-growing', 'dirty-set-converged', 'too-many-rounds', 'too-many-bytes'] as const;
/** A stop rule's name. */
export type StopRuleName = (typeof STOP_RULES)[number];

/** The policy, each part configurable. */
export interface StopPolicy {
  /** Downtime budget for the final round, in ms (QEMU's default 300). */
  downtimeBudgetMs: number;
  /** Largest growth of the dirty set round over round, as a fraction (P.Haul: 0.10). */
  growthLimit: number;
  /** Least shrinking of the dirty set round over round that is worth another round, as a fraction (0: off). */
  shrinkMargin: number;
  /** Most rounds (P.Haul: 8). */
  maxRounds: number;
  /** Most bytes sent in rounds, as a multiple of the footprint (Xen: 3). */
  maxBytesFactor: number;
}

/** The defaults the issue and the literature name. */
export const DEFAULT_STOP_POLICY: StopPolicy = { downtimeBudgetMs: 300, growthLimit: 0.1, shrinkMargin: 0.1, maxRounds: 8, maxBytesFactor: 3 };

/** What one pre-copy round did. */
export interface RoundStats {
  /** Bytes that changed since the previous round (the dirty set), deferred ones included. */
  dirtyBytes: number;
  /** Bytes sent on the wire in this round. */
  sentBytes: number;
  /** Dirty bytes held back for the final round. */
  deferredBytes: number;
  /** Bandwidth measured while this round sent, in bytes per second (0 when nothing was sent). */
  bandwidthBps: number;
}

/** The decision after a round. */
export type StopDecision = { stop: false } | { stop: true; rule: StopRuleName; detail: string };

/**
 * Decides after the latest round (last element of `rounds`). `pendingBytes` is what the
 * final round would have to send now: the latest dirty set plus what is deferred.
 */
export function decideStop(rounds: readonly RoundStats[], pendingBytes: number, footprintBytes: number, policy: StopPolicy = DEFAULT_STOP_POLICY): StopDecision {
  const last = rounds.at(-1);
  if (!last) return { stop: false };
  const bandwidth = lastBandwidth(rounds);
  if (bandwidth > 0) {
    const predictedMs = (pendingBytes / bandwidth) * 1000;
    if (predictedMs <= policy.downtimeBudgetMs) {
      return { stop: true, rule: 'fits-downtime-budget', detail: `final round predicted at ${predictedMs.toFixed(0)} ms (${pendingBytes} bytes at ${(bandwidth / 1e6).toFixed(1)} MB/s) fits the ${policy.downtimeBudgetMs} ms budget` };
    }
  }
  const prev = rounds.at(-2);
  if (prev && prev.dirtyBytes > 0 && last.dirtyBytes > prev.dirtyBytes * (1 + policy.growthLimit)) {
    return { stop: true, rule: 'dirty-set-growing', detail: `dirty set grew from ${prev.dirtyBytes} to ${last.dirtyBytes} bytes (over ${(policy.growthLimit * 100).toFixed(0)} %)` };
  }
  if (prev && prev.dirtyBytes > 0 && policy.shrinkMargin > 0 && last.dirtyBytes > prev.dirtyBytes * (1 - policy.shrinkMargin)) {
    const shrunk = (1 - last.dirtyBytes / prev.dirtyBytes) * 100;
    return { stop: true, rule: 'dirty-set-converged', detail: `dirty set went from ${prev.dirtyBytes} to ${last.dirtyBytes} bytes, ${shrunk.toFixed(0)} % smaller (under the ${(policy.shrinkMargin * 100).toFixed(0)} % margin): more rounds would resend about what they save` };
  }
  if (rounds.length >= policy.maxRounds) return { stop: true, rule: 'too-many-rounds', detail: `${rounds.length} rounds reached the cap of ${policy.maxRounds}` };
  const sent = rounds.reduce((a, r) => a + r.sentBytes, 0);
  if (footprintBytes > 0 && sent >= footprintBytes * policy.maxBytesFactor) {
    return { stop: true, rule: 'too-many-bytes', detail: `${sent} bytes sent reached ${policy.maxBytesFactor}x the ${footprintBytes}-byte footprint` };
  }
  return { stop: false };
}

/** The bandwidth of the latest round that sent something (a quiet round measures nothing). */
function lastBandwidth(rounds: readonly RoundStats[]): number {
  for (let i = rounds.length - 1; i >= 0; i--) {
    const bw = rounds[i]?.bandwidthBps ?? 0;
    if (bw > 0) return bw;
  }
  return 0;
}
