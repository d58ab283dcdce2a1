/**
 * @module services/migration/destination — the destination agent's side of a migration: checks
 * room and compatibility, creates the container from the source's configuration (checked
 * again here), receives its state over the data link into directories it chose itself,
 * restores it, and commits or aborts. Every operation on one migration runs under that
 * migration's lock and writes by re-reading the record, so no stale copy overwrites a newer
 * phase. Every unfinished record has a lease: without word from the source, and with no
 * operation or data in flight, it is aborted.
 *
 * This file is the transaction (phases, locks, the lease sweeper); it delegates the pages that
 * come outside the checkpoint to incoming-pages.ts, the object store, pack fetches and image
 * loads to incoming-prestore.ts, and lazy restores to lazy-windows.ts.
 */
import path from 'node:path';
import { mkdir, rm } from 'node:fs/promises';
import { FerryError } from '../../core/errors.ts';
import { log } from '../../core/events.ts';
import { capacity, shortfall } from '../../adapters/host/capacity.ts';
import type { CriuFacts } from '../../adapters/host/criu.ts';
import { newTicket } from '../../adapters/http-api/auth.ts';
import { ticketMatches, type DataLinkTarget } from '../../adapters/data-link/data-link.ts';
import { collectSink, parsePruneList, pruneTree } from '../../adapters/data-link/prune.ts';
import { announceMoved, checkAddressFree, keptIp } from './cluster-address.ts';
import { LazyWindows, type LazySource, type LazyWindowResult } from './lazy-windows.ts';
import type { PageWant } from './remote-pages.ts';
import { IncomingPages, MAX_LIST_BYTES } from './incoming-pages.ts';
import { IncomingImages, IncomingPrestore } from './incoming-prestore.ts';
import { checkpointName, type DestinationDeps, type IncomingData, type IncomingRecord as Rec, type RestoreResult } from './destination-types.ts';
import { destinationAbortable, destinationWord, type DestinationPhase } from '../../domain/migration/phases.ts';
import { checkCreateBody, type PreflightRequest, type PrepareRequest, type PrepareReply, type DestinationStatus } from '../../domain/migration/protocol.ts';

/** The destination side of every incoming migration on this host. */
export class DestinationService {
  private readonly deps: DestinationDeps;
  private readonly locks = new Map<string, Promise<unknown>>();
  private readonly sessions = new Set<string>();
  /** The images sent by the source or loaded from the store, until create checks them. */
  private readonly images: IncomingImages;
  /** Pre-copy and post-copy migrations: the pages that come outside the checkpoint. */
  private readonly pages: IncomingPages;
  /** Announcements of restored containers' addresses, by migration, until verify reports them. */
  private readonly announcements = new Map<string, Promise<string>>();
  /** Lazily restored containers whose memory is still being filled. */
  private readonly lazy: LazyWindows;
  /** Pre-stored migrations: the store and the fetches from it. */
  private readonly prestore: IncomingPrestore;
  private sweeper: NodeJS.Timeout | undefined;

  constructor(deps: DestinationDeps) {
    this.deps = deps;
    this.lazy = new LazyWindows(deps.config, deps.imagesDir);
    this.images = new IncomingImages(deps.engine);
    this.pages = new IncomingPages(deps.config, (id) => this.imagesOf(id));
    this.prestore = new IncomingPrestore(deps.config, deps.store);
  }

