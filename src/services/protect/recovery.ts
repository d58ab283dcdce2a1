/**
 * @module services/protect/recovery — rebuilds a protected container on this host from a stored
 * point, when the host it ran on is gone. Everything is fetched and verified into a staging
 * directory before anything is created; only then are the volumes and the container
 * created, the state moved into place and the container restored from its checkpoint. A
 * failure after creation removes what was created, so a failed recovery leaves nothing.
 */
import { mkdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Config } from '../../core/config.ts';
import { FerryError } from '../../core/errors.ts';
import { log } from '../../core/events.ts';
import type { Engine } from '../../adapters/docker/engine-port.ts';
import { run } from '../../adapters/host/run.ts';
import { checkCreateBody } from '../../domain/migration/protocol.ts';
import { thinRestore } from '../../adapters/host/thin-restore.ts';
import { loadStoredImage, storedImage } from '../prestore/image-store.ts';
import { protectPrefix, type StateManifest } from '../prestore/state-manifest.ts';
import type { ObjectStore } from '../../adapters/object-store/object-store.ts';
import { checkComplete, readManifest, stagePoint, type StagedPoint } from './point-reader.ts';
import { choosePoint } from './points.ts';

/** What a recovery needs, wired by the agent. */
export interface RecoveryDeps {
  engine: Engine;
  store: () => Promise<ObjectStore>;
  config: Config;
  stateDir: string;
  dataRoot: string;
}

/** What a recovery did. */
export interface RecoveryReport {
  container: string;
  sequence: number;
  /** When the point was taken: the container resumed from that moment. */
  takenAt: string;
  /** How old the point was when the container resumed, in ms. */
  ageMs: number;
  /** What was lost, in words. */
  lost: string;
  /** Time to fetch and verify the point, to restore the container, and in all, in ms. */
  fetchMs: number;
  restoreMs: number;
  totalMs: number;
  fetchedBytes: number;
  imageLoaded: boolean;
}

/** What was created so far, for the cleanup after a failure. */
interface Created {
  volumes: string[];
  containerId?: string;
}

/** Recoveries on this host. */
export class RecoveryService {
  private readonly deps: RecoveryDeps;
  private readonly underway = new Set<string>();

  constructor(deps: RecoveryDeps) {
    this.deps = deps;
  }

  /** Recovers `container` from its latest point (or point `sequence`). */
  async recover(container: string, sequence?: number): Promise<RecoveryReport> {
    if (this.underway.has(container)) throw new FerryError('FERRY_ERR_NAME_TAKEN', `a recovery of ${container} is already under way on this host`);
    this.underway.add(container);
    const staging = path.join(this.deps.stateDir, 'recover', `${container}-${Date.now()}`);
    try {
      return await this.recoverFrom(container, sequence, staging);
    } finally {
      this.underway.delete(container);
      await rm(staging, { recursive: true, force: true });
    }
  }

  private async recoverFrom(container: string, sequence: number | undefined, staging: string): Promise<RecoveryReport> {
    const started = Date.now();
    const { engine, config } = this.deps;
    const store = await this.deps.store();
    const point = choosePoint(container, await store.listManifests(protectPrefix(container)), store.where, sequence);
    const m = await readManifest(store, point.name);
    if (m.container !== container || m.sequence !== point.sequence) throw new FerryError('FERRY_ERR_INTEGRITY', `protection point ${point.name} describes ${m.container} point ${m.sequence}; nothing was created from it`);
    checkCreateBody(m.createBody, { allowBind: config.migration.allowBind });
    await this.checkNamesFree(m);
    await checkComplete(store, point.name, m);
    const local = await engine.findImage(m.imageId);
    const image = local ? undefined : await storedImage(store, m.imageId);
    if (!local && !image) throw new FerryError('FERRY_ERR_STORE_MISSING', `image ${m.imageRef} (${m.imageId}) of protection point ${point.name} is neither on this host nor complete in ${store.where}; nothing was created`);
    await mkdir(staging, { recursive: true, mode: 0o700 });
    const staged = await stagePoint(store, point.name, m, staging, { concurrency: config.protect.concurrency, maxFileBytes: config.migration.maxFileBytes });
    if (image) await loadStoredImage(store, engine, image);
    const fetchMs = Date.now() - started;
    log('info', 'protection point fetched and verified', { container, sequence: m.sequence, fetchedBytes: staged.fetchedBytes, fetchMs });
    const restoreStarted = Date.now();
    await this.restore(m, staged);
    const done = Date.now();
    const report: RecoveryReport = {
      container, sequence: m.sequence, takenAt: m.takenAt, ageMs: done - Date.parse(m.takenAt), lost: `progress after ${m.takenAt}`,
      fetchMs, restoreMs: done - restoreStarted, totalMs: done - started, fetchedBytes: staged.fetchedBytes, imageLoaded: image !== undefined,
    };
    log('info', 'container recovered', { ...report });
    return report;
  }

