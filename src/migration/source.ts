/**
 * @module migration/source — the source agent's side, which drives a migration through
 * its phases (preflight → stage → stop → transfer → restore → verify → commit) and persists
 * each step first, so that a crash anywhere is resolved on restart. The one rule: the
 * source thaws its copy only when the destination has none running, and removes its copy
 * only when the destination has committed.
 */
import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { EventEmitter, on } from 'node:events';
import type { Config } from '../core/config.ts';
import { FerryError, asFerryError } from '../core/errors.ts';
import { log, publishPhase } from '../core/events.ts';
import type { DockerEngine } from '../docker/engine.ts';
import type { ContainerSpec } from '../docker/container-spec.ts';
import { ControlClient } from '../control/client.ts';
import type { CriuFacts } from '../host/criu.ts';
import { assertMove, resolveUnfinished, TERMINAL, type SourcePhase, type DestinationWord } from './phases.ts';
import { newReport, addPhase, finishReport, type MigrationReport } from './report.ts';
import type { RecordStore, MigrationRecord } from './record-store.ts';
import type { MigrateRequest, PrepareReply, DestinationStatus } from './protocol.ts';
import { checkpointName } from './destination.ts';
import type { DataLinkOpener } from './data-link-port.ts';
import { SourceSteps } from './source-steps.ts';

/** What the source remembers of one migration. */
export interface OutgoingData {
  request: MigrateRequest;
  report: MigrationReport;
  spec?: ContainerSpec;
  paused?: boolean;
  checkpointed?: boolean;
  pausedAt?: number;
}

/** An event of a running migration, as the CLI streams it. */
export type MigrationEvent =
  | { type: 'phase'; phase: SourcePhase; at: number }
  | { type: 'progress'; root: string; rawBytes: number; wireBytes: number; at: number }
  | { type: 'end'; report: MigrationReport };

/** Everything the source service needs, wired by the agent. */
export interface SourceDeps {
  hostName: string;
  engine: DockerEngine;
  records: RecordStore;
  config: Config;
  dataRoot: string;
  /** The agent's own directory (CRIU work files go under it). */
  stateDir: string;
  token: string | undefined;
  criu: () => Promise<CriuFacts>;
  openDataLink: DataLinkOpener;
}

type Rec = MigrationRecord<OutgoingData>;

/** How long a rollback waits for the destination to confirm its abort; the source is frozen meanwhile. */
const ABORT_TIMEOUT_MS = 5000;

/** The source side of every migration leaving this host. */
export class SourceService {
  private readonly deps: SourceDeps;
  private readonly bus = new EventEmitter();
  private readonly active = new Set<string>();
  private resolver: NodeJS.Timeout | undefined;

  constructor(deps: SourceDeps) {
    this.deps = deps;
    this.bus.setMaxListeners(100);
  }

  /** Starts a migration in the background and returns its id. */
  start(request: MigrateRequest): { id: string } {
    for (const r of this.deps.records.unfinished<OutgoingData>('source', TERMINAL)) {
      if (r.container === request.container) throw new FerryError('FERRY_ERR_MIGRATION_BUSY', `container ${request.container} is already being migrated (${r.id}, ${r.phase})`);
    }
    if (request.destination.name === this.deps.hostName) throw new FerryError('FERRY_ERR_SAME_HOST', `source and destination are both ${this.deps.hostName}`);
    const id = `m-${randomUUID()}`;
    const now = Date.now();
    const report = newReport({ migrationId: id, container: request.container, from: this.deps.hostName, to: request.destination.name, strategy: request.strategy }, now);
    const rec: Rec = { id, role: 'source', container: request.container, phase: 'preflight', data: { request, report }, createdAt: now, updatedAt: now };
    this.deps.records.put(rec);
    this.active.add(id);
    void this.drive(rec).finally(() => this.active.delete(id));
    return { id };
  }

  /** The record of a migration. */
  get(id: string): Rec {
    const rec = this.deps.records.get<OutgoingData>(id, 'source');
    if (!rec) throw new FerryError('FERRY_ERR_UNKNOWN_MIGRATION', `no migration ${id} on this host`);
    return rec;
  }

  /** Every migration that left (or tried to leave) this host, newest first. */
  list(): Array<{ id: string; container: string; phase: string; to: string; outcome: string; updatedAt: number }> {
    return this.deps.records.list<OutgoingData>('source').map((r) => ({
      id: r.id,
      container: r.container,
      phase: r.phase,
      to: r.data.request.destination.name,
      outcome: r.data.report.outcome,
      updatedAt: r.updatedAt,
    }));
  }

