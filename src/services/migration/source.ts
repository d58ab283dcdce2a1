/**
 * @module services/migration/source — the source agent's side, which drives a migration through
 * its phases (preflight → stage → stop → transfer → restore → verify → commit) and persists
 * each step first, so that a crash anywhere is resolved on restart. The one rule: the
 * source thaws its copy only when the destination has none running, and removes its copy
 * only when the destination has committed.
 */
import { dumpRoot, removeStaleDumps } from '../../adapters/host/dump-dir.ts';
import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { FerryError, asFerryError } from '../../core/errors.ts';
import { liveMigrationEvents, log, publishHeartbeat, publishMigrationEnd, publishMigrationEvent, publishPhase } from '../../core/events.ts';
import { ControlClient } from '../../adapters/http-api/client.ts';
import { assertMove, afterAbort, resolveUnfinished, TERMINAL, type SourcePhase, type DestinationWord } from '../../domain/migration/phases.ts';
import { newReport, addPhase, finishReport } from '../../domain/migration/report.ts';
import type { MigrationRecord } from './record-store.ts';
import type { MigrateRequest, PrepareReply, DestinationStatus } from '../../domain/migration/protocol.ts';
import { checkpointName, type RestoreResult } from './destination-types.ts';
import { SourceSteps } from './source-steps.ts';
import { Outbound } from './outbound.ts';
import { PrecopySteps } from './precopy-steps.ts';
import { PostcopySteps } from './postcopy-steps.ts';
import type { DestinationClient, MigrationEvent, OutgoingData, SourceDeps } from './source-types.ts';

export type { MigrationEvent, OutgoingData, SourceDeps } from './source-types.ts';

type Rec = MigrationRecord<OutgoingData>;

/** How long a rollback waits for the destination to confirm its abort; the source is frozen meanwhile. */
const ABORT_TIMEOUT_MS = 5000;

/** The source side of every migration leaving this host. */
export class SourceService {
  private readonly deps: SourceDeps;
  private readonly active = new Set<string>();
  /** When each active migration entered its current phase. */
  private readonly phaseSince = new Map<string, number>();
  private resolver: NodeJS.Timeout | undefined;
  private ticker: NodeJS.Timeout | undefined;

  constructor(deps: SourceDeps) {
    this.deps = deps;
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
    this.phaseSince.set(id, now);
    this.beatEvery();
    void this.drive(rec)
      .catch((err: unknown) => log('error', 'migration left unsettled; the resolver retries', { migration: id, err: String((err as Error).stack ?? err) }))
      .finally(() => this.inactive(id));
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
    // Subscribed before the record is read: nothing published in between is lost.
    const live = liveMigrationEvents<MigrationEvent>(id, ac.signal);
    try {
      const rec = this.get(id);
      yield { type: 'phase', phase: rec.phase as SourcePhase, at: rec.updatedAt };
      if (rec.data.expectedBytes !== undefined) yield { type: 'estimate', bytes: rec.data.expectedBytes, at: rec.updatedAt };
      if (TERMINAL.has(rec.phase as SourcePhase) || (!this.active.has(id) && rec.phase === 'in-doubt')) {
        yield { type: 'end', report: rec.data.report };
        return;
      }
      for await (const event of live) {
        yield event;
        if (event.type === 'end') return;
      }
    } finally {
      ac.abort();
    }
  }

  /** Resolves records left unfinished by a crash, and keeps retrying in-doubt ones. */
  async resume(): Promise<void> {
    await this.resolveAll();
    // Dumps on tmpfs of migrations that are over (an agent that died mid-way left them).
    const open = new Set(this.deps.records.unfinished<OutgoingData>('source', TERMINAL).map((r) => r.id));
    const gone = await removeStaleDumps(dumpRoot(this.deps.config.agent.tmpfsDir, this.deps.stateDir), open);
    if (gone.length) log('info', 'removed stale dumps', { migrations: gone.join(', ') });
    this.resolver = setInterval(() => void this.resolveAll(), 3000);
    this.resolver.unref();
  }

  /** Stops background resolution and the heartbeat. */
  stop(): void {
    if (this.resolver) clearInterval(this.resolver);
    if (this.ticker) clearInterval(this.ticker);
    this.ticker = undefined;
  }

  /** Starts the heartbeat of active migrations, once. */
  private beatEvery(): void {
    this.ticker ??= setInterval(() => this.beat(), this.deps.config.migration.heartbeatMs).unref();
  }

