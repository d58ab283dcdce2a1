/**
 * @module services/migration/test-support — fakes for unit tests of the migration state machine:
 * a destination agent that answers the source's control calls from a phase of its own, a data
 * link that sends nothing, an engine and a record store that write what happens into one
 * journal, and a bed that wires them with a `FakeEngine` and a `FakeCheckpointer` into a
 * `SourceService` holding one running container. Every fake appends `who.what` to the shared
 * journal, so a test reads the orderings across all of them.
 *
 * @example
 *   const bed = await sourceBed();
 *   const id = bed.start();
 *   await bed.settled(id);     // phase done, rolled-back or in-doubt
 *   bed.journal;               // ['phase:preflight', 'checkpointer.processes', …, 'engine.removeContainer', 'phase:done']
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseConfig } from '../../core/config.ts';
import { FerryError } from '../../core/errors.ts';
import type { Engine } from '../../adapters/docker/engine-port.ts';
import { FakeEngine } from '../../adapters/docker/fake-engine.ts';
import { FakeCheckpointer } from '../../adapters/host/fake-checkpointer.ts';
import type { CallDeadline } from '../../adapters/http-api/client.ts';
import { destinationWord, type DestinationPhase } from '../../domain/migration/phases.ts';
import type { DestinationStatus, MigrateRequest } from '../../domain/migration/protocol.ts';
import type { DataLinkOpener } from './data-link-port.ts';
import { RecordStore, type MigrationRecord, type Role } from './record-store.ts';
import { SourceService } from './source.ts';
import type { DestinationClient, OutgoingData } from './source-types.ts';

/** Engine calls that change something: the ones the journal shows. */
const ENGINE_CHANGES = new Set(['createContainer', 'startContainer', 'stopContainer', 'pause', 'unpause', 'removeContainer', 'createCheckpoint', 'deleteCheckpoint', 'loadImage', 'createVolume', 'removeVolume']);

