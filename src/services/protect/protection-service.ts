/**
 * @module services/protect/protection-service — the agent's protections: each protected container
 * gets a point every `everyMs` (never two at once for one container; a failed point is
 * logged and the next interval tries again, while the last complete point stays valid), old
 * points beyond `keep` are deleted, and now and then objects no manifest names are
 * collected. Knows no HTTP. The list of protections survives an agent restart.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import * as z from 'zod';
import type { Config } from '../../core/config.ts';
import { FerryError, asFerryError } from '../../core/errors.ts';
import { channels, log } from '../../core/events.ts';
import { containerSpec } from '../../adapters/docker/container-spec.ts';
import type { Engine } from '../../adapters/docker/engine-port.ts';
import { protectPrefix, referencesOf } from '../prestore/state-manifest.ts';
import { collectGarbage } from '../../adapters/object-store/gc.ts';
import type { ObjectStore } from '../../adapters/object-store/object-store.ts';
import { PackLedger } from './pack-ledger.ts';
import { TreeCache } from './tree-cache.ts';
import { CONTAINER_NAME, nextSequence } from './points.ts';
import { prunePoints, takePoint, type PointReport, type ProtectionMemory } from './protection-point.ts';

/** What the service needs, wired by the agent. */
export interface ProtectionDeps {
  engine: Engine;
  store: () => Promise<ObjectStore>;
  config: Config;
  stateDir: string;
  dataRoot: string;
  /** Takes one point (tests replace it; the default is the real one). */
  take?: typeof takePoint;
}

/** What `protections.json` holds. */
const SavedProtections = z.array(z.strictObject({ container: z.string().regex(CONTAINER_NAME), everyMs: z.number().int().positive(), keep: z.number().int().min(1) }));

/** One protection as the API shows it. */
export interface ProtectionStatus {
  container: string;
  everyMs: number;
  keep: number;
  /** A point is being taken now. */
  busy: boolean;
  /** Points this agent stored for it since it started. */
  points: number;
  last?: PointReport;
  lastError?: { code: string; message: string; at: string };
}

interface Protection {
  everyMs: number;
  keep: number;
  /** False for a container only ever asked for single points. */
  scheduled: boolean;
  timer?: NodeJS.Timeout;
  /** Bumped by every start and stop, so that only the latest timer chain goes on. */
  generation: number;
  queue: Promise<unknown>;
  busy: boolean;
  memory: ProtectionMemory;
  next?: number;
  points: number;
  last?: PointReport;
  lastError?: ProtectionStatus['lastError'];
}

/** The protections of one agent. */
export class ProtectionService {
  private readonly deps: ProtectionDeps;
  private readonly protections = new Map<string, Protection>();
  private inFlight = 0;
  private collecting: Promise<void> | undefined;
  private lastCollection = 0;
  private closed = false;

  constructor(deps: ProtectionDeps) {
    this.deps = deps;
  }

  /** Starts (or re-tunes) the protection of a container, after checking it can be protected; its first point is taken at once. */
  async start(container: string, everyMs = this.deps.config.protect.everyMs, keep = this.deps.config.protect.keep): Promise<ProtectionStatus> {
    containerSpec(await this.deps.engine.inspectContainer(container), { allowBind: this.deps.config.migration.allowBind });
    await this.deps.store();
    const status = this.begin(container, everyMs, keep);
    await this.save();
    return status;
  }

  /** Stops a protection (a point under way finishes); its stored points stay. */
  async stop(container: string): Promise<ProtectionStatus> {
    const p = this.protections.get(container);
    if (!p?.scheduled) throw new FerryError('FERRY_ERR_UNKNOWN_CONTAINER', `container ${container} is not protected by this agent (\`ferry protect --host HOST --list\` shows which are)`);
    clearTimeout(p.timer);
    Object.assign(p, { scheduled: false, generation: p.generation + 1 });
    await this.save();
    log('info', 'protection stopped', { container });
    return this.status(container, p);
  }

  /** Every protection of this agent. */
  list(): ProtectionStatus[] {
    return [...this.protections].filter(([, p]) => p.scheduled).map(([c, p]) => this.status(c, p));
  }

  /** Takes one point now (after any point of the container under way); protected or not. */
  async runOnce(container: string): Promise<PointReport> {
    const p = this.protection(container);
    try {
      return await (this.enqueue(container, p, true) as Promise<PointReport>);
    } catch (err) {
      // A name that never was a container here leaves no entry behind.
      if (!p.scheduled && p.points === 0 && err instanceof FerryError && err.code === 'FERRY_ERR_UNKNOWN_CONTAINER') this.protections.delete(container);
      throw err;
    }
  }