  /** Tells every watcher of an active migration which phase it is in and for how long (also on diagnostics_channel). */
  private beat(): void {
    const at = Date.now();
    for (const id of this.active) {
      const rec = this.deps.records.get<OutgoingData>(id, 'source');
      if (!rec) continue;
      const phaseMs = at - (this.phaseSince.get(id) ?? rec.updatedAt);
      publishHeartbeat({ migrationId: id, phase: rec.phase, phaseMs, at });
      this.emit(id, { type: 'heartbeat', phase: rec.phase as SourcePhase, phaseMs, at });
    }
  }

  /** A migration this process no longer drives. */
  private inactive(id: string): void {
    this.active.delete(id);
    this.phaseSince.delete(id);
  }

  /** Runs the phases; any failure before commit rolls back. */
  private async drive(rec: Rec): Promise<void> {
    const { request } = rec.data;
    const dest = this.destination(rec);
    let reply: PrepareReply | undefined;
    let postcopy: PostcopySteps | undefined;
    try {
      const out = new Outbound(this.deps, rec, (ev) => this.emit(rec.id, ev));
      const steps = new SourceSteps(this.deps, rec, out);
      await this.step(rec, 'preflight', () => steps.preflight(dest));
      await this.move(rec, 'stage');
      const precopy = request.strategy === 'precopy' || request.strategy === 'prestore' ? new PrecopySteps(this.deps, rec, out, dest) : undefined;
      if (request.strategy === 'postcopy') postcopy = new PostcopySteps(this.deps, rec, out, dest);
      reply = await this.step(rec, 'stage', () => steps.stage(dest));
      const staged = reply;
      if (precopy) {
        await this.move(rec, 'precopy');
        await this.step(rec, 'precopy', () => precopy.rounds(staged));
      }
      await this.move(rec, 'stop');
      await this.step(rec, 'stop', () => steps.stop());
      await this.move(rec, 'transfer');
      await this.step(rec, 'transfer', () => (precopy ? precopy.finalRound(staged, steps.checkpointDir()) : postcopy ? postcopy.transfer(staged, steps.checkpointDir()) : steps.transfer(staged)));
      rec.data.restoreRequested = true;
      postcopy?.start(staged, steps.checkpointDir());
      await this.move(rec, 'restore');
      const { restoreMs, rebuildMs, fetched, restoredBy } = await this.step(rec, 'restore', () => dest.call<RestoreResult>('POST', `/v1/incoming/${rec.id}/restore`, {}, this.restoreDeadline()));
      rec.data.report.restoreMs = restoreMs;
      rec.data.report.restoredBy = restoredBy;
      if (rec.data.report.precopy && rebuildMs !== undefined) rec.data.report.precopy.rebuildMs = rebuildMs;
      if (rec.data.report.prestore && fetched) Object.assign(rec.data.report.prestore, { fetchedBytes: fetched.bytes, fetchedPacks: fetched.packs, fetchWaitMs: fetched.waitMs, directBytes: rec.data.report.bytes.wireBytes });
      rec.data.report.frozenMs = Date.now() - (rec.data.pausedAt ?? Date.now());
      const network = rec.data.report.network;
      if (network && rec.data.lockedAt) network.clientGapMs = Date.now() - rec.data.lockedAt;
      await this.move(rec, 'verify');
      // A lazy restore's verify waits until every page is in (deadlines.criuRestoreMs), so it gets the restore's deadline.
      // Post-copy: the pages follow during restore and verify; verify waits until the destination holds them all.
      const verified = await this.step(rec, 'verify', () => dest.call<{ lazyWindowMs?: number; lazy?: { servedPages?: number; faults?: number }; announce?: string }>('POST', `/v1/incoming/${rec.id}/verify`, {}, this.restoreDeadline()));
      if (network && verified.announce) network.announce = verified.announce;
      await postcopy?.stop();
      if (verified.lazyWindowMs !== undefined) rec.data.report.lazyWindowMs = verified.lazyWindowMs;
      if (verified.lazy) rec.data.report.lazyFill = { ...(verified.lazy.servedPages !== undefined ? { servedPages: verified.lazy.servedPages } : {}), ...(verified.lazy.faults !== undefined ? { faults: verified.lazy.faults } : {}) };
      rec.data.commitSent = true;
      await this.move(rec, 'commit');
      await this.step(rec, 'commit', () => this.commit(rec, dest));
      finishReport(rec.data.report, 'migrated', Date.now());
      await this.move(rec, 'done');
      await rm(path.join(this.deps.stateDir, 'criu', rec.id), { recursive: true, force: true });
      if (rec.data.checkpointDir) await rm(rec.data.checkpointDir, { recursive: true, force: true });
      this.emit(rec.id, { type: 'end', report: rec.data.report });
      log('info', 'migration done', { migration: rec.id, container: request.container });
    } catch (err) {
      await postcopy?.stop();
      await this.rollback(rec, asFerryError(err));
    }
  }

