/**
 * @module migration/destination — the destination agent's side of a migration: checks
 * room and compatibility, creates the container from the source's configuration, receives
 * its state over the data link into the right directories, restores it, and commits or
 * aborts. Every unfinished record has a lease: without word from the source it is aborted,
 * so an abandoned half-migration never lingers or runs.
 */
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { mkdir, rm } from 'node:fs/promises';
import type { Config } from '../core/config.ts';
import { FerryError } from '../core/errors.ts';
import { log } from '../core/events.ts';
import type { DockerEngine } from '../docker/engine.ts';
import { capacity, shortfall } from '../host/capacity.ts';
import { checkCpuinfo, type CriuFacts } from '../host/criu.ts';
import { newTicket } from '../control/auth.ts';
import { ticketMatches } from '../wire/index.ts';
import { destinationAbortable, destinationWord, type DestinationPhase } from './phases.ts';
import type { RecordStore, MigrationRecord } from './record-store.ts';
import type { PreflightRequest, PrepareRequest, PrepareReply, DestinationStatus } from './protocol.ts';

/** What the destination remembers of one incoming migration. */
interface IncomingData {
  request: PrepareRequest;
  ticket: string;
  containerId?: string;
  checkpointDir?: string;
  upperDir?: string;
  volumeDirs?: Record<string, string>;
  createdVolumes?: string[];
  lastContact: number;
}

/** A data-link target: a directory tree or a byte stream. */
export type DataTarget = { kind: 'tree'; dir: string } | { kind: 'stream'; sink: () => NodeJS.WritableStream };

/** Everything the destination service needs, wired by the agent. */
export interface DestinationDeps {
  engine: DockerEngine;
  records: RecordStore;
  config: Config;
  dataRoot: string;
  dataPort: number;
  criu: () => Promise<CriuFacts>;
}

/** The destination side of every incoming migration on this host. */
export class DestinationService {
  private readonly deps: DestinationDeps;
  private readonly imageLoads = new Map<string, Promise<void>>();
  private sweeper: NodeJS.Timeout | undefined;

  constructor(deps: DestinationDeps) {
    this.deps = deps;
  }

  /** Checks CRIU, CPU, room and names; throws the first reason it cannot take the container. */
  async preflight(req: PreflightRequest): Promise<{ criu: CriuFacts }> {
    const criu = await this.deps.criu();
    if (!criu.versionOk || !criu.checkOk) throw new FerryError('FERRY_ERR_CRIU', `CRIU on the destination is ${criu.version} and \`criu check\` says: ${criu.checkOutput}`);
    const cpu = await checkCpuinfo(req.cpuinfo);
    if (cpu) throw new FerryError('FERRY_ERR_CPU_INCOMPATIBLE', `the destination CPU lacks what the source CPU offers: ${cpu}`);
    if (await this.deps.engine.findContainer(req.container)) throw new FerryError('FERRY_ERR_NAME_TAKEN', `a container named ${req.container} already exists on the destination`);
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
    const existing = this.deps.records.get<IncomingData>(req.migrationId, 'destination');
    if (existing && existing.phase !== 'aborted') throw new FerryError('FERRY_ERR_MIGRATION_BUSY', `migration ${req.migrationId} is already ${existing.phase} here`);
    const image = await this.deps.engine.findImage(req.imageId);
    const ticket = newTicket();
    this.save({ id: req.migrationId, role: 'destination', container: req.container, phase: 'prepared', data: { request: req, ticket, lastContact: Date.now() }, createdAt: Date.now() });
    return { ticket, dataPort: this.deps.dataPort, needImage: image === undefined };
  }

