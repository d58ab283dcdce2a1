/**
 * @module domain/pages/page-map — pure: where each page of a dump lives, by process and virtual
 * address. Built from CRIU's pagemaps (domain/pages/criu-pagemap.ts) and the final round's
 * recipe (the content address of every page of every `pages-N.img`), it answers the
 * lazy-pages daemon's question "the pages of process P from address A, N of them" with their
 * content addresses, and says which pages CRIU's restorer reads itself from the page files
 * (those not marked lazy: stacks, file-backed private pages, shared memory), so only those
 * are written before the restore.
 */
import { FerryError } from '../../core/errors.ts';
import { PE_LAZY, PE_PARENT, PE_PRESENT, type Pagemap } from './criu-pagemap.ts';
import { PAGE } from './page-delta.ts';
import type { DumpRecipe } from './recipe.ts';

/** The pages of one dump, by process and address. */
export class PageMap {
  private readonly layout: DumpLayout;
  /** Each page file's content addresses, in file order (the recipe). */
  private readonly files: ReadonlyMap<string, readonly string[]>;

  private constructor(layout: DumpLayout, files: ReadonlyMap<string, readonly string[]>) {
    this.layout = layout;
    this.files = files;
  }

  /**
   * Builds the map from the pagemaps of the dump's processes (by pid) and the recipe; fails
   * with FERRY_ERR_INTEGRITY when the two disagree on how many pages a file holds.
   */
  static build(pagemaps: ReadonlyMap<number, Pagemap>, recipe: DumpRecipe): PageMap {
    const layout = layoutDump(pagemaps, new Map(recipe.files.map((f) => [f.name, f.pages.length])));
    return new PageMap(layout, new Map(recipe.files.map((f) => [f.name, f.pages])));
  }

  /** For each page file, the page indexes the restorer reads itself. */
  get eager(): ReadonlyMap<string, number[]> {
    return this.layout.eager;
  }

  /** Pages the lazy-pages daemon will ask for. */
  get lazyPages(): number {
    return this.layout.lazyPages;
  }

  /** The content addresses of `nrPages` pages of process `pid` from `vaddr`, or undefined when any of them is not a lazy page of the dump. */
  lookup(pid: number, vaddr: number, nrPages: number): string[] | undefined {
    const parts = coverRange(this.layout.lazy.get(pid), vaddr, nrPages);
    if (!parts) return undefined;
    const out: string[] = [];
    for (const { run, from, n } of parts) {
      const pages = this.files.get(run.file) as readonly string[];
      for (let k = 0; k < n; k++) out.push(pages[run.first + from + k] as string);
    }
    return out;
  }
}

/** A piece of a range of pages: `n` pages of `run` from its page `from`. */
export interface RunPart {
  run: LazyRunAt;
  from: number;
  n: number;
}

/**
 * The pieces of the lazy runs (sorted by address) that hold `nrPages` pages from `vaddr`, in
 * order; undefined when any of those pages is not in a run (pure).
 */
export function coverRange(runs: readonly LazyRunAt[] | undefined, vaddr: number, nrPages: number): RunPart[] | undefined {
  if (!runs || nrPages < 1 || vaddr % PAGE !== 0) return undefined;
  const out: RunPart[] = [];
  let want = vaddr;
  let left = nrPages;
  for (let i = lastAtOrBefore(runs, want); left > 0; i++) {
    const run = runs[i];
    if (!run || want < run.vaddr || want >= run.vaddr + run.nrPages * PAGE) return undefined;
    const from = (want - run.vaddr) / PAGE;
    const n = Math.min(run.nrPages - from, left);
    out.push({ run, from, n });
    want += n * PAGE;
    left -= n;
  }
  return out;
}

/** Index of the last run starting at or before `vaddr` (-1 when none). */
function lastAtOrBefore(runs: readonly LazyRunAt[], vaddr: number): number {
  let lo = 0;
  let hi = runs.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if ((runs[mid] as LazyRunAt).vaddr <= vaddr) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

/** A lazily restorable run of a process's pages and where it is in its page file. */
export interface LazyRunAt {
  pid: number;
  vaddr: number;
  nrPages: number;
  file: string;
  /** Index of its first page in the file. */
  first: number;
}

/** How a dump's pages are laid out: each process's lazy runs (sorted by address), each file's eager page indexes. */
export interface DumpLayout {
  lazy: Map<number, LazyRunAt[]>;
  eager: Map<string, number[]>;
  lazyPages: number;
}

/**
 * Lays a dump out from the pagemaps of its processes and the page count of each page file;
 * fails with FERRY_ERR_INTEGRITY when they disagree or a pagemap refers to a parent dump.
 */
export function layoutDump(pagemaps: ReadonlyMap<number, Pagemap>, pageCounts: ReadonlyMap<string, number>): DumpLayout {
  const lazy = new Map<number, LazyRunAt[]>();
  const lazyOf = new Map<string, Set<number>>();
  let lazyPages = 0;
  for (const [pid, pm] of pagemaps) {
    const file = `pages-${pm.pagesId}.img`;
    const count = pageCounts.get(file);
    if (count === undefined) throw new FerryError('FERRY_ERR_INTEGRITY', `the pagemap of process ${pid} names ${file}, which the dump does not hold`);
    const marks = lazyOf.get(file) ?? new Set<number>();
    lazyOf.set(file, marks);
    const runs: LazyRunAt[] = [];
    let at = 0;
    for (const r of pm.runs) {
      if (r.flags & PE_PARENT) throw new FerryError('FERRY_ERR_INTEGRITY', `the pagemap of process ${pid} refers to a parent dump, which ferry never makes`);
      if (!(r.flags & PE_PRESENT)) continue;
      if (r.flags & PE_LAZY) {
        runs.push({ pid, vaddr: r.vaddr, nrPages: r.nrPages, file, first: at });
        for (let i = 0; i < r.nrPages; i++) marks.add(at + i);
        lazyPages += r.nrPages;
      }
      at += r.nrPages;
    }
    if (at !== count) throw new FerryError('FERRY_ERR_INTEGRITY', `the pagemap of process ${pid} counts ${at} pages in ${file}, the dump ${count}; the dump did not arrive whole`);
    lazy.set(pid, runs.sort((a, b) => a.vaddr - b.vaddr));
  }
  const eager = new Map<string, number[]>();
  for (const [file, count] of pageCounts) {
    const marks = lazyOf.get(file);
    const list: number[] = [];
    for (let i = 0; i < count; i++) if (!marks?.has(i)) list.push(i);
    eager.set(file, list);
  }
  return { lazy, eager, lazyPages };
}