/** An engine that writes `engine.METHOD` into `journal` for every call that changes something. */
export function recordingEngine<E extends Engine>(engine: E, journal: string[]): E {
  return new Proxy(engine, {
    get(target, key, receiver) {
      const value: unknown = Reflect.get(target, key, receiver);
      if (typeof value !== 'function' || typeof key !== 'string' || !ENGINE_CHANGES.has(key)) return value;
      return (...args: unknown[]) => {
        journal.push(`engine.${key}`);
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}

/** A record store that writes `phase:PHASE` into `journal` whenever a record's phase changes. */
export class JournalRecords extends RecordStore {
  private readonly journal: string[];
  private readonly phases = new Map<string, string>();

  constructor(file: string, journal: string[]) {
    super(file);
    this.journal = journal;
  }

  override put<D>(record: Omit<MigrationRecord<D>, 'updatedAt'>): MigrationRecord<D> {
    const key = `${record.role}:${record.id}`;
    if (this.phases.get(key) !== record.phase) this.journal.push(`phase:${record.phase}`);
    this.phases.set(key, record.phase);
    return super.put(record);
  }
}

/** What the fake destination is asked: the last part of the path (`prepare` for POST /v1/incoming, `status` for GET). */
export type DestinationOp = 'preflight' | 'prepare' | 'create' | 'restore' | 'verify' | 'commit' | 'abort' | 'status';

/**
 * The destination agent's control API, in memory: it keeps a phase as the real one does
 * (prepared, created, received when a restore began, restored, committed, aborted) and says
 * the same word for it; `failNext` makes its next answer to one call an error.
 */
export class FakeDestination implements DestinationClient {
  /** Every call, in order (`destination.OP` in the journal). */
  readonly ops: DestinationOp[] = [];
  private phase: DestinationPhase | undefined;
  private readonly journal: string[];
  private readonly failures = new Map<DestinationOp, Error>();
  private readonly holds = new Map<DestinationOp, Promise<void>>();

  constructor(journal: string[]) {
    this.journal = journal;
  }

  /** Makes the next `op` fail (after its side effects: a failed restore leaves the phase `received`). */
  failNext(op: DestinationOp, error: Error = new FerryError(op === 'restore' || op === 'verify' ? 'FERRY_ERR_RESTORE' : 'FERRY_ERR_PROTOCOL', `the fake destination was told to fail ${op}`)): void {
    this.failures.set(op, error);
  }

  /** Holds the next `op` unanswered until the returned function is called. */
  holdNext(op: DestinationOp): () => void {
    let release = (): void => undefined;
    this.holds.set(op, new Promise<void>((r) => (release = r)));
    return () => release();
  }

  async call<T>(method: 'GET' | 'POST' | 'DELETE', urlPath: string, _body?: unknown, _deadline?: CallDeadline): Promise<T> {
    const op = opOf(method, urlPath);
    const held = this.holds.get(op);
    this.holds.delete(op);
    await held;
    return this.answer(op, urlPath) as T;
  }

  /** The answer to one call; throws a queued failure. */
  private answer(op: DestinationOp, urlPath: string): unknown {
    const id = urlPath.split('/').filter(Boolean)[2] ?? '';
    this.ops.push(op);
    this.journal.push(`destination.${op}`);
    if (op === 'prepare') this.phase = 'prepared';
    if (op === 'create') this.phase = 'created';
    if (op === 'restore') this.phase = 'received';
    if (op === 'abort' && this.phase !== 'committed') this.phase = 'aborted';
    const failure = this.failures.get(op);
    this.failures.delete(op);
    if (failure) throw failure;
    if (op === 'restore') this.phase = 'restored';
    if (op === 'commit' && this.phase === 'restored') this.phase = 'committed';
    const status: DestinationStatus = { migrationId: id, phase: this.phase ?? null, word: destinationWord(this.phase) as DestinationStatus['word'] };
    switch (op) {
      case 'preflight': return { criu: {} };
      case 'prepare': return { ticket: 'fake-ticket', dataPort: 1, needImage: false };
      case 'create': return { containerId: 'fake-destination-container' };
      case 'restore': return { restoreMs: 1, restoredBy: 'thin' };
      case 'verify': return { running: true, pid: 1 };
      default: return status;
    }
  }
}

/** The destination operation a call of its control API is. */
function opOf(method: string, urlPath: string): DestinationOp {
  const parts = urlPath.split('/').filter(Boolean).slice(2);
  return method === 'GET' ? 'status' : parts.length === 0 ? 'prepare' : parts[0] === 'preflight' ? 'preflight' : (parts[1] as DestinationOp);
}

/** A data link that sends nothing: it writes `link.ROOT` per tree or stream and `link.finish` into `journal`. */
export function fakeDataLink(journal: string[]): DataLinkOpener {
  return () => Promise.resolve({
    sendTree: (root: string) => Promise.resolve(void journal.push(`link.${root}`)),
    sendStream: (root: string) => Promise.resolve(void journal.push(`link.${root}`)),
    finish: () => Promise.resolve(void journal.push('link.finish')).then(() => ({ files: 1, rawBytes: 4096, wireBytes: 4096 })),
    destroy: () => void journal.push('link.destroy'),
  });
}

/** A source service wired with fakes, one running container `app`, and the journal they share. */
export interface SourceBed {
  journal: string[];
  engine: FakeEngine;
  checkpointer: FakeCheckpointer;
  destination: FakeDestination;
  records: RecordStore;
  source: SourceService;
  /** The container's id. */
  containerId: string;
  /** Starts a stop-copy migration of `app` (with `options`); returns its id. */
  start(options?: MigrateRequest['options']): string;
  /** Waits until the migration is done, rolled back or in doubt; returns its record. */
  settled(id: string): Promise<MigrationRecord<OutgoingData>>;
  /** Stops the service and removes the bed's directory. */
  close(): Promise<void>;
}

/** Builds a {@link SourceBed} in a directory of its own. */
export async function sourceBed(): Promise<SourceBed> {
  const dir = await mkdtemp(path.join(tmpdir(), 'ferry-source-bed-'));
  const journal: string[] = [];
  const engine = new FakeEngine({ images: ['ferry/loop:1'], dataRoot: path.join(dir, 'docker') });
  const recorded = recordingEngine(engine, journal);
  const checkpointer = new FakeCheckpointer(recorded, { journal });
  const destination = new FakeDestination(journal);
  const records = new JournalRecords(path.join(dir, 'agent.db'), journal);
  const config = parseConfig({ agent: { tmpfsDir: '', runcCriuConfig: path.join(dir, 'runc.conf') }, migration: { heartbeatMs: 60_000 } });
  const criu = () => Promise.resolve({ version: '4.2.1', versionOk: true, checkOk: true, checkOutput: 'Looks good.', memDirtyTrack: true, uffdNoncoop: true });
  const source = new SourceService({
    hostName: 'h1', engine: recorded, records, config, dataRoot: path.join(dir, 'docker'), stateDir: path.join(dir, 'agent'), credentials: {},
    criu, checkpointer, openDataLink: fakeDataLink(journal), dialDestination: () => destination,
  });
  const containerId = await engine.createContainer('app', { Image: 'ferry/loop:1', HostConfig: { NetworkMode: 'bridge' } });
  await engine.startContainer(containerId);
  return {
    journal, engine, checkpointer, destination, records, source, containerId,
    start(options) {
      const request: MigrateRequest = { container: 'app', strategy: 'stop-copy', destination: { name: 'h2', controlUrl: 'http://h2.invalid:7700', dataHost: 'h2.invalid' }, ...(options ? { options } : {}) };
      return source.start(request).id;
    },
    async settled(id) {
      const role: Role = 'source';
      for (let i = 0; i < 500; i++) {
        const rec = records.get<OutgoingData>(id, role);
        if (rec && ['done', 'rolled-back', 'in-doubt'].includes(rec.phase)) return rec;
        await sleep(10);
      }
      throw new Error(`migration ${id} did not settle within 5 s: ${records.get(id, role)?.phase}`);
    },
    async close() {
      source.stop();
      records.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
