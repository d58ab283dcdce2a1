/**
 * @module services/migration/precopy-steps — the source's pre-copy strategy (the patent's core):
 * rounds while the container runs, each sending the pages and files that changed since the
 * last, hot pages deferred by their history, until a named stop rule fires; then, after the
 * freeze and a full local dump, a final round that sends only the pages the destination
 * lacks plus a recipe to rebuild CRIU's page files, the rest of the dump, and the file deltas.
 */
import { Readable } from 'node:stream';
import { FerryError } from '../../core/errors.ts';
import type { ContainerSpec } from '../../adapters/docker/container-spec.ts';
import { PAGE } from '../../domain/pages/page-delta.ts';
import { PageTracker } from '../../domain/pages/page-tracker.ts';
import { PageKeys, dumpPages, isPagesFile, roundPages } from '../../adapters/process-memory/round-source.ts';
import { processTree } from '../../adapters/process-memory/process-tree.ts';
import { decideStop, type RoundStats, type StopPolicy } from '../../domain/pages/stop-rule.ts';
import { TreeDelta } from '../../adapters/process-memory/tree-delta.ts';
import type { DumpRecipe } from '../../domain/pages/recipe.ts';
import type { PrecopyReport, PrecopyRoundReport } from '../../domain/migration/report.ts';
import type { MigrationRecord } from './record-store.ts';
import type { PrepareReply } from '../../domain/migration/protocol.ts';
import { PrestoreMemory } from './prestore-memory.ts';
import type { DataLinkSession } from './data-link-port.ts';
import type { DestinationClient, OutgoingData, SourceDeps } from './source-types.ts';
import type { Outbound } from './outbound.ts';

/** A tree that moves by deltas: the writable layer or a volume. */
interface DeltaTree {
  root: string;
  dir: string;
  delta: TreeDelta;
}

/** What one session of file deltas sent. */
interface TreeTotals {
  files: number;
  deleted: number;
}

/** The pre-copy rounds and the final round of one migration. */
export class PrecopySteps {
  private readonly deps: SourceDeps;
  private readonly rec: MigrationRecord<OutgoingData>;
  /** The watchers, the data link and the object store of this migration. */
  private readonly out: Outbound;
  private readonly tracker: PageTracker;
  private readonly keys = new PageKeys();
  private readonly trees: DeltaTree[];
  private readonly policy: PrecopyReport['policy'];
  private heldBeforeFinal = 0;
  private readonly dest: DestinationClient;
  /** Strategy prestore: memory goes through the object store. */
  private prestore: PrestoreMemory | undefined;

  constructor(deps: SourceDeps, rec: MigrationRecord<OutgoingData>, out: Outbound, dest: DestinationClient) {
    this.deps = deps;
    this.rec = rec;
    this.out = out;
    this.dest = dest;
    this.policy = { ...deps.config.migration.precopy, ...rec.data.request.options?.precopy };
    if (rec.data.request.strategy === 'prestore') {
      // The pre-storage threshold is the history rule: flowing pages are the ones it holds back.
      const { prestore } = deps.config.migration;
      const o = rec.data.request.options?.prestore;
      Object.assign(this.policy, { deferWindow: o?.window ?? prestore.window, deferThreshold: o?.threshold ?? prestore.threshold });
    }
    if (this.policy.deferThreshold > this.policy.deferWindow) {
      throw new FerryError('FERRY_ERR_INVALID_INPUT', `the deferral threshold T=${this.policy.deferThreshold} exceeds the history window k=${this.policy.deferWindow}; choose T <= k (0 turns deferral off)`);
    }
    this.tracker = new PageTracker({ window: this.policy.deferWindow, threshold: this.policy.deferThreshold });
    const spec = this.spec();
    this.trees = [{ root: 'upper', dir: spec.upperDir, delta: new TreeDelta() }, ...spec.volumes.map((v) => ({ root: `volume:${v.name}`, dir: v.source, delta: new TreeDelta() }))];
  }

