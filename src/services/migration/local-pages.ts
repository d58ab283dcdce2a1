/**
 * @module services/migration/local-pages — the destination's pages of a pre-copy migration, served to
 * CRIU's lazy-pages daemon straight from the page store: only the pages CRIU's restorer
 * reads itself (not marked lazy) are written into the page files, as sparse files of full
 * length, so the frozen time no longer includes writing the whole memory to disk (2.3 s per
 * GiB measured here, whether the files are on disk or tmpfs) before the restore.
 */
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { parsePagemap, type Pagemap } from '../../domain/pages/criu-pagemap.ts';
import { PageMap } from '../../domain/pages/page-map.ts';
import type { PageStore } from '../../adapters/process-memory/page-store.ts';
import type { DumpRecipe } from '../../domain/pages/recipe.ts';
import type { PageSource } from '../../adapters/host/page-server.ts';

/** The pagemaps of a dump's processes (`pagemap-PID.img`), by pid. */
export async function readPagemaps(dir: string): Promise<Map<number, Pagemap>> {
  const out = new Map<number, Pagemap>();
  for (const name of await readdir(dir)) {
    const pid = /^pagemap-(\d+)\.img$/.exec(name)?.[1];
    if (pid !== undefined) out.set(Number(pid), parsePagemap(await readFile(path.join(dir, name))));
  }
  return out;
}

/** Writes the eagerly read pages of the dump in `dir` and returns the source of the lazy ones. */
export async function localPages(store: PageStore, recipe: DumpRecipe, dir: string): Promise<PageSource> {
  const map = PageMap.build(await readPagemaps(dir), recipe);
  await store.writeEager(recipe, map.eager, dir);
  const source: PageSource = {
    read: (pid, vaddr, nrPages) => {
      const addresses = map.lookup(pid, vaddr, nrPages);
      return addresses && store.pagesOf(addresses);
    },
  };
  return source;
}