  /** Restarts the protections saved before the agent stopped (a store or container not there yet shows as the points' error). */
  async resume(): Promise<void> {
    const text = await readFile(this.file(), 'utf8').catch(() => '[]');
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch {
      raw = undefined;
    }
    const saved = SavedProtections.safeParse(raw);
    if (!saved.success) {
      log('error', 'the saved protections do not parse; none resumed', { file: this.file(), err: saved.error.issues[0]?.message });
      return;
    }
    for (const s of saved.data) this.begin(s.container, s.everyMs, s.keep);
  }

  /** Stops every timer (the agent is stopping). */
  close(): void {
    this.closed = true;
    for (const p of this.protections.values()) clearTimeout(p.timer);
  }

  private begin(container: string, everyMs: number, keep: number): ProtectionStatus {
    const p = this.protection(container);
    Object.assign(p, { everyMs, keep, scheduled: true, generation: p.generation + 1 });
    clearTimeout(p.timer);
    this.schedule(container, p, 0);
    log('info', 'protection started', { container, everyMs, keep });
    return this.status(container, p);
  }

  private protection(container: string): Protection {
    let p = this.protections.get(container);
    if (!p) {
      const { everyMs, keep } = this.deps.config.protect;
      p = { everyMs, keep, scheduled: false, generation: 0, queue: Promise.resolve(), busy: false, points: 0, memory: { container, ledger: new PackLedger(), packsBySequence: new Map(), trees: new TreeCache() } };
      this.protections.set(container, p);
    }
    return p;
  }

  /** The next point starts `everyMs` after the last one started, or as soon as it ends when it took longer. */
  private schedule(container: string, p: Protection, delayMs: number): void {
    const generation = p.generation;
    p.timer = setTimeout(() => {
      const started = Date.now();
      void this.enqueue(container, p, false).finally(() => {
        if (p.scheduled && p.generation === generation && !this.closed) this.schedule(container, p, Math.max(0, started + p.everyMs - Date.now()));
      });
    }, delayMs);
  }

  /** Runs a point after the container's previous one; `rethrow` hands a failure to the caller, else it is only recorded. */
  private enqueue(container: string, p: Protection, rethrow: boolean): Promise<PointReport | undefined> {
    const run = p.queue.then(() => this.point(container, p));
    p.queue = run.catch(() => undefined);
    return rethrow ? run : run.catch(() => undefined);
  }

  /** One point, then pruning, then (now and then) a collection. */
  private async point(container: string, p: Protection): Promise<PointReport> {
    while (this.collecting) await this.collecting;
    this.inFlight++;
    p.busy = true;
    let report: PointReport;
    try {
      const store = await this.deps.store();
      const sequence = p.next ?? nextSequence(container, await store.listManifests(protectPrefix(container)));
      report = await (this.deps.take ?? takePoint)({ ...this.deps, store }, p.memory, sequence);
      Object.assign(p, { next: sequence + 1, last: report, lastError: undefined, points: p.points + 1 });
      const pruned = await prunePoints(store, p.memory, p.keep).catch((err: unknown) => void log('warn', 'pruning old protection points failed', { container, err: String(err) }));
      log('info', 'protection point stored', { ...report, pruned });
      channels.protectPoint.publish(report);
    } catch (err) {
      const e = asFerryError(err);
      p.lastError = { code: e.code, message: e.message, at: new Date().toISOString() };
      log('error', 'protection point failed', { container, code: e.code, err: e.message });
      channels.protectFailure.publish({ container, ...p.lastError });
      throw e;
    } finally {
      p.busy = false;
      this.inFlight--;
    }
    await this.collectMaybe();
    return report;
  }

  /** Collects garbage when the last collection is old enough and no point is under way (a point reuses stored objects before its manifest names them). */
  private async collectMaybe(): Promise<void> {
    const { gcEveryMs, gcGraceMs } = this.deps.config.protect;
    if (this.inFlight > 0 || this.collecting || Date.now() - this.lastCollection < gcEveryMs) return;
    this.lastCollection = Date.now();
    this.collecting = (async () => {
      try {
        const result = await collectGarbage(await this.deps.store(), referencesOf, { graceMs: gcGraceMs });
        log('info', 'object store garbage collected', { ...result });
      } catch (err) {
        log('warn', 'garbage collection failed', { err: String(err) });
      } finally {
        this.collecting = undefined;
      }
    })();
    await this.collecting;
  }

  private status(container: string, p: Protection): ProtectionStatus {
    return { container, everyMs: p.everyMs, keep: p.keep, busy: p.busy, points: p.points, ...(p.last ? { last: p.last } : {}), ...(p.lastError ? { lastError: p.lastError } : {}) };
  }

  private file(): string {
    return path.join(this.deps.stateDir, 'protections.json');
  }

  /** Writes the list of protections (atomically), so an agent restart resumes them. */
  private async save(): Promise<void> {
    await mkdir(this.deps.stateDir, { recursive: true });
    const list = this.list().map(({ container, everyMs, keep }) => ({ container, everyMs, keep }));
    await writeFile(`${this.file()}.tmp`, JSON.stringify(list));
    await rename(`${this.file()}.tmp`, this.file());
  }
}
