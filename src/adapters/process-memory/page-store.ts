/**
 * @module adapters/process-memory/page-store — the destination's store of pages for one pre-copy
 * migration: pages in memory slabs plus an index from content address to position, so the
 * rebuild copies at memory speed whatever order the dump wants them in (a file store
 * measured 4.2 s for 256 MiB in random order here; the memory the store takes is memory the
 * restored container is about to need on this host anyway). Every page
 * is addressed by the destination itself as it arrives, so what is held is what its address
 * says; the rebuild of the dump's page files then needs no trust in the sender beyond the
 * recipe, which only names addresses.
 */
import { open } from 'node:fs/promises';
import { Writable } from 'node:stream';
import { FerryError } from '../../core/errors.ts';
import { PAGE, ZERO_PAGE, pageAddress } from '../../domain/pages/page-delta.ts';
import type { DumpRecipe } from '../../domain/pages/recipe.ts';

/** How many bytes a rebuild writes at once. */
const REBUILD_WINDOW = 8 << 20;
/** Pages per memory slab (32 MiB). */
const SLAB_PAGES = 8192;

/** Pages of one migration, by content address. */
export class PageStore {
  private readonly slabs: Buffer[] = [];
  /** Page number in the store (slab × SLAB_PAGES + slot), by address. */
  private readonly index = new Map<string, number>();
  private next = 0;
  private received = 0;

  /** An empty store. */
  static create(): PageStore {
    return new PageStore();
  }

  /** True when the store holds a page with this address (the zero page is always held). */
  has(address: string): boolean {
    return address === ZERO_PAGE || this.index.has(address);
  }

  /** Distinct pages held, and pages received (duplicates included). */
  get counts(): { held: number; received: number } {
    return { held: this.index.size, received: this.received };
  }

  /** Stores the whole pages of `bytes`, each under the address computed here. */
  putPages(bytes: Buffer): void {
    if (bytes.length % PAGE !== 0) throw new FerryError('FERRY_ERR_PROTOCOL', `a page batch of ${bytes.length} bytes is not a whole number of pages`);
    for (let off = 0; off < bytes.length; off += PAGE) {
      const page = bytes.subarray(off, off + PAGE);
      const address = pageAddress(page);
      this.received++;
      if (this.has(address)) continue;
      const slab = Math.floor(this.next / SLAB_PAGES);
      if (slab === this.slabs.length) this.slabs.push(Buffer.allocUnsafeSlow(SLAB_PAGES * PAGE));
      page.copy(this.slabs[slab] as Buffer, (this.next % SLAB_PAGES) * PAGE);
      this.index.set(address, this.next++);
    }
  }

  /** A held page (a view into the store), or undefined. */
  private page(address: string): Buffer | undefined {
    const n = this.index.get(address);
    if (n === undefined) return undefined;
    const at = (n % SLAB_PAGES) * PAGE;
    return (this.slabs[Math.floor(n / SLAB_PAGES)] as Buffer).subarray(at, at + PAGE);
  }

  /** A writable for a data-link stream of pages; a stream that ends mid-page fails. */
  sink(): Writable {
    let rest = Buffer.alloc(0);
    return new Writable({
      write: (chunk: Buffer, _enc, done) => {
        const all = rest.length ? Buffer.concat([rest, chunk]) : chunk;
        const whole = all.length - (all.length % PAGE);
        rest = Buffer.from(all.subarray(whole));
        try {
          this.putPages(all.subarray(0, whole));
          done();
        } catch (err) {
          done(err as Error);
        }
      },
      final: (done) => done(rest.length ? new FerryError('FERRY_ERR_PROTOCOL', `the page stream ended ${rest.length} bytes into a page`) : null),
    });
  }

  /** The first address of the recipe the store lacks, or undefined when it can rebuild every file. */
  missing(recipe: DumpRecipe): string | undefined {
    for (const f of recipe.files) for (const a of f.pages) if (!this.has(a)) return a;
    return undefined;
  }

  /** Writes each file of the recipe into `dir` from held pages. Fails before writing when a page is missing. */
  async rebuild(recipe: DumpRecipe, dir: string): Promise<{ files: number; bytes: number }> {
    const lacking = this.missing(recipe);
    if (lacking) throw new FerryError('FERRY_ERR_INTEGRITY', `the page recipe names page ${lacking}, which never arrived; the dump cannot be rebuilt`);
    const window = Buffer.allocUnsafe(REBUILD_WINDOW);
    let bytes = 0;
    for (const f of recipe.files) {
      const out = await open(`${dir}/${f.name}`, 'wx', 0o600);
      try {
        let used = 0;
        for (const address of f.pages) {
          if (address === ZERO_PAGE) window.fill(0, used, used + PAGE);
          else (this.page(address) as Buffer).copy(window, used);
          used += PAGE;
          if (used === REBUILD_WINDOW) {
            await out.write(window, 0, used);
            used = 0;
          }
        }
        if (used) await out.write(window, 0, used);
        bytes += f.pages.length * PAGE;
      } finally {
        await out.close();
      }
    }
    return { files: recipe.files.length, bytes };
  }

  /** The held pages of `addresses`, in order, as one buffer; undefined when one is missing. */
  pagesOf(addresses: readonly string[]): Buffer | undefined {
    const out = Buffer.allocUnsafe(addresses.length * PAGE);
    for (let i = 0; i < addresses.length; i++) {
      const a = addresses[i] as string;
      if (a === ZERO_PAGE) out.fill(0, i * PAGE, (i + 1) * PAGE);
      else {
        const page = this.page(a);
        if (!page) return undefined;
        page.copy(out, i * PAGE);
      }
    }
    return out;
  }

  /**
   * Writes each file of the recipe into `dir` as a sparse file of its full length holding
   * only the pages `eager` names (by index; CRIU's restorer reads those itself, the
   * lazy-pages daemon asks for the rest). Fails before writing when one is missing.
   */
  async writeEager(recipe: DumpRecipe, eager: ReadonlyMap<string, readonly number[]>, dir: string): Promise<{ files: number; bytes: number }> {
    for (const f of recipe.files) for (const i of eager.get(f.name) ?? []) if (!this.has(f.pages[i] as string)) throw new FerryError('FERRY_ERR_INTEGRITY', `the page recipe names page ${f.pages[i]}, which never arrived; the dump cannot be restored`);
    let bytes = 0;
    for (const f of recipe.files) {
      const out = await open(`${dir}/${f.name}`, 'wx', 0o600);
      try {
        await out.truncate(f.pages.length * PAGE);
        for (const i of eager.get(f.name) ?? []) {
          const a = f.pages[i] as string;
          if (a === ZERO_PAGE) continue;
          await out.write(this.page(a) as Buffer, 0, PAGE, i * PAGE);
          bytes += PAGE;
        }
      } finally {
        await out.close();
      }
    }
    return { files: recipe.files.length, bytes };
  }

  /** Frees the pages. */
  clear(): void {
    this.slabs.length = 0;
    this.index.clear();
    this.next = 0;
  }
}
