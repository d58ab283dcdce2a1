/**
 * @module services/migration/lazy-windows — the destination's lazy restores in flight: for each
 * migration, CRIU's lazy-pages daemon (adapters/host/lazy-pages.ts) and when the container resumed.
 * The lazy window is from resume until every page is in; commit waits for its end.
 */
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Config } from '../../core/config.ts';
import { criuTimeoutError } from '../../adapters/host/deadline.ts';
import { startLazyPages, type LazyPages } from '../../adapters/host/lazy-pages.ts';
import { startPageServer, type PageServer, type PageSource } from '../../adapters/host/page-server.ts';
import type { IovLayout } from '../../adapters/host/page-server-protocol.ts';

/** Where a lazy restore's pages come from: the page files of the images, or a page source served to the daemon. */
export interface LazySource {
  source: PageSource;
  /** The page-server header layout of this machine's CRIU. */
  layout: IovLayout;
}

/** What a lazy window did: its length, and the pages the page server sent (on fault or in the background). */
export interface LazyWindowResult {
  windowMs: number;
  /** Pages the daemon fetched through ferry's page server (absent when it read page files). */
  servedPages?: number;
  /** Page faults the daemon handled first (counted from its log). */
  faults?: number;
}

/** The lazy restores of one destination, by migration id. */
export class LazyWindows {
  private readonly open = new Map<string, { pages: LazyPages; server?: PageServer; resumedAt: number }>();
  /** Daemons (and their page servers) started, before their container resumed. */
  private readonly starting = new Map<string, { pages: LazyPages; server?: PageServer }>();
  private readonly config: Config;
  /** The destination's images directory: work dirs under lazy/, daemon logs under logs/. */
  private readonly root: string;

  constructor(config: Config, imagesRoot: string) {
    this.config = config;
    this.root = imagesRoot;
  }

  /** The daemon's work directory (its socket) of a migration. */
  workDir(id: string): string {
    return path.join(this.root, 'lazy', id);
  }

  private logFile(id: string): string {
    return path.join(this.root, 'logs', `${id}-lazy-pages.log`);
  }

  /** True when restores here are lazy (config migration.lazyRestore and CRIU with userfaultfd). */
  lazyHere(uffd: boolean): boolean {
    return this.config.migration.lazyRestore && uffd;
  }

  /** Starts the daemon on a migration's images (asking `from` for the pages when given); its work directory, which the restore must use. */
  async start(id: string, imagesDir: string, from?: LazySource): Promise<string> {
    const server = from ? await startPageServer(from.source, from.layout) : undefined;
    try {
      const pages = await startLazyPages({ criu: this.config.agent.criuPath, imagesDir, workDir: this.workDir(id), logFile: this.logFile(id), ...(server && from ? { pageServerPort: server.port, layout: from.layout } : {}) });
      this.starting.set(id, { pages, ...(server ? { server } : {}) });
      return pages.workDir;
    } catch (err) {
      server?.stop();
      throw err;
    }
  }

  /** The container resumed (its init is `pid`): its window opens, and a failing daemon kills it rather than let it read unfilled pages as zeros. */
  async opened(id: string, pid: number): Promise<void> {
    const s = this.starting.get(id);
    this.starting.delete(id);
    if (!s) return;
    this.open.set(id, { ...s, resumedAt: Date.now() });
    await s.pages.guard(pid);
  }

  /** Waits (deadlines.criuRestoreMs) until every page is in; what the window did, or undefined when the restore was eager. */
  async close(id: string, subject: string): Promise<LazyWindowResult | undefined> {
    const lazy = this.open.get(id);
    if (!lazy) return undefined;
    const deadlineMs = this.config.deadlines.criuRestoreMs;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(criuTimeoutError({ step: 'restore', subject, deadlineMs, logPath: this.logFile(id), logText: '' })), deadlineMs);
    });
    let finishedAt: number;
    try {
      // A page server that fails says why better than the daemon it leaves without pages.
      const server = lazy.server ? [lazy.server.done.then(() => lazy.pages.done)] : [];
      finishedAt = await Promise.race([lazy.pages.done, late, ...server]);
    } finally {
      clearTimeout(timer);
    }
    this.open.delete(id);
    lazy.server?.stop();
    const faults = (await readFile(this.logFile(id), 'utf8').catch(() => '')).match(/#PF at /g)?.length;
    await rm(this.logFile(id), { force: true });
    return { windowMs: Math.max(0, finishedAt - lazy.resumedAt), ...(lazy.server ? { servedPages: lazy.server.served.pages } : {}), ...(faults !== undefined ? { faults } : {}) };
  }

  /** Ends a migration's daemon, if any (abort), and removes its work directory. */
  async drop(id: string): Promise<void> {
    for (const m of [this.open, this.starting]) {
      const s = m.get(id);
      s?.pages.stop();
      s?.server?.stop();
      m.delete(id);
    }
    await rm(this.workDir(id), { recursive: true, force: true });
  }
}