  /** Refuses when this host has a container or volume of the point's names. */
  private async checkNamesFree(m: StateManifest): Promise<void> {
    if (await this.deps.engine.findContainer(m.container)) throw new FerryError('FERRY_ERR_NAME_TAKEN', `a container named ${m.container} already exists on this host; remove it, or recover to another host`);
    for (const v of m.volumes) {
      if (await this.deps.engine.findVolume(v.name)) throw new FerryError('FERRY_ERR_NAME_TAKEN', `a volume named ${v.name} (of ${m.container}) already exists on this host; remove it, or recover to another host`);
    }
  }

  /** Creates the volumes and the container, moves the staged state into place and restores; undoes all of it on failure. */
  private async restore(m: StateManifest, staged: StagedPoint): Promise<void> {
    const created: Created = { volumes: [] };
    try {
      await this.createAndRestore(m, staged, created);
    } catch (err) {
      log('warn', 'recovery failed; removing what it created', { container: m.container, err: String(err) });
      await this.undo(created).catch((e: unknown) => log('error', 'cleanup after a failed recovery failed', { container: m.container, err: String(e) }));
      throw err;
    }
  }

  private async createAndRestore(m: StateManifest, staged: StagedPoint, created: Created): Promise<void> {
    const { engine } = this.deps;
    const label = { 'ferry.recovery': `${m.container}/${m.sequence}` };
    const mountpoints = new Map<string, string>();
    for (const v of m.volumes) {
      const vol = await engine.createVolume(v.name, label);
      created.volumes.push(v.name);
      mountpoints.set(v.name, vol.Mountpoint);
    }
    const byRef = await engine.findImage(m.imageRef);
    const labels = { ...(m.createBody['Labels'] as Record<string, string> | undefined), ...label };
    created.containerId = await engine.createContainer(m.container, { ...m.createBody, Image: byRef?.Id === m.imageId ? m.imageRef : m.imageId, Labels: labels });
    const upperDir = (await engine.inspectContainer(created.containerId)).GraphDriver.Data['UpperDir'];
    if (!upperDir) throw new FerryError('FERRY_ERR_DOCKER', `the recovered container ${m.container} has no overlay upper directory`);
    await putInPlace(staged.upperDir, upperDir);
    for (const [name, dir] of staged.volumeDirs) await putInPlace(dir, mountpoints.get(name) ?? '');
    const name = `ferry-recover-${m.sequence}`;
    await thinRestore({ engine, config: this.deps.config, dataRoot: this.deps.dataRoot, containerId: created.containerId, checkpoint: name, imagesDir: staged.checkpointDir, logFile: path.join(this.deps.dataRoot, 'ferry-images', 'logs', `${name}-restore.log`), tcp: 'close' });
    await this.verifyRunning(m.container, created.containerId);
    await engine.deleteCheckpoint(created.containerId, name).catch(() => undefined);
  }

  /** The restored container must keep running, as the same process, for migration.verifyMs. */
  private async verifyRunning(name: string, id: string): Promise<void> {
    const first = await this.deps.engine.inspectContainer(id);
    await new Promise((r) => setTimeout(r, this.deps.config.migration.verifyMs));
    const again = await this.deps.engine.inspectContainer(id);
    if (!again.State.Running || again.State.StartedAt !== first.State.StartedAt) {
      throw new FerryError('FERRY_ERR_RESTORE', `the recovered container ${name} did not keep running (state ${again.State.Status}, exit code ${again.State.ExitCode} ${again.State.Error}); it was removed`);
    }
  }

  private async undo(created: Created): Promise<void> {
    // Removing the container removes its directory, checkpoint included.
    if (created.containerId) await this.deps.engine.removeContainer(created.containerId, { volumes: false });
    for (const v of created.volumes) await this.deps.engine.removeVolume(v);
  }
}

/** Moves a staged tree to `target`, replacing what is there (a rename on one file system, else a copy that keeps xattrs, owners and device nodes). */
async function putInPlace(staged: string, target: string): Promise<void> {
  if (!target) throw new FerryError('FERRY_ERR_INTERNAL', `no target for the staged tree ${staged}`);
  await rm(target, { recursive: true, force: true });
  try {
    await rename(staged, target);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'EXDEV') throw new FerryError('FERRY_ERR_TRANSFER_IO', `moving the staged tree ${staged} to ${target} failed (${code ?? String(err)}); check that disk`, { cause: err });
    const r = await run('cp', ['-a', '--', staged, target], { timeoutMs: 600_000 });
    if (r.code !== 0) throw new FerryError('FERRY_ERR_TRANSFER_IO', `copying the staged tree ${staged} to ${target} failed: ${r.stderr.trim() || r.failure}`);
  }
}
