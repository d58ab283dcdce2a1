/**
 * @module domain/pages/dirty-history — pure: how often each memory page changed over the last k
 * pre-copy rounds, and which pages are hot enough to defer to the final round (the patent's
 * history-based transfer delay; Xen's `to_skip`). Pages are named by an index the caller
 * chooses (for example its position in the address-space walk).
 */

/** The deferral policy: a page changed in at least `threshold` of the last `window` rounds waits for the final round. */
export interface DeferralPolicy {
  /** k: how many recent rounds count. */
  window: number;
  /** T: how many of them a page must have changed in to be deferred (0 disables deferral). */
  threshold: number;
}

/** Per-page change history as a bitmask of the last `window` rounds (bit 0 = the latest). */
export class DirtyHistory {
  readonly policy: DeferralPolicy;
  private readonly bits = new Map<number, number>();
  private rounds = 0;

  constructor(policy: DeferralPolicy) {
    if (!Number.isInteger(policy.window) || policy.window < 1 || policy.window > 30) throw new RangeError(`history window must be 1..30 rounds, got ${policy.window}`);
    if (!Number.isInteger(policy.threshold) || policy.threshold < 0 || policy.threshold > policy.window) {
      throw new RangeError(`deferral threshold must be 0..${policy.window}, got ${policy.threshold}`);
    }
    this.policy = policy;
  }

  /** Records one round: `changed` are the pages whose content differs from the previous round. */
  record(changed: Iterable<number>): void {
    const mask = (1 << this.policy.window) - 1;
    for (const [page, b] of this.bits) {
      const next = (b << 1) & mask;
      if (next === 0) this.bits.delete(page);
      else this.bits.set(page, next);
    }
    for (const page of changed) this.bits.set(page, (this.bits.get(page) ?? 0) | 1);
    this.rounds++;
  }

  /** How many of the last `window` rounds changed this page. */
  changeCount(page: number): number {
    return popcount(this.bits.get(page) ?? 0);
  }

  /** True when the page would be hot once the current round (in which it did or did not change) is recorded. */
  hotWith(page: number, changedNow: boolean): boolean {
    if (this.policy.threshold === 0) return false;
    const mask = (1 << this.policy.window) - 1;
    return popcount((((this.bits.get(page) ?? 0) << 1) | (changedNow ? 1 : 0)) & mask) >= this.policy.threshold;
  }

  /** True when the page should wait for the final round. */
  isHot(page: number): boolean {
    return this.policy.threshold > 0 && this.changeCount(page) >= this.policy.threshold;
  }

  /** Splits this round's changed pages into those to send now and those to defer. */
  split(changed: Iterable<number>): { send: number[]; defer: number[] } {
    const send: number[] = [];
    const defer: number[] = [];
    for (const page of changed) (this.isHot(page) ? defer : send).push(page);
    return { send, defer };
  }

  /** Rounds recorded so far. */
  get roundsRecorded(): number {
    return this.rounds;
  }
}

/** Set bits of a 32-bit mask. */
function popcount(mask: number): number {
  let b = mask;
  let n = 0;
  while (b) {
    n += b & 1;
    b >>>= 1;
  }
  return n;
}