  /** Checks CRIU, CPU, room and names; throws the first reason it cannot take the container. */
  async preflight(req: PreflightRequest): Promise<{ criu: CriuFacts }> {
    const criu = await this.deps.criu();
    if (!criu.versionOk || !criu.checkOk) throw new FerryError('FERRY_ERR_CRIU', `CRIU on the destination is ${criu.version} and \`criu check\` says: ${criu.checkOutput}`);
    if (req.postcopy && !this.lazy.lazyHere(criu.uffdNoncoop)) throw new FerryError('FERRY_ERR_POSTCOPY_REFUSED', `the destination cannot restore lazily (migration.lazyRestore ${String(this.deps.config.migration.lazyRestore)}, CRIU userfaultfd ${String(criu.uffdNoncoop)}); post-copy needs it`);
    const cpu = await this.deps.checkpointer.checkCpuinfo(req.cpuinfo);
    if (cpu) throw new FerryError('FERRY_ERR_CPU_INCOMPATIBLE', `the destination CPU lacks what the source CPU offers: ${cpu}`);
    if (await this.deps.engine.findContainer(req.container)) throw new FerryError('FERRY_ERR_NAME_TAKEN', `a container named ${req.container} already exists on the destination`);
    if (req.address) await checkAddressFree(this.deps.engine, this.deps.config, req.address);
    for (const v of req.volumes) {
      if (await this.deps.engine.findVolume(v.name)) throw new FerryError('FERRY_ERR_NAME_TAKEN', `a volume named ${v.name} already exists on the destination`);
    }
    if (!req.skipCapacityCheck) {
      const lack = shortfall(req.needs, await capacity(this.deps.dataRoot), this.deps.config.migration.capacityHeadroom);
      if (lack) throw new FerryError(lack.code, lack.message);
    }
    return { criu };
  }

  /** Opens a record and a data-link ticket; says whether the image must be sent. */
  async prepare(req: PrepareRequest): Promise<PrepareReply> {
    checkCreateBody(req.createBody, { allowBind: this.deps.config.migration.allowBind });
    const store = req.store !== undefined ? await this.prestore.sameStore(req.store) : undefined;
    return this.exclusive(req.migrationId, async () => {
      if (store) this.prestore.hold(req.migrationId, store);
      const existing = this.deps.records.get<IncomingData>(req.migrationId, 'destination');
      if (existing) throw new FerryError('FERRY_ERR_MIGRATION_BUSY', `migration ${req.migrationId} is already ${existing.phase} here`);
      const needImage = (await this.deps.engine.findImage(req.imageId)) === undefined;
      const ticket = newTicket();
      const now = Date.now();
      this.deps.records.put<IncomingData>({ id: req.migrationId, role: 'destination', container: req.container, phase: 'prepared', data: { request: req, ticket, imageExpected: needImage, lastContact: now }, createdAt: now });
      return { ticket, dataPort: this.deps.dataPort, needImage };
    });
  }

  /** Creates the volumes and the container (not started) and notes where its state goes. */
  create(id: string): Promise<{ containerId: string }> {
    return this.exclusive(id, async () => {
      const rec = this.expect(id, ['prepared']);
      const loadError = await this.images.outcome(id);
      if (loadError) throw new FerryError('FERRY_ERR_DOCKER', `the image sent by the source did not load: ${loadError.message}`);
      const { request } = rec.data;
      if (!(await this.deps.engine.findImage(request.imageId))) throw new FerryError('FERRY_ERR_DOCKER', `image ${request.imageRef} (${request.imageId}) is not on the destination and was not sent`);
      const volumeDirs: Record<string, string> = {};
      for (const v of request.volumes) {
        const vol = await this.deps.engine.createVolume(v.name, { 'ferry.migration': id });
        volumeDirs[v.name] = vol.Mountpoint;
        this.update(id, (r) => (r.data.createdVolumes = [...(r.data.createdVolumes ?? []), v.name]));
      }
      const byRef = await this.deps.engine.findImage(request.imageRef);
      const containerId = await this.deps.engine.createContainer(request.container, {
        ...request.createBody,
        Image: byRef?.Id === request.imageId ? request.imageRef : request.imageId,
        Labels: { ...(request.createBody['Labels'] as Record<string, string> | undefined), 'ferry.migration': id },
      });
      this.update(id, (r) => (r.data.containerId = containerId));
      const inspect = await this.deps.engine.inspectContainer(containerId);
      const upperDir = inspect.GraphDriver.Data['UpperDir'];
      if (!upperDir) throw new FerryError('FERRY_ERR_DOCKER', 'the new container has no overlay upper directory');
      await mkdir(this.checkpointDir(containerId, id), { recursive: true, mode: 0o700 });
      await mkdir(this.imagesOf(id), { recursive: true, mode: 0o700 });
      if (request.pages) this.prestore.fetchInto(id, this.pages.open(id));
      this.update(id, (r) => {
        Object.assign(r.data, { upperDir, volumeDirs });
        r.phase = 'created';
      });
      return { containerId };
    });
  }

