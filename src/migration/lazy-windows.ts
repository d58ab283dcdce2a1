/**
 * @module migration/lazy-windows — the destination's lazy restores in flight: for each
 * migration, CRIU's lazy-pages daemon (host/lazy-pages.ts) and when the container resumed.
 * The lazy window is from resume until every page is in; commit waits for its end.
 */
import { rm } from 'node:fs/promises';
import path from 'node:path';
import type { Config } from '../core/config.ts';
import { criuTimeoutError } from '../host/deadline.ts';
import { startLazyPages, type LazyPages } from '../host/lazy-pages.ts';

/** The lazy restores of one destination, by migration id. */
export class LazyWindows {
  private readonly open = new Map<string, { pages: LazyPages; resumedAt: number }>();
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

  /** Starts the daemon on a migration's images when lazy restore is on and CRIU has userfaultfd; undefined otherwise (eager restore). */
  async start(id: string, imagesDir: string, uffd: boolean): Promise<LazyPages | undefined> {
    if (!this.config.migration.lazyRestore || !uffd) return undefined;
    return startLazyPages({ criu: this.config.agent.criuPath, imagesDir, workDir: this.workDir(id), logFile: this.logFile(id) });
  }

  /** The container resumed: its window opens. */
  opened(id: string, pages: LazyPages): void {
    this.open.set(id, { pages, resumedAt: Date.now() });
  }

  /** Waits (deadlines.criuRestoreMs) until every page is in; the window's length in ms, or undefined when the restore was eager. */
  async close(id: string, subject: string): Promise<number | undefined> {
    const lazy = this.open.get(id);
    if (!lazy) return undefined;
    const deadlineMs = this.config.deadlines.criuRestoreMs;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(criuTimeoutError({ step: 'restore', subject, deadlineMs, logPath: this.logFile(id), logText: '' })), deadlineMs);
    });
    let finishedAt: number;
    try {
      finishedAt = await Promise.race([lazy.pages.done, late]);
    } finally {
      clearTimeout(timer);
    }
    this.open.delete(id);
    await rm(this.logFile(id), { force: true });
    return Math.max(0, finishedAt - lazy.resumedAt);
  }

  /** Ends a migration's daemon, if any (abort), and removes its work directory. */
  async drop(id: string): Promise<void> {
    this.open.get(id)?.pages.stop();
    this.open.delete(id);
    await rm(this.workDir(id), { recursive: true, force: true });
  }
}