  /** The events of a migration: its history so far, then live ones until it ends. */
  async *events(id: string): AsyncIterable<MigrationEvent> {
    const ac = new AbortController();
    const live = on(this.bus, id, { signal: ac.signal });
    try {
      const rec = this.get(id);
      yield { type: 'phase', phase: rec.phase as SourcePhase, at: rec.updatedAt };
      if (TERMINAL.has(rec.phase as SourcePhase) || (!this.active.has(id) && rec.phase === 'in-doubt')) {
        yield { type: 'end', report: rec.data.report };
        return;
      }
      for await (const [event] of live) {
        yield event as MigrationEvent;
        if ((event as MigrationEvent).type === 'end') return;
      }
    } catch (err) {
      if ((err as Error).name !== 'AbortError') throw err;
    } finally {
      ac.abort();
    }
  }

  /** Resolves records left unfinished by a crash, and keeps retrying in-doubt ones. */
  async resume(): Promise<void> {
    await this.resolveAll();
    this.resolver = setInterval(() => void this.resolveAll(), 3000);
    this.resolver.unref();
  }

  /** Stops background resolution. */
  stop(): void {
    if (this.resolver) clearInterval(this.resolver);
  }

  /** Runs the phases; any failure before commit rolls back. */
  private async drive(rec: Rec): Promise<void> {
    const { request } = rec.data;
    const dest = this.destination(rec);
    let reply: PrepareReply | undefined;
    try {
      const steps = new SourceSteps(this.deps, rec, (ev) => this.emit(rec.id, ev));
      await this.step(rec, 'preflight', () => steps.preflight(dest));
      await this.move(rec, 'stage');
      reply = await this.step(rec, 'stage', () => steps.stage(dest));
      await this.move(rec, 'stop');
      await this.step(rec, 'stop', () => steps.stop());
      await this.move(rec, 'transfer');
      await this.step(rec, 'transfer', () => steps.transfer(reply as PrepareReply));
      await this.move(rec, 'restore');
      const { restoreMs } = await this.step(rec, 'restore', () => dest.call<{ restoreMs: number }>('POST', `/v1/incoming/${rec.id}/restore`, { checkpoint: checkpointName(rec.id) }, 300_000));
      rec.data.report.restoreMs = restoreMs;
      rec.data.report.frozenMs = Date.now() - (rec.data.pausedAt ?? Date.now());
      await this.move(rec, 'verify');
      await this.step(rec, 'verify', () => dest.call('POST', `/v1/incoming/${rec.id}/verify`, {}));
      await this.move(rec, 'commit');
      await this.step(rec, 'commit', () => this.commit(rec, dest));
      finishReport(rec.data.report, 'migrated', Date.now());
      await this.move(rec, 'done');
      await rm(path.join(this.deps.stateDir, 'criu', rec.id), { recursive: true, force: true });
      this.emit(rec.id, { type: 'end', report: rec.data.report });
      log('info', 'migration done', { migration: rec.id, container: request.container });
    } catch (err) {
      await this.rollback(rec, asFerryError(err));
    }
  }

  /** Commits on the destination first, then removes the source copy (patent T3). */
  private async commit(rec: Rec, dest: ControlClient): Promise<void> {
    const status = await dest.call<DestinationStatus>('POST', `/v1/incoming/${rec.id}/commit`, {});
    if (status.word !== 'committed') throw new FerryError('FERRY_ERR_IN_DOUBT', `the destination answered commit with "${status.word}"`);
    await this.removeSource(rec);
  }

  /** Removes the source container and the volumes that moved with it. */
  private async removeSource(rec: Rec): Promise<void> {
    const spec = rec.data.spec;
    if (!spec) return;
    await this.deps.engine.removeContainer(spec.id);
    for (const v of spec.volumes) await this.deps.engine.removeVolume(v.name).catch((err: unknown) => log('warn', 'volume kept on source', { volume: v.name, err: String(err) }));
  }

  /** Undoes a failed migration: the destination drops its copy, the source thaws. */
  private async rollback(rec: Rec, cause: FerryError): Promise<void> {
    rec.data.report.error = cause.toJSON();
    rec.data.report.rollback = [];
    const mayRun = ['restore', 'verify', 'commit'].includes(rec.phase);
    log('warn', 'migration failed, rolling back', { migration: rec.id, phase: rec.phase, err: cause.message });
    await this.move(rec, 'rolling-back');
    const word = await this.abortDestination(rec);
    rec.data.report.rollback.push(`destination: ${word}`);
    if (word === 'committed') {
      // The destination's copy is the container now: finish the commit instead.
      await this.removeSource(rec);
      rec.data.report.rollback.push('destination had committed: source copy removed');
      finishReport(rec.data.report, 'migrated', Date.now());
      await this.move(rec, 'in-doubt');
      await this.move(rec, 'done');
    } else if (mayRun && word === 'unreachable') {
      rec.data.report.rollback.push('destination unreachable after restore began: source stays frozen until it answers');
      finishReport(rec.data.report, 'in-doubt', Date.now());
      await this.move(rec, 'in-doubt');
    } else {
      await this.thaw(rec);
      finishReport(rec.data.report, 'rolled-back', Date.now());
      await this.move(rec, 'rolled-back');
    }
    this.emit(rec.id, { type: 'end', report: rec.data.report });
  }