  /** Packs the source stored during a round: fetched in the background while the rounds go on. */
  prestored(id: string, packs: readonly string[]): { queued: number } {
    this.expect(id, ['created']);
    return this.prestore.add(id, packs);
  }

  /** The image is in the object store: load it from there (create waits for it). */
  async storedImage(id: string, imageId: string): Promise<{ loading: true }> {
    const rec = this.expect(id, ['prepared']);
    const store = this.prestore.storeOf(id);
    if (!store || !rec.data.imageExpected || rec.data.imageStarted || rec.data.request.imageId !== imageId) throw new FerryError('FERRY_ERR_PROTOCOL', `migration ${id} does not expect image ${imageId} from the store now`);
    await this.images.fromStore(id, store, imageId);
    this.update(id, (r) => (r.data.imageStarted = true));
    return { loading: true };
  }

  /** Checks a data-link hello: an open record before restore, its exact ticket, one session at a time. */
  authorize(id: string, ticket: string): void {
    const rec = this.deps.records.get<IncomingData>(id, 'destination');
    const phases = rec?.data.request.postcopy ? ['prepared', 'created', 'received', 'restored'] : ['prepared', 'created'];
    if (!rec || !phases.includes(rec.phase) || !ticketMatches(rec.data.ticket, ticket)) {
      throw new FerryError('FERRY_ERR_AUTH', `data link refused: no migration ${id} open for data with that ticket`);
    }
    if (this.sessions.has(id)) throw new FerryError('FERRY_ERR_AUTH', `data link refused: migration ${id} already has a session open`);
    this.sessions.add(id);
  }

  /** A data-link session of this migration ended. */
  sessionEnded(id: string): void {
    this.sessions.delete(id);
    this.keepAlive(id);
  }

  /** Maps a data-link root to where it goes: only the roots this migration expects. */
  target(id: string, root: string): DataLinkTarget {
    const rec = this.deps.records.get<IncomingData>(id, 'destination');
    if (!rec) throw new FerryError('FERRY_ERR_UNKNOWN_MIGRATION', `no incoming migration ${id}`);
    if (root === 'image') {
      if (rec.phase !== 'prepared' || !rec.data.imageExpected || rec.data.imageStarted) throw new FerryError('FERRY_ERR_PROTOCOL', `migration ${id} does not expect an image now`);
      this.update(id, (r) => (r.data.imageStarted = true));
      return { kind: 'stream', sink: () => this.images.sink(id) };
    }
    if (root === 'postcopy-pages' && rec.data.request.postcopy && ['created', 'received', 'restored'].includes(rec.phase)) return { kind: 'stream', sink: () => this.pages.pushedSink(id) };
    if (rec.phase !== 'created') throw new FerryError('FERRY_ERR_PROTOCOL', `migration ${id} is ${rec.phase}; state is accepted only after create`);
    const pageRoot = this.pages.target(id, root, rec.data.request.postcopy === true);
    if (pageRoot) return pageRoot;
    const pruned = /^prune:(.+)$/.exec(root)?.[1];
    if (pruned !== undefined && this.pages.holds(id)) {
      const dir = this.treeDir(rec, pruned);
      return { kind: 'stream', sink: () => collectSink(MAX_LIST_BYTES, `the prune list of ${pruned}`, (b) => void pruneTree(dir, parsePruneList(b))) };
    }
    return { kind: 'tree', dir: this.treeDir(rec, root) };
  }

  /** The directory a tree root of this migration goes to. */
  private treeDir(rec: Rec, root: string): string {
    if (root === 'checkpoint' && rec.data.containerId) return this.imagesOf(rec.id);
    if (root === 'upper' && rec.data.upperDir) return rec.data.upperDir;
    const vol = /^volume:(.+)$/.exec(root)?.[1];
    const dirs = rec.data.volumeDirs ?? {};
    if (vol !== undefined && Object.hasOwn(dirs, vol) && typeof dirs[vol] === 'string') return dirs[vol];
    throw new FerryError('FERRY_ERR_PROTOCOL', `data-link root "${root}" is not part of migration ${rec.id}`);
  }

