/**
 * @module domain/pages/page-tracker — pure: the source's view of one pre-copy migration's
 * memory. Pages are observed round by round as (key, content address); the tracker says
 * for each whether to send it now, skip it (zero, unchanged, or content the destination
 * already holds) or defer it (hot by the history rule), and it counts what each round did.
 * The destination is assumed to hold exactly the addresses the tracker told the caller to
 * send, so the caller must send every page it was told to, or fail the migration.
 */
import { DirtyHistory, type DeferralPolicy } from './dirty-history.ts';
import { PAGE, ZERO_PAGE } from './page-delta.ts';

/** What to do with one observed page. */
export type PageVerdict = 'send' | 'defer' | 'skip';

/** What one round observed and did. */
export interface RoundCount {
  round: number;
  /** Pages whose content differs from what the previous round saw (new pages included; all non-zero pages in round 1). */
  dirtyPages: number;
  /** Pages held back this round by the history rule. */
  deferredPages: number;
  /** Pages to send this round. */
  sentPages: number;
  /** Pages whose latest content the destination lacks after this round (deferred now or before). */
  pendingPages: number;
  /** What the final round would send if it started now: this round's dirty set plus older pending pages, in bytes. */
  pendingBytes: number;
}

/** Tracks pages across rounds; one instance per migration. */
export class PageTracker {
  private readonly history: DirtyHistory;
  /** Content address of each page key at its latest observation. */
  private readonly last = new Map<number, string>();
  /** Addresses the destination holds (sent, or to be sent in this round). */
  private readonly held = new Set<string>();
  /** Keys whose latest content the destination lacks. */
  private readonly pending = new Set<number>();
  private round = 0;
  private dirty = new Set<number>();
  private changed: number[] = [];
  private deferred = 0;
  private sent = 0;

  constructor(policy: DeferralPolicy) {
    this.history = new DirtyHistory(policy);
  }

  /** Starts the next round. */
  beginRound(): void {
    this.round++;
    this.dirty = new Set();
    this.changed = [];
    this.deferred = 0;
    this.sent = 0;
  }

  /** Observes page `key` with content `address` during the current round. */
  observe(key: number, address: string): PageVerdict {
    const prev = this.last.get(key);
    const changed = prev !== address;
    if (changed) {
      this.last.set(key, address);
      if (address !== ZERO_PAGE || prev !== undefined) this.dirty.add(key);
      // First sight is not a change for the history: round 1 sees every page for the first time.
      if (prev !== undefined) this.changed.push(key);
    }
    if (address === ZERO_PAGE || this.held.has(address)) {
      this.pending.delete(key);
      return 'skip';
    }
    if (this.history.hotWith(key, changed && prev !== undefined)) {
      this.pending.add(key);
      this.deferred++;
      return 'defer';
    }
    this.pending.delete(key);
    this.held.add(address);
    this.sent++;
    return 'send';
  }

  /** Ends the current round and records its changes in the history. */
  endRound(): RoundCount {
    this.history.record(this.changed);
    let olderPending = 0;
    for (const key of this.pending) if (!this.dirty.has(key)) olderPending++;
    return {
      round: this.round,
      dirtyPages: this.dirty.size,
      deferredPages: this.deferred,
      sentPages: this.sent,
      pendingPages: this.pending.size,
      pendingBytes: (this.dirty.size + olderPending) * PAGE,
    };
  }

  /**
   * The final round (source frozen): true when a page of the dump must cross because the
   * destination lacks its content; the address then counts as held, so duplicates cross once.
   */
  needFinal(address: string): boolean {
    if (address === ZERO_PAGE || this.held.has(address)) return false;
    this.held.add(address);
    return true;
  }

  /** Distinct addresses the destination holds. */
  get heldPages(): number {
    return this.held.size;
  }
}