  /** Commits on the destination first, then removes the source copy (patent T3). */
  private async commit(rec: Rec, dest: DestinationClient): Promise<void> {
    const status = await dest.call<DestinationStatus>('POST', `/v1/incoming/${rec.id}/commit`, {});
    if (status.word !== 'committed') throw new FerryError('FERRY_ERR_IN_DOUBT', `the destination answered commit with "${status.word}"`);
    await this.removeSource(rec);
  }

  /**
   * Removes the source container and the volumes that moved with it. Its network stays locked,
   * so its sockets vanish without a word, unless the connections were dropped
   * (--drop-connections): then it is unlocked first, and its clients get the close at once
   * rather than after their own timeout.
   */
  private async removeSource(rec: Rec): Promise<void> {
    const spec = rec.data.spec;
    if (!spec) return;
    if (rec.data.report.network?.tcp === 'close' && rec.data.lockedPid) {
      await this.deps.checkpointer.unlockNetwork(rec.data.lockedPid).catch((err: unknown) => log('warn', 'source network not unlocked before removal', { err: String(err) }));
    }
    await this.deps.engine.removeContainer(spec.id);
    // Its address lives on the destination now: this host must not hand it out again.
    if (spec.address) await this.deps.departed?.add(spec.address.ip).catch((err: unknown) => log('warn', 'departed address not noted', { ip: spec.address?.ip, err: String(err) }));
    for (const v of spec.volumes) await this.deps.engine.removeVolume(v.name).catch((err: unknown) => log('warn', 'volume kept on source', { volume: v.name, err: String(err) }));
  }

  /** A failed migration: records the cause, then settles it. */
  private async rollback(rec: Rec, cause: FerryError): Promise<void> {
    rec.data.report.error = cause.toJSON();
    log('warn', 'migration failed, rolling back', { migration: rec.id, phase: rec.phase, err: cause.message });
    await this.settle(rec);
  }

  /**
   * Settles an unfinished migration by the rule of phases.ts: thaw only when the
   * destination cannot run a copy, remove the source only when it committed, otherwise
   * stay frozen (`in-doubt`) and let the resolver try again.
   */
  private async settle(rec: Rec): Promise<void> {
    const steps = (rec.data.report.rollback ??= []);
    const flags = { restoreRequested: rec.data.restoreRequested === true, commitSent: rec.data.commitSent === true };
    const word = flags.restoreRequested ? await this.destinationStatus(rec) : undefined;
    const decision = resolveUnfinished(rec.phase as SourcePhase, flags, word);
    if (decision.action === 'none') return;
    if (rec.phase !== 'rolling-back' && rec.phase !== 'in-doubt') await this.move(rec, 'rolling-back');
    if (decision.action === 'commit') {
      try {
        await this.commit(rec, this.destination(rec));
        return await this.finish(rec, 'migrated', `${decision.reason}: commit finished, source copy removed`);
      } catch (err) {
        steps.push(`commit retry failed: ${asFerryError(err).message}`);
      }
    }
    if (decision.action === 'finish-commit') {
      await this.removeSource(rec);
      return await this.finish(rec, 'migrated', `${decision.reason}: source copy removed`);
    }
    const answer = await this.abortDestination(rec);
    const next = decision.action === 'abort-and-thaw' ? (answer === 'committed' ? 'finish-commit' : 'thaw') : afterAbort(answer);
    if (next === 'thaw') {
      await this.thaw(rec);
      return await this.finish(rec, 'rolled-back', `destination ${answer}: source thawed, running with its state`);
    }
    if (next === 'finish-commit') {
      await this.removeSource(rec);
      return await this.finish(rec, 'migrated', 'destination had committed: source copy removed');
    }
    if (rec.phase !== 'in-doubt') {
      steps.push(`destination ${answer} after a restore was requested: source stays frozen until it answers`);
      finishReport(rec.data.report, 'in-doubt', Date.now());
      await this.move(rec, 'in-doubt');
      this.emit(rec.id, { type: 'end', report: rec.data.report });
    }
  }