  /** Keeps the lease of a record alive (data arriving counts as contact). */
  keepAlive(id: string): void {
    const rec = this.deps.records.get<IncomingData>(id, 'destination');
    if (rec && destinationAbortable(rec.phase as DestinationPhase)) this.update(id, (r) => (r.data.lastContact = Date.now()));
  }

  /** Restores the container from the received checkpoint (for pre-copy, first rebuilt from the held pages). */
  restore(id: string): Promise<RestoreResult> {
    return this.exclusive(id, async () => {
      const rec = this.expect(id, ['created']);
      // A post-copy's page push runs during its restore (the source opened it after the frozen transfer had finished).
      if (this.sessions.has(id) && !rec.data.request.postcopy) throw new FerryError('FERRY_ERR_PROTOCOL', `migration ${id} still has a data session open`);
      let rebuildMs: number | undefined;
      const fetched = await this.prestore.settled(id);
      const criu = await this.deps.criu();
      const lazyHere = this.lazy.lazyHere(criu.uffdNoncoop);
      let from: LazySource | undefined;
      if (rec.data.request.pages) {
        // Lazy: the daemon asks ferry for the held pages, which live until the window ends; else they are rebuilt into the images now.
        const held = await this.pages.forRestore(id, lazyHere ? criu.version : undefined);
        if (!lazyHere) this.dropPages(id);
        ({ from, rebuildMs } = held);
      }
      if (rec.data.request.postcopy) {
        if (!lazyHere) throw new FerryError('FERRY_ERR_POSTCOPY_REFUSED', `this host cannot restore lazily (migration.lazyRestore ${String(this.deps.config.migration.lazyRestore)}, CRIU userfaultfd ${String(criu.uffdNoncoop)}); post-copy needs it`);
        from = await this.pages.remoteSource(id, criu.version);
      }
      this.update(id, (r) => (r.phase = 'received'));
      const started = Date.now();
      const { checkpointer, config } = this.deps;
      const lazyWorkDir = lazyHere ? await this.lazy.start(id, this.imagesOf(id), from) : undefined;
      try {
        await checkpointer.restore({ containerId: rec.data.containerId ?? '', checkpoint: checkpointName(id), imagesDir: this.imagesOf(id), logFile: path.join(this.deps.imagesDir, 'logs', `${id}-restore.log`), ...(lazyWorkDir ? { lazyWorkDir } : {}), tcp: rec.data.request.tcp ?? 'established' });
      } catch (err) {
        await this.lazy.drop(id);
        throw err;
      }
      const ip = keptIp(rec.data.request.createBody);
      if (lazyWorkDir || ip) {
        const pid = (await this.deps.engine.inspectContainer(rec.data.containerId ?? '')).State.Pid;
        // The address lives here now: say so at once (arping waits for replies it never gets, so it runs on in the background).
        if (ip) this.announcements.set(id, announceMoved(checkpointer, pid, ip, config));
        if (lazyWorkDir) await this.lazy.opened(id, pid);
      }
      this.update(id, (r) => (r.phase = 'restored'));
      const lazy = lazyWorkDir !== undefined;
      return { restoreMs: Date.now() - started, restoredBy: lazy ? 'thin-lazy' : 'thin', ...(rebuildMs !== undefined ? { rebuildMs } : {}), ...(fetched ? { fetched } : {}) };
    });
  }

  /** Post-copy: the ranges faults asked for since the last call (the source sends them first); waits up to `maxWaitMs` when there are none. `done` once the window is over. */
  async wants(id: string, maxWaitMs: number): Promise<{ wants: PageWant[]; done: boolean; receivedPages?: number }> {
    const rec = this.deps.records.get<IncomingData>(id, 'destination');
    const open = rec?.data.request.postcopy === true && ['created', 'received', 'restored'].includes(rec.phase);
    if (!open) return { wants: [], done: true };
    return this.pages.wants(id, maxWaitMs);
  }

  /** Frees the pages of a migration: its fetches stop first, then its page store, recipe and remote pages go. */
  private dropPages(id: string): void {
    this.prestore.drop(id);
    this.pages.drop(id);
  }

