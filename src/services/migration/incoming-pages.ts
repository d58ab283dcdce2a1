/**
 * @module services/migration/incoming-pages — the memory pages a destination receives outside the
 * checkpoint: a pre-copy's page store and the recipe of its final dump, a post-copy's page
 * layout (the eager header the frozen transfer brought) and the pages pushed or faulted in
 * after the resume (remote pages, with the ranges faults want). The transaction
 * (destination.ts) decides when; this keeps them by migration and frees them.
 */
import type { Writable } from 'node:stream';
import type { Config } from '../../core/config.ts';
import { FerryError } from '../../core/errors.ts';
import type { DataLinkTarget } from '../../adapters/data-link/data-link.ts';
import { collectSink } from '../../adapters/data-link/prune.ts';
import { iovLayoutOf } from '../../adapters/host/page-server-protocol.ts';
import { PageStore } from '../../adapters/process-memory/page-store.ts';
import type { EagerHeader } from '../../domain/pages/postcopy-frames.ts';
import { layoutDump } from '../../domain/pages/page-map.ts';
import { parseRecipe, type DumpRecipe } from '../../domain/pages/recipe.ts';
import type { LazySource } from './lazy-windows.ts';
import { localPages, readPagemaps } from './local-pages.ts';
import { eagerSink, recordSink } from './postcopy-sinks.ts';
import { RemotePages, type PageWant } from './remote-pages.ts';

/** A post-copy's long poll also returns once this many more pushed pages arrived (1 MiB), so the source can pace its push. */
const ACK_PAGES = 256;

/** Largest page recipe or prune list accepted, in bytes. */
export const MAX_LIST_BYTES = 256 * 1024 * 1024;

/** The pages of every incoming migration on this host, by migration id. */
export class IncomingPages {
  private readonly config: Config;
  /** Where CRIU's images of a migration are kept. */
  private readonly imagesOf: (id: string) => string;
  /** Pre-copy migrations: the pages received so far, and the recipe of the final dump. */
  private readonly stores = new Map<string, PageStore>();
  private readonly recipes = new Map<string, DumpRecipe>();
  /** Post-copy migrations: the page files' layout that came while frozen, and the pages that come after the resume. */
  private readonly eagerHeaders = new Map<string, EagerHeader>();
  private readonly remotes = new Map<string, RemotePages>();
  private readonly remotesMaking = new Map<string, Promise<RemotePages>>();
  /** Post-copy windows that ended (their wants are over). */
  private readonly windowsOver = new Set<string>();

  constructor(config: Config, imagesOf: (id: string) => string) {
    this.config = config;
    this.imagesOf = imagesOf;
  }

  /** Opens the page store of a pre-copy migration (at create). */
  open(id: string): PageStore {
    const pages = PageStore.create();
    this.stores.set(id, pages);
    return pages;
  }

  /** Whether a pre-copy migration has a page store (its page roots are accepted). */
  holds(id: string): boolean {
    return this.stores.has(id);
  }

  /** Where a page root goes (`pages`, `recipe`, `postcopy-eager`), or undefined when `root` is no page root of this migration. */
  target(id: string, root: string, postcopy: boolean): DataLinkTarget | undefined {
    if (root === 'postcopy-eager' && postcopy) return { kind: 'stream', sink: () => eagerSink(this.imagesOf(id), (h) => void this.eagerHeaders.set(id, h)) };
    const store = this.stores.get(id);
    if (root === 'pages' && store) return { kind: 'stream', sink: () => store.sink() };
    if (root === 'recipe' && store) return { kind: 'stream', sink: () => collectSink(MAX_LIST_BYTES, 'the page recipe', (b) => void this.recipes.set(id, parseRecipe(b.toString('utf8')))) };
    return undefined;
  }

  /** The stream of a post-copy's pushed pages, into its remote pages. */
  pushedSink(id: string): Writable {
    return recordSink(() => this.remotePages(id));
  }

