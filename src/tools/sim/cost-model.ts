/**
 * @module tools/sim/cost-model — pure: what one live migration costs in the simulator (total time,
 * downtime, bytes on the wire) from the container's memory, its dirty rate, the link's
 * bandwidth and the strategy. The shape is physical, the coefficients come from
 * `ferry bench migrate` (sim/cost-calibration fits them):
 * - every strategy freezes the container for `freezeMs + checkpointMsPerMiB·m +
 *   frozenLineFactor·line(m)`: CRIU dump and restore scale with memory, and what the
 *   destination still has to pull while frozen scales with the link's time for it;
 * - pre-copy and pre-store first run rounds: round 1 sends all of memory, each later round
 *   sends what the workload dirtied during the previous one (`r·sent + k`, a geometric series
 *   towards the fixed point `k / (1 − r)`, capped by memory), until the final round fits the
 *   downtime budget, the dirty set shrinks by less than the margin round over round, or the
 *   round cap is reached — ferry's own stop rules (precopy/stop-rule); the final round's
 *   transfer then adds to the downtime;
 * - total = setup (preflight, staging) + rounds + downtime.
 * The round count is a real number (the series is solved in closed form), which keeps every
 * cost continuous and monotone: more memory or a higher dirty rate never costs less, more
 * bandwidth never costs more — but for one trade the convergence rule makes, as ferry's does:
 * where a higher dirty rate or a slower link makes the dirty set stop shrinking sooner, the
 * rounds end sooner, so the total and the bytes may drop while the downtime grows.
 * Units: memory MiB, dirty rate MB/s (10^6 bytes), bandwidth Mbit/s (10^6 bits), times ms.
 */
import { FerryError } from '../../core/errors.ts';
import { DEFAULT_STOP_POLICY, type StopPolicy } from '../../domain/pages/stop-rule.ts';

/** The strategies the simulator prices. */
export const MIGRATION_STRATEGIES = ['stop-copy', 'precopy', 'prestore'] as const;
/** One priced strategy. */
export type MigrationStrategy = (typeof MIGRATION_STRATEGIES)[number];

/** What a migration is priced from. */
export interface MigrationInput {
  memoryMiB: number;
  /** MB/s (10^6 bytes) of memory the workload rewrites. */
  dirtyRateMBps: number;
  /** Mbit/s of the link between the hosts. */
  bandwidthMbps: number;
  strategy: MigrationStrategy;
}

/** What a migration costs. */
export interface MigrationCost {
  /** From the migrate command to the container running on the destination. */
  totalMs: number;
  /** Time the container is frozen. */
  downtimeMs: number;
  /** Bytes sent by the source, MiB. */
  wireMiB: number;
}

/** The rounds of pre-copy and pre-store: how long one takes and what the workload dirties meanwhile. */
export interface RoundCoefficients {
  /** A round's send time over the link's line-rate time for the same bytes (1: the nominal rate). */
  sendFactor: number;
  /** A round's fixed part per MiB of memory (CRIU walks all of it), ms. */
  scanMsPerMiB: number;
  /** A round's fixed part, ms. */
  roundMs: number;
  /** The workload writes for this share of the line-rate time of what a round sends… */
  dirtySendFactor: number;
  /** …plus this many ms per MiB of memory… */
  dirtyMsPerMiB: number;
  /** …plus this many ms, per round. */
  dirtyMs: number;
}

/** One strategy's fitted coefficients; `rounds` is absent for stop-copy. */
export interface StrategyCoefficients {
  /** Fixed part of the downtime (freeze, CRIU start-up, container start), ms. */
  freezeMs: number;
  /** CRIU dump and restore per MiB of memory, ms. */
  checkpointMsPerMiB: number;
  /** Frozen transfer of all memory, as a multiple of its line-rate time. */
  frozenLineFactor: number;
  /** What the migration spends before rounds or freeze (preflight, staging), ms. */
  setupMs: number;
  /** Wire bytes that do not scale with memory (files, headers), MiB. */
  wireBaseMiB: number;
  /** Wire bytes per MiB the model sends (compression and framing), ratio. */
  wireFactor: number;
  rounds?: RoundCoefficients;
}

/** The parts of ferry's stop policy the round model applies (a dirty set that only shrinks never grows, so not growthLimit). */
export type RoundLimits = Pick<StopPolicy, 'downtimeBudgetMs' | 'maxRounds' | 'shrinkMargin'>;

/** Everything a price needs: coefficients per strategy and the stop policy the rounds run under. */
export interface CostModel {
  strategies: Record<MigrationStrategy, StrategyCoefficients>;
  limits: RoundLimits;
}

/** The stop policy ferry migrates with by default (and the benchmark ran with). */
export const DEFAULT_ROUND_LIMITS: RoundLimits = { downtimeBudgetMs: DEFAULT_STOP_POLICY.downtimeBudgetMs, maxRounds: DEFAULT_STOP_POLICY.maxRounds, shrinkMargin: DEFAULT_STOP_POLICY.shrinkMargin };

/** Mbit in one MiB: 2^20 bytes × 8 bits / 10^6. */
export const MBIT_PER_MIB = 8.388608;
/** MiB in one MB (dirty rates are MB/s). */
export const MIB_PER_MB = 1e6 / 2 ** 20;

/** ms to send `mib` at the line rate of `bandwidthMbps`. */
export function lineMs(mib: number, bandwidthMbps: number): number {
  return (mib * MBIT_PER_MIB * 1000) / bandwidthMbps;
}

