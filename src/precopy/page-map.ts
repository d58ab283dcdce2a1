/**
 * @module precopy/page-map — pure: where each page of a dump lives, by process and virtual
 * address. Built from CRIU's pagemaps (precopy/criu-pagemap.ts) and the final round's
 * recipe (the content address of every page of every `pages-N.img`), it answers the
 * lazy-pages daemon's question "the pages of process P from address A, N of them" with their
 * content addresses, and says which pages CRIU's restorer reads itself from the page files
 * (those not marked lazy: stacks, file-backed private pages, shared memory), so only those
 * are written before the restore.
 */
import { FerryError } from '../core/errors.ts';
import { PE_LAZY, PE_PARENT, PE_PRESENT, type Pagemap } from './criu-pagemap.ts';
import { PAGE } from './page-delta.ts';
import type { DumpRecipe } from './recipe.ts';

/** A run of lazily restorable pages: `nrPages` from `vaddr`, found from page `first` of a recipe file. */
interface LazyRun {
  vaddr: number;
  nrPages: number;
  pages: readonly string[];
  first: number;
}

/** The pages of one dump, by process and address. */
export class PageMap {
  /** Lazy runs of each process, sorted by address. */
  private readonly runs = new Map<number, LazyRun[]>();
  /** For each page file, the page indexes the restorer reads itself. */
  readonly eager = new Map<string, number[]>();
  /** Pages the lazy-pages daemon will ask for. */
  lazyPages = 0;

  /**
   * Builds the map from the pagemaps of the dump's processes (by pid) and the recipe; fails
   * with FERRY_ERR_INTEGRITY when the two disagree on how many pages a file holds.
   */
  static build(pagemaps: ReadonlyMap<number, Pagemap>, recipe: DumpRecipe): PageMap {
    const map = new PageMap();
    const files = new Map(recipe.files.map((f) => [f.name, f.pages]));
    const lazyOf = new Map<string, Set<number>>();
    for (const [pid, pm] of pagemaps) {
      const name = `pages-${pm.pagesId}.img`;
      const pages = files.get(name);
      if (!pages) throw new FerryError('FERRY_ERR_INTEGRITY', `the pagemap of process ${pid} names ${name}, which the final round did not describe`);
      const lazy = lazyOf.get(name) ?? new Set<number>();
      lazyOf.set(name, lazy);
      const runs: LazyRun[] = [];
      let at = 0;
      for (const r of pm.runs) {
        if (r.flags & PE_PARENT) throw new FerryError('FERRY_ERR_INTEGRITY', `the pagemap of process ${pid} refers to a parent dump, which ferry never makes`);
        if (!(r.flags & PE_PRESENT)) continue;
        if (r.flags & PE_LAZY) {
          runs.push({ vaddr: r.vaddr, nrPages: r.nrPages, pages, first: at });
          for (let i = 0; i < r.nrPages; i++) lazy.add(at + i);
          map.lazyPages += r.nrPages;
        }
        at += r.nrPages;
      }
      if (at !== pages.length) throw new FerryError('FERRY_ERR_INTEGRITY', `the pagemap of process ${pid} counts ${at} pages in ${name}, the recipe ${pages.length}; the dump did not arrive whole`);
      map.runs.set(pid, runs.sort((a, b) => a.vaddr - b.vaddr));
    }
    for (const f of recipe.files) {
      const lazy = lazyOf.get(f.name);
      const eager: number[] = [];
      for (let i = 0; i < f.pages.length; i++) if (!lazy?.has(i)) eager.push(i);
      map.eager.set(f.name, eager);
    }
    return map;
  }

  /** The content addresses of `nrPages` pages of process `pid` from `vaddr`, or undefined when any of them is not a lazy page of the dump. */
  lookup(pid: number, vaddr: number, nrPages: number): string[] | undefined {
    const runs = this.runs.get(pid);
    if (!runs || nrPages < 1 || vaddr % PAGE !== 0) return undefined;
    const out: string[] = [];
    let want = vaddr;
    let i = lastAtOrBefore(runs, want);
    while (out.length < nrPages) {
      const r = runs[i];
      if (!r || want < r.vaddr || want >= r.vaddr + r.nrPages * PAGE) return undefined;
      const from = (want - r.vaddr) / PAGE;
      const take = Math.min(r.nrPages - from, nrPages - out.length);
      for (let k = 0; k < take; k++) out.push(r.pages[r.first + from + k] as string);
      want += take * PAGE;
      i++;
    }
    return out;
  }
}

/** Index of the last run starting at or before `vaddr` (-1 when none). */
function lastAtOrBefore(runs: readonly LazyRun[], vaddr: number): number {
  let lo = 0;
  let hi = runs.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if ((runs[mid] as LazyRun).vaddr <= vaddr) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}