  /** Creates the volumes and the container (not started) and notes where its state goes. */
  async create(id: string): Promise<{ containerId: string }> {
    const rec = this.touch(id, ['prepared']);
    const load = this.imageLoads.get(id);
    if (load) await load.finally(() => this.imageLoads.delete(id));
    const { request } = rec.data;
    if (!(await this.deps.engine.findImage(request.imageId))) throw new FerryError('FERRY_ERR_DOCKER', `image ${request.imageRef} (${request.imageId}) is not on the destination and was not sent`);
    const createdVolumes: string[] = [];
    const volumeDirs: Record<string, string> = {};
    rec.data.createdVolumes = createdVolumes;
    for (const v of request.volumes) {
      const vol = await this.deps.engine.createVolume(v.name, { 'ferry.migration': id });
      createdVolumes.push(v.name);
      volumeDirs[v.name] = vol.Mountpoint;
      this.save(rec);
    }
    const byRef = await this.deps.engine.findImage(request.imageRef);
    const containerId = await this.deps.engine.createContainer(request.container, {
      ...request.createBody,
      Image: byRef?.Id === request.imageId ? request.imageRef : request.imageId,
      Labels: { ...(request.createBody['Labels'] as Record<string, string> | undefined), 'ferry.migration': id },
    });
    const inspect = await this.deps.engine.inspectContainer(containerId);
    const upperDir = inspect.GraphDriver.Data['UpperDir'];
    if (!upperDir) throw new FerryError('FERRY_ERR_DOCKER', 'the new container has no overlay upper directory');
    const checkpointDir = path.join(this.deps.dataRoot, 'containers', containerId, 'checkpoints', checkpointName(id));
    await mkdir(checkpointDir, { recursive: true, mode: 0o700 });
    Object.assign(rec.data, { containerId, upperDir, checkpointDir, volumeDirs });
    rec.phase = 'created';
    this.save(rec);
    return { containerId };
  }

  /** Maps a data-link root to where it goes; only known roots of a live record. */
  target(id: string, root: string): DataTarget {
    if (root === 'image') {
      const rec = this.touch(id, ['prepared']);
      return {
        kind: 'stream',
        sink: () => {
          const pipe = new PassThrough();
          this.imageLoads.set(id, this.deps.engine.loadImage(pipe));
          log('info', 'receiving image', { migration: id, image: rec.data.request.imageRef });
          return pipe;
        },
      };
    }
    const rec = this.touch(id, ['created']);
    if (root === 'checkpoint' && rec.data.checkpointDir) return { kind: 'tree', dir: rec.data.checkpointDir };
    if (root === 'upper' && rec.data.upperDir) return { kind: 'tree', dir: rec.data.upperDir };
    const vol = /^volume:(.+)$/.exec(root)?.[1];
    const dir = vol === undefined ? undefined : rec.data.volumeDirs?.[vol];
    if (dir) return { kind: 'tree', dir };
    throw new FerryError('FERRY_ERR_PROTOCOL', `data-link root "${root}" is not part of migration ${id}`);
  }

  /** Checks a data-link hello: a live record and its exact ticket. */
  authorize(id: string, ticket: string): void {
    const rec = this.deps.records.get<IncomingData>(id, 'destination');
    if (!rec || !destinationAbortable(rec.phase as DestinationPhase) || !ticketMatches(rec.data.ticket, ticket)) {
      throw new FerryError('FERRY_ERR_AUTH', `data link refused: no open migration ${id} with that ticket`);
    }
  }

  /** Keeps the lease of a record alive (data arriving counts as contact). */
  keepAlive(id: string): void {
    const rec = this.deps.records.get<IncomingData>(id, 'destination');
    if (rec && destinationAbortable(rec.phase as DestinationPhase)) {
      rec.data.lastContact = Date.now();
      this.save(rec);
    }
  }

  /** Restores the container from the received checkpoint. */
  async restore(id: string, checkpoint: string): Promise<{ restoreMs: number }> {
    const rec = this.touch(id, ['created', 'received']);
    rec.phase = 'received';
    this.save(rec);
    const started = Date.now();
    await this.deps.engine.startContainer(rec.data.containerId ?? '', checkpoint);
    rec.phase = 'restored';
    this.save(rec);
    return { restoreMs: Date.now() - started };
  }

  /** Checks that the restored container keeps running for the verify window. */
  async verify(id: string): Promise<{ running: boolean; pid: number }> {
    const rec = this.touch(id, ['restored']);
    const first = await this.deps.engine.inspectContainer(rec.data.containerId ?? '');
    await new Promise((r) => setTimeout(r, this.deps.config.migration.verifyMs));
    const again = await this.deps.engine.inspectContainer(rec.data.containerId ?? '');
    const ok = again.State.Running && !again.State.Restarting && again.State.StartedAt === first.State.StartedAt;
    if (!ok) throw new FerryError('FERRY_ERR_RESTORE', `the restored container did not keep running (state ${again.State.Status}, exit code ${again.State.ExitCode} ${again.State.Error})`);
    this.touch(id, ['restored']);
    return { running: true, pid: again.State.Pid };
  }

