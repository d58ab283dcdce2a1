/**
 * @module services/migration/follow-migration — follows a migration's events from its source agent until it
 * ends, and tells a silent or broken event stream from a lost agent: when the stream stops,
 * the agent is asked /v1/health and the migration's record is read again; only an agent that
 * does not answer is "lost" (FERRY_ERR_AGENT_UNREACHABLE).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { FerryError } from '../../core/errors.ts';
import type { MigrationEvent } from './source-types.ts';
import type { MigrationReport } from '../../domain/migration/report.ts';

/** What the follower needs of the source agent's client (ControlClient has it). */
export interface FollowPort {
  stream<T>(path: string, idleMs: number): AsyncIterable<T>;
  call<T>(method: 'GET', path: string): Promise<T>;
  alive(): Promise<boolean>;
}

/** How patient the follower is. */
export interface FollowOptions {
  /** The source's name, for messages. */
  from: string;
  /** A stream that carries nothing (not even a heartbeat) for this long is given up and re-opened, in ms. */
  idleMs?: number;
  /** Health probes before the agent is declared lost, and the pause between them. */
  healthTries?: number;
  healthPauseMs?: number;
  /** Re-opened streams in a row that bring nothing new before the follower gives up (FERRY_ERR_PEER_TIMEOUT). */
  maxReopens?: number;
  /** The pause before a stream is re-opened, in ms. */
  reopenPauseMs?: number;
  /** Stops following (at the stream's next event, a heartbeat at the latest) and rejects with its reason. */
  signal?: AbortSignal;
}

/** Six missed heartbeats at the default migration.heartbeatMs (5 s). */
export const STREAM_IDLE_MS = 30_000;

/** The source agent's answer to GET /v1/migrations/:id. */
interface RecordAnswer { phase: string; report: MigrationReport }

/** Follows migration `id` to its end, showing each new event; returns its report. */
export async function followMigration(client: FollowPort, id: string, show: (ev: MigrationEvent) => void, o: FollowOptions): Promise<MigrationReport> {
  const idleMs = o.idleMs ?? STREAM_IDLE_MS;
  const maxReopens = o.maxReopens ?? 5;
  let phase: string | undefined;
  let reopens = 0;
  for (;;) {
    o.signal?.throwIfAborted();
    let cause: FerryError;
    try {
      for await (const ev of client.stream<MigrationEvent>(`/v1/migrations/${encodeURIComponent(id)}/events`, idleMs)) {
        o.signal?.throwIfAborted();
        // A re-opened stream starts by repeating the current phase; that is not news.
        if (ev.type === 'phase' && ev.phase === phase) continue;
        reopens = 0;
        if (ev.type === 'phase') phase = ev.phase;
        show(ev);
        if (ev.type === 'end') return ev.report;
      }
      cause = new FerryError('FERRY_ERR_AGENT_UNREACHABLE', 'the event stream ended before the migration did');
    } catch (err) {
      if (!isStreamLoss(err)) throw err;
      cause = err;
    }
    if (!(await aliveWithin(client, o.healthTries ?? 3, o.healthPauseMs ?? 1000))) {
      throw new FerryError('FERRY_ERR_AGENT_UNREACHABLE', `lost the source agent ${o.from} during migration ${id}: it does not answer /v1/health (${cause.message}); the agent resolves the migration when it runs again (the container keeps exactly one copy)`, { cause });
    }
    // The agent runs: the migration may have ended while the stream was down.
    const rec = await client.call<RecordAnswer>('GET', `/v1/migrations/${encodeURIComponent(id)}`).catch((err: unknown) => {
      if (isStreamLoss(err)) return undefined;
      throw err;
    });
    if (rec && rec.report.outcome !== 'running') {
      show({ type: 'end', report: rec.report });
      return rec.report;
    }
    if (++reopens > maxReopens) {
      throw new FerryError('FERRY_ERR_PEER_TIMEOUT', `the source agent ${o.from} answers /v1/health, but its event stream of migration ${id} (now in ${rec?.phase ?? 'a phase it did not say'}) broke ${reopens} times in a row (${cause.message}); the migration goes on there: \`ferry migrations --host ${o.from}\` shows it`, { cause });
    }
    await sleep(o.reopenPauseMs ?? 500);
  }
}

/** True for the errors of a stream that went silent or broke (not an answer of the agent's). */
function isStreamLoss(err: unknown): err is FerryError {
  return err instanceof FerryError && (err.code === 'FERRY_ERR_AGENT_UNREACHABLE' || err.code === 'FERRY_ERR_PEER_TIMEOUT');
}

/** True when the agent answers /v1/health within `tries` probes. */
async function aliveWithin(client: FollowPort, tries: number, pauseMs: number): Promise<boolean> {
  for (let i = 0; i < tries; i++) {
    if (await client.alive()) return true;
    if (i + 1 < tries) await sleep(pauseMs);
  }
  return false;
}
