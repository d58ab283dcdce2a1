/**
 * @module services/prestore/pack-uploader — pages into the object store: 4 KiB pages are far too
 * small to be objects of their own (a GiB would be a quarter million requests), so they
 * travel in packs of up to 1024 pages, each pack one content-addressed object. Whoever
 * reads a pack addresses its pages itself, so a pack needs no index.
 */
import { asFerryError } from '../../core/errors.ts';
import { PAGE } from '../../domain/pages/page-delta.ts';
import type { Digest, ObjectStore } from '../../adapters/object-store/object-store.ts';

/** Pages per pack (4 MiB). */
export const PACK_PAGES = 1024;

/** What the uploads since the last `flush` did. */
export interface PackBatch {
  /** Packs stored (uploaded now or already present), in the order they were cut. */
  packs: Digest[];
  pages: number;
  /** Bytes that crossed to the store (packs it already held do not count). */
  uploadedBytes: number;
}

/** Cuts pages into packs and stores each as it fills, a few uploads in flight. */
export class PackUploader {
  private readonly store: ObjectStore;
  private readonly concurrency: number;
  private buf = Buffer.allocUnsafe(PACK_PAGES * PAGE);
  private used = 0;
  private readonly inFlight = new Set<Promise<void>>();
  private failure: Error | undefined;
  private batch: PackBatch = { packs: [], pages: 0, uploadedBytes: 0 };
  /** Pack slots in cut order; filled as uploads finish, so `packs` keeps the cut order. */
  private slots: Array<Digest | undefined> = [];

  constructor(store: ObjectStore, options: { concurrency?: number } = {}) {
    this.store = store;
    this.concurrency = options.concurrency ?? 4;
  }

  /** Adds one page (copied); waits when too many uploads are in flight. */
  async add(page: Buffer): Promise<void> {
    page.copy(this.buf, this.used);
    this.used += PAGE;
    this.batch.pages++;
    if (this.used === this.buf.length) await this.cut();
  }

  /** Adds a batch of whole pages. */
  async addPages(pages: Buffer): Promise<void> {
    for (let off = 0; off < pages.length; off += PAGE) await this.add(pages.subarray(off, off + PAGE));
  }

  /** Stores the partial pack and waits for every upload; returns what was stored since the last flush. */
  async flush(): Promise<PackBatch> {
    if (this.used) await this.cut();
    await Promise.all(this.inFlight);
    if (this.failure) throw this.failure;
    const done: PackBatch = { ...this.batch, packs: this.slots as Digest[] };
    this.batch = { packs: [], pages: 0, uploadedBytes: 0 };
    this.slots = [];
    return done;
  }

  private async cut(): Promise<void> {
    const pack = this.buf.subarray(0, this.used);
    this.buf = Buffer.allocUnsafe(PACK_PAGES * PAGE);
    this.used = 0;
    const slot = this.slots.push(undefined) - 1;
    while (this.inFlight.size >= this.concurrency) await Promise.race(this.inFlight);
    if (this.failure) throw this.failure;
    const upload = this.store.put(pack).then(
      ({ digest, uploaded }) => {
        this.slots[slot] = digest;
        if (uploaded) this.batch.uploadedBytes += pack.length;
      },
      (err: unknown) => void (this.failure ??= asFerryError(err, 'FERRY_ERR_STORE_UNREACHABLE')),
    );
    const tracked = upload.finally(() => this.inFlight.delete(tracked));
    this.inFlight.add(tracked);
  }
}