  /** Commits: from now on this copy is the container. Idempotent. */
  async commit(id: string): Promise<DestinationStatus> {
    const rec = this.deps.records.get<IncomingData>(id, 'destination');
    if (!rec) throw new FerryError('FERRY_ERR_UNKNOWN_MIGRATION', `no incoming migration ${id}`);
    if (rec.phase === 'aborted') return this.status(id);
    if (rec.phase !== 'committed') {
      if (rec.phase !== 'restored') throw new FerryError('FERRY_ERR_INVALID_INPUT', `migration ${id} is ${rec.phase}; only a restored container can be committed`);
      rec.phase = 'committed';
      this.save(rec);
      await this.deps.engine.deleteCheckpoint(rec.data.containerId ?? '', checkpointName(id)).catch(() => undefined);
    }
    return this.status(id);
  }

  /** Aborts: removes what this migration made here. Idempotent; refuses after commit. */
  async abort(id: string, why: string): Promise<DestinationStatus> {
    const rec = this.deps.records.get<IncomingData>(id, 'destination');
    if (!rec) return { migrationId: id, phase: null, word: 'unknown' };
    if (rec.phase === 'committed') throw new FerryError('FERRY_ERR_INVALID_INPUT', `migration ${id} is committed here; it can no longer be aborted`);
    if (rec.phase !== 'aborted') {
      log('warn', 'aborting incoming migration', { migration: id, why });
      const { containerId, createdVolumes } = rec.data;
      if (containerId) await this.deps.engine.removeContainer(containerId, { volumes: false });
      else {
        const stray = await this.deps.engine.findContainer(rec.container);
        if (stray?.Config.Labels?.['ferry.migration'] === id) await this.deps.engine.removeContainer(stray.Id);
      }
      for (const v of createdVolumes ?? []) await this.deps.engine.removeVolume(v);
      if (rec.data.checkpointDir) await rm(rec.data.checkpointDir, { recursive: true, force: true });
      rec.phase = 'aborted';
      this.save(rec);
    }
    return this.status(id);
  }

  /** What this side says of a migration. */
  status(id: string): DestinationStatus {
    const rec = this.deps.records.get(id, 'destination');
    const phase = (rec?.phase ?? undefined) as DestinationPhase | undefined;
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

  /** Aborts records whose lease ran out. */
  private async sweep(): Promise<void> {
    const now = Date.now();
    for (const rec of this.deps.records.unfinished<IncomingData>('destination', ['committed', 'aborted'])) {
      if (now - rec.data.lastContact > this.deps.config.migration.leaseMs) {
        await this.abort(rec.id, `no word from the source for ${this.deps.config.migration.leaseMs} ms`).catch((err: unknown) => log('error', 'lease abort failed', { migration: rec.id, err: String(err) }));
      }
    }
  }

  /** Loads a record in one of the expected phases and renews its lease. */
  private touch(id: string, phases: DestinationPhase[]): MigrationRecord<IncomingData> {
    const rec = this.deps.records.get<IncomingData>(id, 'destination');
    if (!rec) throw new FerryError('FERRY_ERR_UNKNOWN_MIGRATION', `no incoming migration ${id} on this host`);
    if (!phases.includes(rec.phase as DestinationPhase)) throw new FerryError('FERRY_ERR_INVALID_INPUT', `migration ${id} is ${rec.phase} here, expected ${phases.join(' or ')}`);
    rec.data.lastContact = Date.now();
    this.save(rec);
    return rec;
  }

  private save(rec: Omit<MigrationRecord<IncomingData>, 'updatedAt'>): void {
    this.deps.records.put(rec);
  }
}

/** The checkpoint name a migration uses on both hosts. */
export function checkpointName(id: string): string {
  return `ferry-${id}`;
}