  /** Runs rounds while the container runs, until a stop rule fires. */
  async rounds(reply: PrepareReply): Promise<void> {
    const criu = await this.deps.criu();
    const report: PrecopyReport = { dirtyTracking: 'content-hash', softDirtyAvailable: criu.memDirtyTrack, policy: this.policy, footprintBytes: 0, rounds: [] };
    this.rec.data.report.precopy = report;
    const stats: RoundStats[] = [];
    const stopPolicy: StopPolicy = { downtimeBudgetMs: this.policy.downtimeBudgetMs, growthLimit: this.policy.growthLimit, shrinkMargin: this.policy.shrinkMargin, maxRounds: this.policy.maxRounds, maxBytesFactor: this.policy.maxBytesFactor };
    const prestore = await this.openPrestore();
    for (;;) {
      const pids = await this.containerPids();
      const started = Date.now();
      this.tracker.beginRound();
      const pages = roundPages(pids, this.tracker, this.keys, prestore ? { onSend: prestore.onSend } : {});
      const storeBytes = prestore ? await prestore.round(pages) : 0;
      const { totals, result: files } = await this.out.session(reply, 'precopy', async (link) => {
        if (!prestore) await link.sendStream('pages', pages);
        return this.sendTrees(link, true);
      });
      const count = this.tracker.endRound();
      prestore?.record(count.round, count.deferredPages);
      const ms = Math.max(1, Date.now() - started);
      if (count.round === 1) report.footprintBytes = count.dirtyPages * PAGE + totals.rawBytes - (prestore ? 0 : count.sentPages * PAGE);
      const bandwidthBps = ((totals.wireBytes + storeBytes) / ms) * 1000;
      const done: PrecopyRoundReport = { round: count.round, dirtyPages: count.dirtyPages, deferredPages: count.deferredPages, sentPages: count.sentPages, pendingPages: count.pendingPages, files: files.files, deleted: files.deleted, rawBytes: totals.rawBytes, wireBytes: totals.wireBytes, ms, bandwidthBps };
      report.rounds.push(done);
      this.out.emit({ type: 'round', round: done, at: Date.now() });
      // The link's speed is what the busiest round reached; later rounds are bound by the memory scan, not the link.
      const linkBps = Math.max(bandwidthBps, ...stats.map((s) => s.bandwidthBps));
      stats.push({ dirtyBytes: count.dirtyPages * PAGE, sentBytes: totals.wireBytes + storeBytes, deferredBytes: count.deferredPages * PAGE, bandwidthBps: linkBps });
      this.deps.records.put(this.rec);
      const decision = decideStop(stats, count.pendingBytes, report.footprintBytes, stopPolicy);
      if (decision.stop) {
        report.stopRule = decision.rule;
        report.stopDetail = decision.detail;
        this.deps.records.put(this.rec);
        return;
      }
    }
  }

  /** The frozen round: the pages of the local dump the destination lacks, the recipe, the rest of the dump, the file deltas. */
  async finalRound(reply: PrepareReply, imageDir: string): Promise<void> {
    const report = this.rec.data.report.precopy as PrecopyReport;
    const started = Date.now();
    this.heldBeforeFinal = this.tracker.heldPages;
    const recipe: DumpRecipe = { files: [] };
    const scan = timed(dumpPages(imageDir, this.tracker, recipe));
    const { totals, result: files } = await this.out.session(reply, 'final', async (link) => {
      await link.sendStream('pages', scan.pages);
      await link.sendStream('recipe', jsonStream(recipe));
      await link.sendTree('checkpoint', imageDir, { select: (rel) => !isPagesFile(rel) });
      return this.sendTrees(link, false);
    });
    this.prestore?.countStale(recipe);
    const dumpPageCount = recipe.files.reduce((n, f) => n + f.pages.length, 0);
    report.final = { dumpPages: dumpPageCount, sentPages: this.finalSent, files: files.files, deleted: files.deleted, rawBytes: totals.rawBytes, wireBytes: totals.wireBytes, ms: Date.now() - started, scanMs: Math.round(scan.ms()) };
    this.deps.records.put(this.rec);
  }

  /** Strategy prestore: the store's part of the rounds (the image went there at stage). */
  private async openPrestore(): Promise<PrestoreMemory | undefined> {
    if (this.rec.data.request.strategy !== 'prestore') return undefined;
    const store = await this.out.objectStore();
    const report = this.out.prestoreReport(store);
    const announce = (packs: string[]) => this.dest.call('POST', `/v1/incoming/${this.rec.id}/prestored`, { packs });
    this.prestore = new PrestoreMemory(store, report, announce, this.deps.config.migration.prestore.uploadConcurrency);
    return this.prestore;
  }

  /** Pages the final round sent: what the destination holds now beyond what it held before. */
  private get finalSent(): number {
    return this.tracker.heldPages - this.heldBeforeFinal;
  }

  /** Sends each tree's changed entries and, when some were deleted, their paths. */
  private async sendTrees(link: DataLinkSession, live: boolean): Promise<TreeTotals> {
    const sum: TreeTotals = { files: 0, deleted: 0 };
    for (const t of this.trees) {
      const round = t.delta.round(live);
      await link.sendTree(t.root, t.dir, round);
      const gone = round.deleted();
      if (gone.length) await link.sendStream(`prune:${t.root}`, jsonStream(gone));
      sum.files += round.selected;
      sum.deleted += gone.length;
    }
    return sum;
  }

  /** The running container's processes; a container that stopped cannot be pre-copied. */
  private async containerPids(): Promise<number[]> {
    const c = await this.deps.engine.inspectContainer(this.spec().id);
    if (!c.State.Running || c.State.Paused || !c.State.Pid) throw new FerryError('FERRY_ERR_NOT_RUNNING', `container ${this.rec.container} stopped running during pre-copy (${c.State.Status}); nothing was changed on the source`);
    return processTree(c.State.Pid);
  }

  private spec(): ContainerSpec {
    return this.rec.data.spec as ContainerSpec;
  }
}

/** Wraps a page generator to count the time spent in it (reading and hashing the dump: the final scan), apart from the time its consumer spends sending. */
function timed(pages: AsyncGenerator<Buffer>): { pages: AsyncGenerator<Buffer>; ms: () => number } {
  let spent = 0;
  async function* run(): AsyncGenerator<Buffer> {
    for (;;) {
      const t = performance.now();
      const next = await pages.next();
      spent += performance.now() - t;
      if (next.done) return;
      yield next.value;
    }
  }
  return { pages: run(), ms: () => spent };
}

/** A value as a one-chunk JSON stream. */
function jsonStream(value: unknown): Readable {
  return Readable.from([Buffer.from(JSON.stringify(value))]);
}
