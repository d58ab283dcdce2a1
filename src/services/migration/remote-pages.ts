/**
 * @module services/migration/remote-pages — the destination's pages of a post-copy migration: the
 * container runs here while its lazy pages are still on the frozen source. The source pushes
 * every lazy page in the background; a fault on a page not yet here waits for it and is
 * queued as a "want" that the source collects (long poll) and sends ahead of the rest.
 * A want still unanswered after {@link REASK_MS} is asked again: the answer that carried it,
 * or the push session that carried its pages, may have died with a cut link.
 * Only pages of the dump's lazy runs are accepted; a page that does not come within
 * migration.postcopy.pageWaitMs fails the read, the lazy-pages daemon fails, and its guard
 * kills the container rather than let it read zeros.
 */
import { FerryError } from '../../core/errors.ts';
import type { PageSource } from '../../adapters/host/page-server.ts';
import { PAGE } from '../../domain/pages/page-delta.ts';
import { coverRange, type DumpLayout } from '../../domain/pages/page-map.ts';
import type { PageRecord } from '../../domain/pages/postcopy-frames.ts';

/** A range of pages a fault asked for. */
export interface PageWant {
  pid: number;
  vaddr: number;
  nrPages: number;
}

/** A read waiting for pages still on the source. */
interface Waiter {
  pid: number;
  vaddr: number;
  nrPages: number;
  /** When its want last went to the source (undefined: not yet). */
  askedAt: number | undefined;
  resolve: (b: Buffer) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
}

/** A want the source was given but that has not been answered for this long is given again, ms. */
export const REASK_MS = 2000;

/** Pages of one post-copy migration, as they arrive from the source. */
export class RemotePages implements PageSource {
  private readonly layout: DumpLayout;
  private readonly waitMs: number;
  /** Page by process, then page number (vaddr / PAGE). */
  private readonly held = new Map<number, Map<number, Buffer>>();
  private readonly waiters = new Set<Waiter>();
  private wantListener: (() => void) | undefined;
  private closed: Error | undefined;
  /** Received-page count at which a waiting takeWants returns. */
  private ackAt = Infinity;
  /** Pages received (duplicates included): what the source paces its push by. */
  readonly counts = { receivedPages: 0 };

  constructor(layout: DumpLayout, waitMs: number) {
    this.layout = layout;
    this.waitMs = waitMs;
  }

  /** Takes pushed pages; a record outside the dump's lazy runs is a protocol error. */
  put(rec: PageRecord): void {
    const n = rec.pages.length / PAGE;
    if (!coverRange(this.layout.lazy.get(rec.pid), rec.vaddr, n)) throw new FerryError('FERRY_ERR_PROTOCOL', `the source pushed ${n} pages of process ${rec.pid} at 0x${rec.vaddr.toString(16)}, which are not lazy pages of the dump`);
    this.counts.receivedPages += n;
    if (this.counts.receivedPages >= this.ackAt) this.wantListener?.();
    let mine = this.held.get(rec.pid);
    if (!mine) this.held.set(rec.pid, (mine = new Map<number, Buffer>()));
    for (let i = 0; i < n; i++) {
      const no = rec.vaddr / PAGE + i;
      mine.set(no, rec.pages.subarray(i * PAGE, (i + 1) * PAGE));
    }
    for (const w of this.waiters) {
      const got = this.take(w.pid, w.vaddr, w.nrPages);
      if (got) {
        clearTimeout(w.timer);
        this.waiters.delete(w);
        w.resolve(got);
      }
    }
  }

  /** Serves the daemon: pages held now, or when they arrive (asking the source for them first). */
  read(pid: number, vaddr: number, nrPages: number): Buffer | undefined | Promise<Buffer> {
    if (this.closed) throw this.closed;
    if (!coverRange(this.layout.lazy.get(pid), vaddr, nrPages)) return undefined;
    const now = this.take(pid, vaddr, nrPages);
    if (now) return now;
    const wanted = new Promise<Buffer>((resolve, reject) => {
      const w: Waiter = { pid, vaddr, nrPages, askedAt: undefined, resolve, reject, timer: setTimeout(() => {
        this.waiters.delete(w);
        reject(new FerryError('FERRY_ERR_PEER_TIMEOUT', `post-copy: ${nrPages} pages of process ${pid} at 0x${vaddr.toString(16)} did not come from the source within ${this.waitMs} ms (migration.postcopy.pageWaitMs); the source or the link is gone`));
      }, this.waitMs) };
      this.waiters.add(w);
    });
    this.wantListener?.();
    return wanted;
  }

  /**
   * The wants not yet given to the source, and those given over {@link REASK_MS} ago and still
   * unanswered; waits up to `maxWaitMs` for one when there are none, or until `ackPages` more
   * pages arrived (the source paces its push by what arrived, so that a wanted page never
   * queues behind more than a few MiB in the link's buffers). `now` is for tests.
   */
  async takeWants(maxWaitMs: number, ackPages = Infinity, now = Date.now): Promise<PageWant[]> {
    this.ackAt = this.counts.receivedPages + ackPages;
    if (!this.due(now()).length && !this.closed) {
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, maxWaitMs);
        this.wantListener = () => { clearTimeout(t); resolve(); };
      });
      this.wantListener = undefined;
    }
    const at = now();
    return this.due(at).map((w) => {
      w.askedAt = at;
      return { pid: w.pid, vaddr: w.vaddr, nrPages: w.nrPages };
    });
  }

  /** The waiters whose want is to go to the source at `at`. */
  private due(at: number): Waiter[] {
    return [...this.waiters].filter((w) => w.askedAt === undefined || at - w.askedAt >= REASK_MS);
  }

  /** Ends the window: pending reads fail with `why`, pages are freed. */
  close(why: Error): void {
    this.closed = why;
    for (const w of this.waiters) {
      clearTimeout(w.timer);
      w.reject(why);
    }
    this.waiters.clear();
    this.held.clear();
    this.wantListener?.();
  }

  /** The range as one buffer when every page is held. */
  private take(pid: number, vaddr: number, nrPages: number): Buffer | undefined {
    const mine = this.held.get(pid);
    if (!mine) return undefined;
    const parts: Buffer[] = [];
    for (let i = 0; i < nrPages; i++) {
      const p = mine.get(vaddr / PAGE + i);
      if (!p) return undefined;
      parts.push(p);
    }
    return Buffer.concat(parts);
  }
}