  /**
   * Readies a pre-copy's held pages for the restore: served to the lazy daemon when `lazyVersion`
   * (CRIU's version) is given, the store then living until the window ends; otherwise rebuilt
   * into the images (the caller then drops them). Says how long it took.
   */
  async forRestore(id: string, lazyVersion: string | undefined): Promise<{ from?: LazySource; rebuildMs: number }> {
    const store = this.stores.get(id);
    const recipe = this.recipes.get(id);
    if (!store || !recipe) throw new FerryError('FERRY_ERR_PROTOCOL', `migration ${id} has no ${store ? 'page recipe' : 'page store'}; the final round did not arrive (or this agent restarted)`);
    const started = Date.now();
    let from: LazySource | undefined;
    if (lazyVersion !== undefined) {
      from = { source: await localPages(store, recipe, this.imagesOf(id)), layout: iovLayoutOf(lazyVersion) };
    } else {
      await store.rebuild(recipe, this.imagesOf(id));
    }
    return { ...(from ? { from } : {}), rebuildMs: Date.now() - started };
  }

  /** A post-copy's pages for its lazy restore, served from its remote pages. */
  async remoteSource(id: string, criuVersion: string): Promise<LazySource> {
    return { source: await this.remotePages(id), layout: iovLayoutOf(criuVersion) };
  }

  /** A post-copy's remote pages, made on first use from the page layout and pagemaps the frozen transfer brought. */
  private remotePages(id: string): Promise<RemotePages> {
    const made = this.remotes.get(id);
    if (made) return Promise.resolve(made);
    const making = (this.remotesMaking.get(id) ?? (async () => {
      const header = this.eagerHeaders.get(id);
      if (this.windowsOver.has(id)) throw new FerryError('FERRY_ERR_PROTOCOL', `the post-copy window of migration ${id} is over (every page is in, or it failed); no more pages are taken`);
      if (!header) throw new FerryError('FERRY_ERR_PROTOCOL', `post-copy migration ${id} has no page layout; the frozen transfer did not arrive (or this agent restarted)`);
      const layout = layoutDump(await readPagemaps(this.imagesOf(id)), new Map(header.files.map((f) => [f.name, f.pages])));
      const remote = new RemotePages(layout, this.config.migration.postcopy.pageWaitMs);
      this.remotes.set(id, remote);
      return remote;
    })());
    this.remotesMaking.set(id, making);
    return making;
  }

  /** Post-copy: the ranges faults asked for since the last call; waits up to `maxWaitMs` when there are none. `done` once the window is over. */
  async wants(id: string, maxWaitMs: number): Promise<{ wants: PageWant[]; done: boolean; receivedPages?: number }> {
    if (this.windowsOver.has(id)) return { wants: [], done: true };
    const remote = this.remotes.get(id) ?? (this.eagerHeaders.has(id) ? await this.remotePages(id) : undefined);
    if (!remote) {
      // The frozen transfer is still under way: nothing can fault yet.
      await new Promise((r) => setTimeout(r, maxWaitMs));
      return { wants: [], done: false };
    }
    const wants = await remote.takeWants(maxWaitMs, ACK_PAGES);
    return { wants, done: false, receivedPages: remote.counts.receivedPages };
  }

  /** Frees the page store, recipe and remote pages of a migration (a post-copy's window is then over). */
  drop(id: string): void {
    if (this.remotes.has(id)) this.windowsOver.add(id);
    this.remotes.get(id)?.close(new FerryError('FERRY_ERR_RESTORE', `post-copy migration ${id} ended`));
    this.remotes.delete(id);
    this.remotesMaking.delete(id);
    this.eagerHeaders.delete(id);
    this.stores.get(id)?.clear();
    this.stores.delete(id);
    this.recipes.delete(id);
  }

  /** Forgets that a migration's window is over (it committed or aborted; nothing more will ask). */
  forget(id: string): void {
    this.windowsOver.delete(id);
  }
}