/** The rounds of one pre-copy or pre-store migration, as the model plays them. */
export interface RoundPlan {
  /** Rounds before the freeze, a real number ≥ 1 (the closed form of the series). */
  rounds: number;
  /** MiB sent by those rounds. */
  sentMiB: number;
  /** MiB the final (frozen) round sends. */
  finalMiB: number;
  /** Time of the rounds before the freeze, ms. */
  roundsMs: number;
  /** Time of the final round, part of the downtime, ms. */
  finalMs: number;
}

/**
 * Plays the rounds: x₁ = m, x₍ᵢ₊₁₎ = min(m, r·xᵢ + k), stopping after n rounds when x₍ₙ₊₁₎ fits the
 * downtime budget at the send rate, when xₙ > (1 − margin)·x₍ₙ₋₁₎ (n ≥ 2), or at the round cap.
 */
export function planRounds(memoryMiB: number, dirtyRateMBps: number, bandwidthMbps: number, c: RoundCoefficients, limits: RoundLimits): RoundPlan {
  const m = memoryMiB;
  const dirtyMiBps = dirtyRateMBps * MIB_PER_MB;
  const sendMsPerMiB = c.sendFactor * lineMs(1, bandwidthMbps);
  const overheadMs = c.scanMsPerMiB * m + c.roundMs;
  const r = (dirtyMiBps * c.dirtySendFactor * lineMs(1, bandwidthMbps)) / 1000;
  const k = (dirtyMiBps * (c.dirtyMsPerMiB * m + c.dirtyMs)) / 1000;
  // The dirty set settles at k / (1 − r); it cannot exceed memory (then every round resends it all).
  const settled = r < 1 && k < (1 - r) * m ? k / (1 - r) : m;
  const dirtyAfter = (n: number): number => (settled === m ? m : settled + (m - settled) * r ** n);
  const sentBy = (n: number): number => (settled === m ? n * m : n * settled + ((m - settled) * (1 - r ** n)) / (1 - r));
  const budgetMiB = sendMsPerMiB > 0 ? limits.downtimeBudgetMs / sendMsPerMiB : Infinity;
  let untilBudget: number;
  if (dirtyAfter(1) <= budgetMiB) untilBudget = 1;
  else if (settled >= budgetMiB) untilBudget = Infinity;
  else untilBudget = Math.log((budgetMiB - settled) / (m - settled)) / Math.log(r);
  const rounds = Math.max(1, Math.min(limits.maxRounds, untilBudget, untilConverged(m, settled, r, limits.shrinkMargin)));
  const sentMiB = sentBy(rounds);
  const finalMiB = dirtyAfter(rounds);
  return { rounds, sentMiB, finalMiB, roundsMs: sentMiB * sendMsPerMiB + rounds * overheadMs, finalMs: finalMiB * sendMsPerMiB + overheadMs };
}

/**
 * The round after which the dirty set x₍ₙ₎ = s + (m − s)·r^(n−1) first shrinks by less than `margin`:
 * xₙ > (1 − margin)·x₍ₙ₋₁₎ holds from n = 2 + log(margin·s / ((1 − margin − r)(m − s))) / log r on,
 * at once (n = 2) when the set cannot shrink that much, never when it shrinks by r each round
 * towards nothing (s = 0, r < 1 − margin) or the rule is off (margin 0).
 */
function untilConverged(m: number, settled: number, r: number, margin: number): number {
  if (!(margin > 0)) return Infinity;
  if (settled >= m || r >= 1 - margin) return 2;
  if (settled <= 0) return Infinity;
  return 2 + Math.max(0, Math.log((margin * settled) / ((1 - margin - r) * (m - settled))) / Math.log(r));
}

/** The cost of one migration under `model`; refuses inputs that price nothing real. */
export function migrationCost(input: MigrationInput, model: CostModel): MigrationCost {
  checkMigrationInput(input);
  const { memoryMiB: m, bandwidthMbps: bw } = input;
  const c = model.strategies[input.strategy];
  const plan = c.rounds ? planRounds(m, input.dirtyRateMBps, bw, c.rounds, model.limits) : undefined;
  const downtimeMs = c.freezeMs + c.checkpointMsPerMiB * m + c.frozenLineFactor * lineMs(m, bw) + (plan?.finalMs ?? 0);
  const sent = plan ? plan.sentMiB + plan.finalMiB : m;
  return { totalMs: c.setupMs + (plan?.roundsMs ?? 0) + downtimeMs, downtimeMs, wireMiB: c.wireBaseMiB + c.wireFactor * sent };
}

/** Refuses what no migration can be: negative or non-finite sizes, a link without bandwidth, an unknown strategy. */
export function checkMigrationInput(input: MigrationInput): void {
  const bad = (field: string, value: unknown, fix: string): never => {
    throw new FerryError('FERRY_ERR_INVALID_INPUT', `migration cost: ${field} ${String(value)} is not valid; ${fix}`);
  };
  if (!Number.isFinite(input.memoryMiB) || input.memoryMiB < 0) bad('memoryMiB', input.memoryMiB, 'give the container\'s memory in MiB, 0 or more');
  if (!Number.isFinite(input.dirtyRateMBps) || input.dirtyRateMBps < 0) bad('dirtyRateMBps', input.dirtyRateMBps, 'give the rate the container rewrites memory in MB/s, 0 or more');
  if (!Number.isFinite(input.bandwidthMbps) || input.bandwidthMbps <= 0) bad('bandwidthMbps', input.bandwidthMbps, 'give the link bandwidth in Mbit/s, more than 0');
  if (!(MIGRATION_STRATEGIES as readonly string[]).includes(input.strategy)) bad('strategy', input.strategy, `use one of ${MIGRATION_STRATEGIES.join(', ')}`);
}