  /** Asks the destination to drop its copy; returns what it says. */
  private async abortDestination(rec: Rec): Promise<DestinationWord> {
    try {
      const s = await this.destination(rec).call<DestinationStatus>('POST', `/v1/incoming/${rec.id}/abort`, { why: rec.data.report.error?.message ?? 'rollback' }, ABORT_TIMEOUT_MS);
      return s.word;
    } catch (err) {
      const e = asFerryError(err);
      if (e.code === 'FERRY_ERR_INVALID_INPUT' && /committed/.test(e.message)) return 'committed';
      return 'unreachable';
    }
  }

  /** Deletes the checkpoint and thaws the source container, if this migration froze it. */
  private async thaw(rec: Rec): Promise<void> {
    const spec = rec.data.spec;
    const steps = (rec.data.report.rollback ??= []);
    if (!spec) return;
    if (rec.data.checkpointed) {
      await this.deps.engine.deleteCheckpoint(spec.id, checkpointName(rec.id)).catch(() => undefined);
      steps.push('source checkpoint deleted');
    }
    if (rec.data.paused) {
      const c = await this.deps.engine.findContainer(spec.id);
      if (c?.State.Paused) await this.deps.engine.unpause(spec.id);
      steps.push(c ? 'source container thawed, running with its state' : 'source container not found');
    }
  }

  /** Resolves every unfinished record not driven by this process. */
  private async resolveAll(): Promise<void> {
    for (const rec of this.deps.records.unfinished<OutgoingData>('source', TERMINAL)) {
      if (this.active.has(rec.id)) continue;
      this.active.add(rec.id);
      try {
        await this.resolveOne(rec);
      } catch (err) {
        log('error', 'could not resolve migration record', { migration: rec.id, err: String(err) });
      } finally {
        this.active.delete(rec.id);
      }
    }
  }

  /** Resolves one record by the rule of phases.ts. */
  private async resolveOne(rec: Rec): Promise<void> {
    const phase = rec.phase as SourcePhase;
    let word: DestinationWord | undefined;
    if (phase !== 'preflight' && phase !== 'stage' && phase !== 'stop' && phase !== 'transfer') {
      try {
        word = (await this.destination(rec).call<DestinationStatus>('GET', `/v1/incoming/${rec.id}`, undefined, 10_000)).word;
      } catch {
        word = 'unreachable';
      }
    }
    const decision = resolveUnfinished(phase, word);
    log('info', 'resolving migration record', { migration: rec.id, phase, word, ...decision });
    if (decision.action === 'none' || decision.action === 'wait') return;
    rec.data.report.rollback = [...(rec.data.report.rollback ?? []), `resolved after restart: ${decision.reason}`];
    if (decision.action === 'finish-commit') {
      if (word !== 'committed') await this.destination(rec).call('POST', `/v1/incoming/${rec.id}/commit`, {});
      await this.removeSource(rec);
      finishReport(rec.data.report, 'migrated', Date.now());
      if (phase !== 'commit' && phase !== 'in-doubt') await this.move(rec, 'rolling-back');
      if (rec.phase === 'rolling-back') await this.move(rec, 'in-doubt');
      await this.move(rec, 'done');
    } else {
      if (decision.action === 'abort-destination-then-rollback' && (await this.abortDestination(rec)) === 'unreachable') return;
      if (decision.action === 'rollback' && word === undefined) await this.abortDestination(rec);
      if (phase !== 'rolling-back' && phase !== 'in-doubt') await this.move(rec, 'rolling-back');
      await this.thaw(rec);
      rec.data.report.error ??= new FerryError('FERRY_ERR_AGENT_UNREACHABLE', `the source agent stopped during ${phase}`).toJSON();
      finishReport(rec.data.report, 'rolled-back', Date.now());
      await this.move(rec, 'rolled-back');
    }
    this.emit(rec.id, { type: 'end', report: rec.data.report });
  }

  /** Runs a phase's work, timing it. */
  private async step<T>(rec: Rec, phase: SourcePhase, work: () => Promise<T>): Promise<T> {
    const started = Date.now();
    try {
      return await work();
    } finally {
      addPhase(rec.data.report, phase, Date.now() - started);
      this.deps.records.put(rec);
    }
  }

  /** Persists a phase change, then announces it. */
  private async move(rec: Rec, to: SourcePhase): Promise<void> {
    assertMove(rec.phase as SourcePhase, to);
    rec.phase = to;
    this.deps.records.put(rec);
    const at = Date.now();
    publishPhase({ migrationId: rec.id, phase: to, at });
    this.emit(rec.id, { type: 'phase', phase: to, at });
    await Promise.resolve();
  }

  private destination(rec: Rec): ControlClient {
    return new ControlClient(rec.data.request.destination.controlUrl, this.deps.token, this.deps.config.migration.requestTimeoutMs);
  }

  private emit(id: string, event: MigrationEvent): void {
    this.bus.emit(id, event);
  }
}
