/**
 * @module services/protect/dump-store — a CRIU dump into the object store, incrementally: the pages
 * of its `pages-N.img` files go up as packs, only those no kept point of the protection
 * holds already (the ledger says which); the recipe (every page file as a list of page
 * addresses) and the dump's other files go up as content-defined blocks, so what did not
 * change is not sent again either. New packs stay staged in the ledger until the caller
 * writes the point's manifest.
 */
import { PAGE, pageAddress } from '../../domain/pages/page-delta.ts';
import { PageTracker } from '../../domain/pages/page-tracker.ts';
import type { DumpRecipe } from '../../domain/pages/recipe.ts';
import { dumpPages, isPagesFile } from '../../adapters/process-memory/round-source.ts';
import { storeStream, type StoredChain } from '../prestore/block-chain.ts';
import { PACK_PAGES, PackUploader } from '../prestore/pack-uploader.ts';
import { archiveTree } from '../prestore/tree-archive.ts';
import type { Digest, ObjectStore } from '../../adapters/object-store/object-store.ts';
import { packsOfUpload, type PackLedger } from './pack-ledger.ts';

/** What storing a dump did. */
export interface StoredDump {
  /** Every pack holding a page of the dump (new or stored before). */
  packs: Digest[];
  recipe: StoredChain;
  /** The dump's files other than its page files. */
  checkpoint: StoredChain;
  /** Pages of the dump, and those uploaded now (new content). */
  pages: number;
  uploadedPages: number;
  /** Bytes of the packs, recipe and other files the dump needs, and those that crossed now. */
  bytes: number;
  uploadedBytes: number;
}

/** What the memory part stored. */
interface StoredPages {
  recipe: DumpRecipe;
  packs: Digest[];
  pages: number;
  uploadedPages: number;
  uploadedBytes: number;
  packBytes: number;
}

/** Stores the dump in `dumpDir`: pages the ledger lacks as packs, then the recipe and the other files. */
export async function storeDump(store: ObjectStore, ledger: PackLedger, dumpDir: string, o: { concurrency: number; repackBelow: number }): Promise<StoredDump> {
  const { concurrency } = o;
  const memory = await storePages(store, ledger, dumpDir, o);
  const recipe = await storeStream(store, [Buffer.from(JSON.stringify(memory.recipe))], { concurrency });
  const checkpoint = await storeStream(store, archiveTree(dumpDir, { select: (rel) => !isPagesFile(rel) }), { concurrency });
  return {
    packs: memory.packs, recipe, checkpoint, pages: memory.pages, uploadedPages: memory.uploadedPages,
    bytes: memory.packBytes + recipe.bytes + checkpoint.bytes,
    uploadedBytes: memory.uploadedBytes + recipe.uploadedBytes + checkpoint.uploadedBytes,
  };
}

/** Uploads the dump's pages no reusable pack holds, as packs, and finds the packs the whole recipe needs. */
async function storePages(store: ObjectStore, ledger: PackLedger, dumpDir: string, o: { concurrency: number; repackBelow: number }): Promise<StoredPages> {
  const tracker = new PageTracker({ window: 1, threshold: 0 });
  for (const address of ledger.reusable(o.repackBelow)) tracker.needFinal(address);
  const recipe: DumpRecipe = { files: [] };
  const uploader = new PackUploader(store, { concurrency: o.concurrency });
  const addresses: string[] = [];
  for await (const batch of dumpPages(dumpDir, tracker, recipe)) {
    for (let off = 0; off < batch.length; off += PAGE) addresses.push(pageAddress(batch.subarray(off, off + PAGE)));
    await uploader.addPages(batch);
  }
  const done = await uploader.flush();
  const newPacks = new Map<Digest, number>();
  for (const p of packsOfUpload(done.packs, addresses, PACK_PAGES)) {
    ledger.stage(p);
    newPacks.set(p.pack, p.addresses.length);
  }
  const packs = ledger.packsFor(recipe);
  return {
    recipe, packs,
    pages: recipe.files.reduce((n, f) => n + f.pages.length, 0),
    uploadedPages: done.pages,
    uploadedBytes: done.uploadedBytes,
    packBytes: packs.reduce((n, p) => n + (newPacks.get(p) ?? ledger.pagesOf(p) ?? 0) * PAGE, 0),
  };
}
