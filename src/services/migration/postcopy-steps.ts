/**
 * @module services/migration/postcopy-steps — the source's post-copy strategy: after the freeze and a
 * local dump, only what the restore cannot do without crosses while frozen (CRIU's images
 * but the page files, the eager pages, the writable layer and volumes); the destination
 * resumes the container and its lazy pages follow. During the window the source pushes every
 * lazy page over the data link and, first, the ranges the destination's faults ask for
 * (collected by long poll). The source stays frozen, holding the dump, until the destination
 * has every page; a cut push is retried. If the source dies in the window the container is
 * lost unless protected (docs/ARCHITECTURE.md).
 */
import { open, readdir, stat, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { log } from '../../core/events.ts';
import type { ContainerSpec } from '../../adapters/docker/container-spec.ts';
import { PAGE } from '../../domain/pages/page-delta.ts';
import { coverRange, layoutDump, type DumpLayout, type LazyRunAt, type RunPart } from '../../domain/pages/page-map.ts';
import { encodeEagerHeader, encodeRecordHeader, type EagerHeader } from '../../domain/pages/postcopy-frames.ts';
import { isPagesFile } from '../../adapters/process-memory/round-source.ts';
import { readPagemaps } from './local-pages.ts';
import type { MigrationRecord } from './record-store.ts';
import type { PrepareReply } from '../../domain/migration/protocol.ts';
import type { PageWant } from './remote-pages.ts';
import type { DestinationClient, OutgoingData, SourceDeps } from './source-types.ts';
import type { Outbound } from './outbound.ts';

/** Pages per pushed record (1 MiB): small enough that a fault's want goes out soon. */
const PUSH_PAGES = 256;
/** Pages pushed but not yet known to have arrived, at most (4 MiB): a wanted page queues behind no more in the link's buffers. */
const WINDOW_PAGES = 1024;
/** Without word of arrivals for this long the push goes on regardless (the long poll may be slow), ms. */
const WINDOW_PATIENCE_MS = 300;
/**
 * The deadline of one long poll for wants, ms: the destination answers within 1 s
 * (apps/agent/routes.ts). A poll lost to a cut link is asked again after this, not after the
 * default deadline of a call, and its wants come again (services/migration/remote-pages.ts).
 */
const WANTS_POLL_MS = 4000;

/** The frozen transfer and the window of one post-copy migration. */
export class PostcopySteps {
  private readonly deps: SourceDeps;
  private readonly rec: MigrationRecord<OutgoingData>;
  /** The watchers, the data link and the object store of this migration. */
  private readonly out: Outbound;
  private readonly dest: DestinationClient;
  private layout: DumpLayout | undefined;
  private readonly files = new Map<string, FileHandle>();
  private running: { stop: AbortController; work: Promise<unknown> } | undefined;
  /** Pages sent in records (all sessions) and pages the destination said arrived. */
  private sent = 0;
  private arrived = 0;
  /** Called whenever the destination's long poll answers (wants or arrivals). */
  private onWord: (() => void) | undefined;

  constructor(deps: SourceDeps, rec: MigrationRecord<OutgoingData>, out: Outbound, dest: DestinationClient) {
    this.deps = deps;
    this.rec = rec;
    this.out = out;
    this.dest = dest;
  }

  /** While frozen: the eager pages, the images but the page files, the writable layer and volumes. */
  async transfer(reply: PrepareReply, dir: string): Promise<void> {
    const counts = new Map<string, number>();
    for (const name of (await readdir(dir)).filter(isPagesFile)) counts.set(name, (await stat(path.join(dir, name))).size / PAGE);
    const layout = (this.layout = layoutDump(await readPagemaps(dir), counts));
    const header: EagerHeader = { files: [...layout.eager].map(([name, eager]) => ({ name, pages: counts.get(name) ?? 0, eager })) };
    const spec = this.rec.data.spec as ContainerSpec;
    await this.out.session(reply, 'state', async (link) => {
      await link.sendStream('postcopy-eager', this.eagerPages(dir, header));
      await link.sendTree('checkpoint', dir, { select: (rel) => !isPagesFile(rel) });
      await link.sendTree('upper', spec.upperDir);
      for (const v of spec.volumes) await link.sendTree(`volume:${v.name}`, v.source);
    });
    this.rec.data.report.postcopy = { lazyPages: layout.lazyPages, eagerPages: header.files.reduce((n, f) => n + f.eager.length, 0), pushedPages: 0, wantedRanges: 0, pushAttempts: 0 };
    this.deps.records.put(this.rec);
  }

  /** Opens the window before the restore (CRIU's restore itself faults pages in): pushes every lazy page, wanted ones first, until {@link stop}. */
  start(reply: PrepareReply, dir: string): void {
    const wants: PageWant[] = [];
    const stop = new AbortController();
    const work = Promise.allSettled([this.pollWants(wants, stop.signal), this.push(reply, dir, wants, stop.signal)]);
    this.running = { stop, work };
  }

  /** Closes the window (after verify, which waits until the destination holds every page, or on rollback). */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running.stop.abort();
    await this.running.work;
    this.running = undefined;
    for (const fh of this.files.values()) await fh.close().catch(() => undefined);
    this.files.clear();
    this.deps.records.put(this.rec);
  }

  /** Collects the ranges the destination's faults want, until stopped or the window is over. */
  private async pollWants(into: PageWant[], signal: AbortSignal): Promise<void> {
    const report = this.report();
    while (!signal.aborted) {
      try {
        const r = await this.dest.call<{ wants: PageWant[]; done: boolean; receivedPages?: number }>('POST', `/v1/incoming/${this.rec.id}/wants`, {}, WANTS_POLL_MS);
        report.wantedRanges += r.wants.length;
        into.push(...r.wants);
        if (r.receivedPages !== undefined) this.arrived = Math.max(this.arrived, r.receivedPages);
        this.onWord?.();
        if (r.done) return;
      } catch {
        await sleep(200);
      }
    }
  }

  /** Pushes the lazy pages, retrying a failed session (a cut link) up to migration.postcopy.pushAttempts times. */
  private async push(reply: PrepareReply, dir: string, wants: PageWant[], signal: AbortSignal): Promise<void> {
    const report = this.report();
    const { pushAttempts } = this.deps.config.migration.postcopy;
    while (!signal.aborted && report.pushAttempts < pushAttempts) {
      report.pushAttempts++;
      // What a failed session had in flight is not coming; the window starts afresh.
      this.sent = this.arrived;
      const link = await this.out.link(reply).catch((err: unknown) => err as Error);
      if (link instanceof Error) {
        log('warn', 'post-copy push could not open the data link', { migration: this.rec.id, err: link.message });
        await sleep(1000);
        continue;
      }
      const onAbort = () => link.destroy();
      signal.addEventListener('abort', onAbort);
      try {
        const started = Date.now();
        await link.sendStream('postcopy-pages', this.records(dir, wants, signal), { immediate: true });
        this.out.account(await link.finish(), 'postcopy');
        report.pushMs = Date.now() - started;
        // Every page is across; wants that still come are for pages the destination now holds.
        return;
      } catch (err) {
        link.destroy();
        if (!signal.aborted) log('warn', 'post-copy push failed; retrying', { migration: this.rec.id, err: (err as Error).message });
        await sleep(500);
      } finally {
        signal.removeEventListener('abort', onAbort);
      }
    }
  }

  /** Every lazy page as records, the wanted ranges slipped in ahead of the rest. */
  private async *records(dir: string, wants: PageWant[], signal: AbortSignal): AsyncGenerator<Buffer> {
    const layout = this.layout;
    if (!layout) return;
    const report = this.report();
    /** Chunks (run start address + page offset) already sent because a fault wanted them. */
    const early = new Set<string>();
    for (const runs of layout.lazy.values()) {
      for (const run of runs) {
        for (let i = 0; i < run.nrPages; i += PUSH_PAGES) {
          if (signal.aborted) return;
          while (wants.length) {
            const w = wants.shift() as PageWant;
            for (const part of this.partsOf(w)) {
              yield await this.record(dir, part.run, part.from, part.n);
              early.add(`${part.run.pid}:${part.run.vaddr}:${part.from}`);
            }
          }
          const n = Math.min(PUSH_PAGES, run.nrPages - i);
          if (early.has(`${run.pid}:${run.vaddr}:${i}`)) continue;
          await this.window(signal);
          yield await this.record(dir, run, i, n);
          report.pushedPages += n;
        }
      }
    }
  }

  /** Waits while more than WINDOW_PAGES are in flight, for word from the destination or WINDOW_PATIENCE_MS. */
  private async window(signal: AbortSignal): Promise<void> {
    const until = Date.now() + WINDOW_PATIENCE_MS;
    while (this.sent - this.arrived > WINDOW_PAGES && !signal.aborted && Date.now() < until) {
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.max(1, until - Date.now()));
        this.onWord = () => { clearTimeout(t); resolve(); };
      });
      this.onWord = undefined;
    }
  }

  /** The lazy runs a wanted range covers, as (run, first page in it, count). */
  private partsOf(w: PageWant): RunPart[] {
    // Whole push chunks, so that a wanted chunk is not pushed again in order.
    return (coverRange(this.layout?.lazy.get(w.pid), w.vaddr, w.nrPages) ?? []).flatMap(({ run, from, n }) => {
      const out: RunPart[] = [];
      for (let k = Math.floor(from / PUSH_PAGES) * PUSH_PAGES; k < from + n; k += PUSH_PAGES) out.push({ run, from: k, n: Math.min(PUSH_PAGES, run.nrPages - k) });
      return out;
    });
  }

  /** One record: `n` pages of `run` from its page `from`, read from the dump's page file. */
  private async record(dir: string, run: LazyRunAt, from: number, n: number): Promise<Buffer> {
    let fh = this.files.get(run.file);
    if (!fh) this.files.set(run.file, (fh = await open(path.join(dir, run.file), 'r')));
    const out = Buffer.allocUnsafe(16 + n * PAGE);
    encodeRecordHeader(run.pid, run.vaddr + from * PAGE, n).copy(out, 0);
    const { bytesRead } = await fh.read(out, 16, n * PAGE, (run.first + from) * PAGE);
    if (bytesRead !== n * PAGE) throw new Error(`${run.file} is shorter than its pagemap says`);
    this.sent += n;
    return out;
  }

  /** The eager header, then the eager pages in order. */
  private async *eagerPages(dir: string, header: EagerHeader): AsyncGenerator<Buffer> {
    yield encodeEagerHeader(header);
    for (const f of header.files) {
      if (!f.eager.length) continue;
      const fh = await open(path.join(dir, f.name), 'r');
      try {
        for (let i = 0; i < f.eager.length; ) {
          // Contiguous eager pages go in one read.
          let n = 1;
          while (i + n < f.eager.length && n < PUSH_PAGES && f.eager[i + n] === (f.eager[i] as number) + n) n++;
          const buf = Buffer.allocUnsafe(n * PAGE);
          await fh.read(buf, 0, n * PAGE, (f.eager[i] as number) * PAGE);
          yield buf;
          i += n;
        }
      } finally {
        await fh.close();
      }
    }
  }

  private report(): NonNullable<OutgoingData['report']['postcopy']> {
    return (this.rec.data.report.postcopy ??= { lazyPages: 0, eagerPages: 0, pushedPages: 0, wantedRanges: 0, pushAttempts: 0 });
  }
}