  /** Checks that the restored container keeps running for the verify window. */
  verify(id: string): Promise<{ running: boolean; pid: number; lazyWindowMs?: number; lazy?: LazyWindowResult; announce?: string }> {
    return this.exclusive(id, async () => {
      const rec = this.expect(id, ['restored']);
      const first = await this.deps.engine.inspectContainer(rec.data.containerId ?? '');
      await new Promise((r) => setTimeout(r, this.deps.config.migration.verifyMs));
      const again = await this.deps.engine.inspectContainer(rec.data.containerId ?? '');
      if (!again.State.Running || again.State.Restarting || again.State.StartedAt !== first.State.StartedAt) {
        throw new FerryError('FERRY_ERR_RESTORE', `the restored container did not keep running (state ${again.State.Status}, exit code ${again.State.ExitCode} ${again.State.Error})`);
      }
      // Commit only a copy that holds every page: until the lazy window ends, part of its memory is still in the images.
      let lazy: LazyWindowResult | undefined;
      try {
        lazy = await this.lazy.close(id, `container ${rec.container}`);
      } finally {
        this.dropPages(id);
      }
      if (lazy !== undefined) {
        const after = await this.deps.engine.inspectContainer(rec.data.containerId ?? '');
        if (!after.State.Running || after.State.StartedAt !== first.State.StartedAt) throw new FerryError('FERRY_ERR_RESTORE', `the restored container stopped while its memory was filled (state ${after.State.Status}, exit code ${after.State.ExitCode})`);
      }
      const announce = await this.announcements.get(id);
      this.announcements.delete(id);
      return { running: true, pid: again.State.Pid, ...(lazy !== undefined ? { lazyWindowMs: lazy.windowMs, lazy } : {}), ...(announce ? { announce } : {}) };
    });
  }

  /** Commits a running restored copy: from now on it is the container. Idempotent. */
  commit(id: string): Promise<DestinationStatus> {
    return this.exclusive(id, async () => {
      const rec = this.deps.records.get<IncomingData>(id, 'destination');
      if (!rec || rec.phase !== 'restored') return this.status(id);
      const c = await this.deps.engine.findContainer(rec.data.containerId ?? '');
      if (!c?.State.Running) throw new FerryError('FERRY_ERR_RESTORE', `the restored container of ${id} is not running (${c?.State.Status ?? 'gone'}); it is not committed`);
      this.update(id, (r) => (r.phase = 'committed'));
      // An address of this host's slice that had left is back here.
      const ip = keptIp(rec.data.request.createBody);
      if (ip) await this.deps.departed?.remove(ip).catch(() => undefined);
      await this.deps.engine.deleteCheckpoint(rec.data.containerId ?? '', checkpointName(id)).catch(() => undefined);
      await rm(this.imagesOf(id), { recursive: true, force: true });
      await this.lazy.drop(id);
      this.pages.forget(id);
      return this.status(id);
    });
  }

  /** Aborts: removes what this migration made here. Idempotent; after commit it says so and changes nothing. */
  abort(id: string, why: string): Promise<DestinationStatus> {
    return this.exclusive(id, () => this.abortNow(id, why));
  }

  /** What this side says of a migration. */
  status(id: string): DestinationStatus {
    const phase = this.deps.records.get(id, 'destination')?.phase as DestinationPhase | undefined;
    return { migrationId: id, phase: phase ?? null, word: destinationWord(phase) as DestinationStatus['word'] };
  }

  /** Aborts every unfinished incoming record (after a restart) and starts the lease sweeper. */
  async start(): Promise<void> {
    for (const rec of this.deps.records.unfinished<IncomingData>('destination', ['committed', 'aborted'])) {
      await this.abort(rec.id, 'the agent restarted before the source committed').catch((err: unknown) => log('error', 'abort after restart failed', { migration: rec.id, err: String(err) }));
    }
    this.sweeper = setInterval(() => void this.sweep(), 1000);
    this.sweeper.unref();
  }

  /** Stops the sweeper. */
  stop(): void {
    if (this.sweeper) clearInterval(this.sweeper);
  }

