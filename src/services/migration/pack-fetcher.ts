/**
 * @module services/migration/pack-fetcher — the destination's side of pre-storage: while the source
 * runs its rounds, packs it announced are fetched from the object store, a few at a time,
 * each verified by its digest and then split into pages the page store addresses itself.
 * Restore waits for every announced pack; one failed fetch fails the migration.
 */
import { asFerryError } from '../../core/errors.ts';
import type { PageStore } from '../../adapters/process-memory/page-store.ts';
import type { Digest, ObjectStore } from '../../adapters/object-store/object-store.ts';

/** What the fetcher did so far. */
export interface FetchCounts {
  packs: number;
  bytes: number;
  /** Time at least one fetch was in flight, in ms. */
  busyMs: number;
}

/** Fetches announced packs into a page store in the background. */
export class PackFetcher {
  private readonly store: ObjectStore;
  private readonly pages: PageStore;
  private readonly concurrency: number;
  private readonly queue: Digest[] = [];
  private readonly seen = new Set<Digest>();
  private active = 0;
  private busySince = 0;
  private failure: Error | undefined;
  private idle: Array<() => void> = [];
  private stopped = false;
  readonly counts: FetchCounts = { packs: 0, bytes: 0, busyMs: 0 };

  constructor(store: ObjectStore, pages: PageStore, concurrency: number) {
    this.store = store;
    this.pages = pages;
    this.concurrency = concurrency;
  }

  /** Queues packs (a pack announced twice is fetched once). */
  add(packs: readonly Digest[]): void {
    for (const p of packs) {
      if (this.seen.has(p)) continue;
      this.seen.add(p);
      this.queue.push(p);
    }
    this.pump();
  }

  /** Resolves when every queued pack is in the page store; rejects with the first failure. */
  async settled(): Promise<void> {
    if (this.active || this.queue.length) await new Promise<void>((done) => this.idle.push(done));
    if (this.failure) throw this.failure;
  }

  /** Stops fetching (an aborted migration). */
  stop(): void {
    this.stopped = true;
    this.queue.length = 0;
  }

  private pump(): void {
    while (!this.stopped && !this.failure && this.active < this.concurrency && this.queue.length) {
      const digest = this.queue.shift() as Digest;
      if (this.active++ === 0) this.busySince = Date.now();
      void this.store.get(digest).then(
        (bytes) => {
          if (this.stopped) return;
          this.pages.putPages(bytes);
          this.counts.packs++;
          this.counts.bytes += bytes.length;
        },
      ).catch((err: unknown) => void (this.failure ??= asFerryError(err, 'FERRY_ERR_STORE_UNREACHABLE'))).finally(() => this.done());
    }
    if (this.failure) this.queue.length = 0;
    if (!this.active && !this.queue.length) for (const wake of this.idle.splice(0)) wake();
  }

  private done(): void {
    if (--this.active === 0) this.counts.busyMs += Date.now() - this.busySince;
    this.pump();
  }
}