  /** Ends a migration with an outcome and tells the watchers. */
  private async finish(rec: Rec, outcome: 'migrated' | 'rolled-back', note: string): Promise<void> {
    rec.data.report.rollback = [...(rec.data.report.rollback ?? []), note];
    finishReport(rec.data.report, outcome, Date.now());
    await this.move(rec, outcome === 'migrated' ? 'done' : 'rolled-back');
    this.emit(rec.id, { type: 'end', report: rec.data.report });
  }

  /** The destination's status word (unreachable when it does not answer). */
  private async destinationStatus(rec: Rec): Promise<DestinationWord> {
    try {
      return (await this.destination(rec).call<DestinationStatus>('GET', `/v1/incoming/${rec.id}`, undefined, 10_000)).word;
    } catch {
      return 'unreachable';
    }
  }

  /** Asks the destination to drop its copy; returns its answer (unreachable when none). */
  private async abortDestination(rec: Rec): Promise<DestinationWord> {
    try {
      return (await this.destination(rec).call<DestinationStatus>('POST', `/v1/incoming/${rec.id}/abort`, { why: rec.data.report.error?.message ?? 'rollback' }, ABORT_TIMEOUT_MS)).word;
    } catch {
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
      if (rec.data.checkpointDir) await rm(rec.data.checkpointDir, { recursive: true, force: true });
      steps.push('source checkpoint deleted');
    }
    if (rec.data.lockedPid) {
      // Before the thaw: the first packets the thawed processes send must leave.
      await this.deps.checkpointer.unlockNetwork(rec.data.lockedPid)
        .then(() => steps.push('source network unlocked'), (err: unknown) => steps.push(`source network not unlocked: ${asFerryError(err).message}`));
    }
    if (rec.data.paused) {
      const c = await this.deps.engine.findContainer(spec.id);
      if (c?.State.Paused && await this.deps.checkpointer.thaw(spec.id)) {
        steps.push('Docker\'s paused state brought back in step (CRIU had already thawed the cgroup)');
      }
      steps.push(c ? 'source container thawed' : 'source container not found');
    }
  }

  /** Settles every unfinished record not driven by this process (after a restart, and in-doubt ones every 3 s). */
  private async resolveAll(): Promise<void> {
    for (const rec of this.deps.records.unfinished<OutgoingData>('source', TERMINAL)) {
      if (this.active.has(rec.id)) continue;
      this.active.add(rec.id);
      this.beatEvery();
      try {
        if (rec.phase !== 'in-doubt' && rec.phase !== 'rolling-back') {
          rec.data.report.error ??= new FerryError('FERRY_ERR_AGENT_UNREACHABLE', `the source agent stopped during ${rec.phase}`).toJSON();
        }
        await this.settle(rec);
      } catch (err) {
        log('error', 'could not settle migration record', { migration: rec.id, err: String(err) });
      } finally {
        this.inactive(rec.id);
      }
    }
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
    if (this.active.has(rec.id)) this.phaseSince.set(rec.id, at);
    publishPhase({ migrationId: rec.id, phase: to, at });
    this.emit(rec.id, { type: 'phase', phase: to, at });
    await Promise.resolve();
  }

  private destination(rec: Rec): DestinationClient {
    const url = rec.data.request.destination.controlUrl;
    return this.deps.dialDestination?.(url) ?? new ControlClient(url, this.deps.credentials, this.deps.config.migration.requestTimeoutMs, 'destination agent', 'migration.requestTimeoutMs');
  }

  /** How long the destination may take to restore: its CRIU restore deadline, plus one request's worth for the rest. */
  private restoreDeadline(): { ms: number; key: string } {
    const { deadlines, migration } = this.deps.config;
    return { ms: deadlines.criuRestoreMs + migration.requestTimeoutMs, key: 'deadlines.criuRestoreMs + migration.requestTimeoutMs' };
  }

  private emit(id: string, event: MigrationEvent): void {
    if (event.type === 'end') publishMigrationEnd({ migrationId: id, report: event.report });
    publishMigrationEvent(id, event);
  }
}