  /** Aborts records whose lease ran out, skipping any with an operation or a data session in flight. */
  private async sweep(): Promise<void> {
    const { leaseMs } = this.deps.config.migration;
    for (const rec of this.deps.records.unfinished<IncomingData>('destination', ['committed', 'aborted'])) {
      if (this.locks.has(rec.id) || this.sessions.has(rec.id) || Date.now() - rec.data.lastContact <= leaseMs) continue;
      await this.exclusive(rec.id, async () => {
        const fresh = this.deps.records.get<IncomingData>(rec.id, 'destination');
        if (fresh && destinationAbortable(fresh.phase as DestinationPhase) && Date.now() - fresh.data.lastContact > leaseMs) {
          await this.abortNow(rec.id, `no word from the source for ${leaseMs} ms`);
        }
      }).catch((err: unknown) => log('error', 'lease abort failed', { migration: rec.id, err: String(err) }));
    }
  }

  /** The abort itself (the caller holds the lock): `aborting` is written before anything is removed. */
  private async abortNow(id: string, why: string): Promise<DestinationStatus> {
    const rec = this.deps.records.get<IncomingData>(id, 'destination');
    if (!rec || rec.phase === 'committed' || rec.phase === 'aborted') return this.status(id);
    log('warn', 'aborting incoming migration', { migration: id, why });
    this.update(id, (r) => (r.phase = 'aborting'));
    this.announcements.delete(id);
    const { containerId, createdVolumes } = rec.data;
    if (containerId) await this.deps.engine.removeContainer(containerId, { volumes: false });
    else {
      const stray = await this.deps.engine.findContainer(rec.container);
      if (stray?.Config.Labels?.['ferry.migration'] === id) await this.deps.engine.removeContainer(stray.Id);
    }
    for (const v of createdVolumes ?? []) await this.deps.engine.removeVolume(v);
    if (containerId) await rm(this.checkpointDir(containerId, id), { recursive: true, force: true });
    await this.lazy.drop(id);
    await rm(this.imagesOf(id), { recursive: true, force: true });
    this.images.forget(id);
    this.dropPages(id);
    this.pages.forget(id);
    this.update(id, (r) => (r.phase = 'aborted'));
    return this.status(id);
  }

  /** Where CRIU's images of a migration are kept: ferry's directory, never Docker's. */
  private imagesOf(id: string): string {
    return path.join(this.deps.imagesDir, id);
  }

  /** Where Docker looks for the checkpoint of a migration's container. */
  private checkpointDir(containerId: string, id: string): string {
    return path.join(this.deps.dataRoot, 'containers', containerId, 'checkpoints', checkpointName(id));
  }

  /** Runs `fn` alone among the operations on migration `id`. */
  private async exclusive<T>(id: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.locks.get(id) ?? Promise.resolve();
    const run = prev.then(fn, fn);
    const tail = run.catch(() => undefined);
    this.locks.set(id, tail);
    try {
      return await run;
    } finally {
      if (this.locks.get(id) === tail) this.locks.delete(id);
      this.keepAlive(id);
    }
  }

  /** Loads a record in one of the expected phases and renews its lease. */
  private expect(id: string, phases: DestinationPhase[]): Rec {
    const rec = this.deps.records.get<IncomingData>(id, 'destination');
    if (!rec) throw new FerryError('FERRY_ERR_UNKNOWN_MIGRATION', `no incoming migration ${id} on this host`);
    if (!phases.includes(rec.phase as DestinationPhase)) throw new FerryError('FERRY_ERR_INVALID_INPUT', `migration ${id} is ${rec.phase} here, expected ${phases.join(' or ')}`);
    return this.update(id, (r) => (r.data.lastContact = Date.now()));
  }

  /** Re-reads the record, applies `change`, writes it back: nothing stale is ever written. */
  private update(id: string, change: (rec: Rec) => unknown): Rec {
    const rec = this.deps.records.get<IncomingData>(id, 'destination');
    if (!rec) throw new FerryError('FERRY_ERR_UNKNOWN_MIGRATION', `no incoming migration ${id} on this host`);
    change(rec);
    this.deps.records.put(rec);
    return rec;
  }
}
