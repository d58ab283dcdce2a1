/**
 * @module services/migration/prestore-memory — the source's side of pre-storage (PF-Docker): in
 * each round the pages the tracker lets through (stable: changed in fewer than `threshold`
 * of the last `window` rounds) go into the object store as packs instead of down the data
 * link, and the destination is told which packs to fetch while the next round runs. Flowing
 * pages wait for the stop. After the final dump it counts the uploads that went stale.
 */
import type { ObjectStore } from '../../adapters/object-store/object-store.ts';
import { PackUploader } from '../prestore/pack-uploader.ts';
import { PAGE } from '../../domain/pages/page-delta.ts';
import type { DumpRecipe } from '../../domain/pages/recipe.ts';
import type { PrestoreReport } from '../../domain/migration/report.ts';

/** Pages into the store, round by round, for one migration. */
export class PrestoreMemory {
  private readonly uploader: PackUploader;
  private readonly report: PrestoreReport;
  private readonly announce: (packs: string[]) => Promise<unknown>;
  /** Addresses of every page uploaded (each once). */
  private readonly uploaded = new Set<string>();
  private last = { uploadedPages: 0, uploadedBytes: 0, ms: 0 };

  constructor(store: ObjectStore, report: PrestoreReport, announce: (packs: string[]) => Promise<unknown>, concurrency: number) {
    this.uploader = new PackUploader(store, { concurrency });
    this.report = report;
    this.announce = announce;
  }

  /** Hears the address of every page the round lets through. */
  readonly onSend = (address: string): void => void this.uploaded.add(address);

  /** Uploads one round's pages and announces the packs; returns the bytes that crossed to the store. */
  async round(pages: AsyncIterable<Buffer>): Promise<number> {
    const started = Date.now();
    for await (const batch of pages) await this.uploader.addPages(batch);
    const done = await this.uploader.flush();
    if (done.packs.length) await this.announce(done.packs);
    const r = this.report;
    r.uploadedPages += done.pages;
    r.uploadedBytes += done.uploadedBytes;
    r.packs += done.packs.length;
    this.last = { uploadedPages: done.pages, uploadedBytes: done.uploadedBytes, ms: Date.now() - started };
    return done.uploadedBytes;
  }

  /** Records the round just uploaded, with the pages the threshold held back as flowing. */
  record(round: number, flowingPages: number): void {
    this.report.rounds.push({ round, ...this.last, flowingPages });
  }

  /** Counts uploaded pages the final dump does not hold: uploads that went stale. */
  countStale(recipe: DumpRecipe): void {
    const final = new Set<string>();
    for (const f of recipe.files) for (const a of f.pages) final.add(a);
    let stale = 0;
    for (const a of this.uploaded) if (!final.has(a)) stale++;
    this.report.stalePages = stale;
    this.report.staleBytes = stale * PAGE;
  }
}
