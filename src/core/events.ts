/**
 * @module core/events — the registry of ferry's observability channels (node:diagnostics_channel):
 * every channel's name, what it carries and who publishes it, in the one table `channels`.
 * Code publishes; the migration event stream (which the CLI progress view and the dashboard
 * read), the logs and the Prometheus metrics subscribe. Nothing here depends on a logger.
 */
import { defineChannel, messagesOf } from './channel.ts';

/** A migration moved to a new phase. */
export interface PhaseEvent {
  migrationId: string;
  phase: string;
  at: number;
  detail?: string;
}

/** A migration is still in a phase: sent at a steady beat, so that a long silent step (a dump, a restore) shows that time passes. */
export interface HeartbeatEvent {
  migrationId: string;
  phase: string;
  /** How long the migration has been in this phase, in ms. */
  phaseMs: number;
  at: number;
}

/**
 * A migration ended (migrated, rolled back, or in doubt — an in-doubt one ends again once
 * settled), with its finished report (a domain/migration/report.ts MigrationReport; typed by the
 * publisher's parameter, so this lowest floor imports nothing from above).
 */
export interface MigrationEndEvent<R = unknown> {
  migrationId: string;
  report: R;
}

/**
 * One event of a migration's stream, for the watchers of that migration (a
 * services/migration MigrationEvent: phase, progress, estimate, round, heartbeat, end; typed
 * by the publisher's parameter, so this floor imports nothing from above).
 */
export interface MigrationStreamEvent<E extends { type: string } = { type: string }> {
  migrationId: string;
  event: E;
}

/** A decision or observation the controller recorded (an apps/controller EventRow). */
export interface DecisionEvent {
  kind: string;
  subject: string;
  reason: string;
  at: number;
}

/** A protection point was stored (a services/protect PointReport). */
export interface ProtectPointEvent {
  container: string;
  sequence: number;
}

/** A protection point failed; the last complete point stays valid. */
export interface ProtectFailureEvent {
  container: string;
  code: string;
  message: string;
  at: string;
}

/** A log line: level, message, time (ms since the epoch) and fields. */
export interface LogEvent {
  level: 'info' | 'warn' | 'error';
  msg: string;
  time: number;
  [field: string]: unknown;
}

/** Every channel of ferry, by key: nothing else calls diagnostics_channel.channel (a test checks). */
export const channels = {
  phase: defineChannel<PhaseEvent>('ferry:migration:phase', {
    carries: 'PhaseEvent: a migration entered a phase',
    publishers: 'services/migration/source.ts, on each phase change (after it is persisted)',
    subscribers: 'none in the product; for tracing and tests',
  }),
  heartbeat: defineChannel<HeartbeatEvent>('ferry:migration:heartbeat', {
    carries: 'HeartbeatEvent: a migration is still in its phase, and for how long',
    publishers: 'services/migration/source.ts, every migration.heartbeatMs',
    subscribers: 'none in the product; for tracing and tests',
  }),
  migrationEvent: defineChannel<MigrationStreamEvent>('ferry:migration:event', {
    carries: '{ migrationId, event }: every event of a migration\'s stream (phase, progress, estimate, round, heartbeat, end)',
    publishers: 'services/migration/source.ts (its steps\' progress and rounds included)',
    subscribers: 'SourceService.events(id), filtered by id: the agent\'s GET /v1/migrations/:id/events, which the CLI progress view and the dashboard feed follow',
  }),
  end: defineChannel<MigrationEndEvent>('ferry:migration:end', {
    carries: 'MigrationEndEvent: a migration ended, with its report (an in-doubt one ends again when settled)',
    publishers: 'services/migration/source.ts, with the stream\'s end event',
    subscribers: 'services/metrics/agent-metrics.ts (Prometheus)',
  }),
  decision: defineChannel<DecisionEvent>('ferry:scheduler:decision', {
    carries: 'DecisionEvent: a placement, drain, sleep, wake or migration the controller recorded',
    publishers: 'apps/controller/service.ts (publishDecision in decisions.ts), after storing it',
    subscribers: 'apps/controller/controller-metrics.ts (Prometheus)',
  }),
  protectPoint: defineChannel<ProtectPointEvent>('ferry:protect:point', {
    carries: 'ProtectPointEvent: a protection point was stored (its PointReport)',
    publishers: 'services/protect/protection-service.ts',
    subscribers: 'none in the product; for tracing and tests',
  }),
  protectFailure: defineChannel<ProtectFailureEvent>('ferry:protect:failure', {
    carries: 'ProtectFailureEvent: a protection point failed',
    publishers: 'services/protect/protection-service.ts',
    subscribers: 'none in the product; for tracing and tests',
  }),
  log: defineChannel<LogEvent>('ferry:log', {
    carries: 'LogEvent: one log line',
    publishers: 'log() below, from everywhere',
    subscribers: 'apps/agent/main.ts logToStdout (the agent and controller processes: JSON lines on stdout)',
  }),
} as const;

/** Publishes a phase change. */
export function publishPhase(event: PhaseEvent): void {
  channels.phase.publish(event);
}

/** Publishes a heartbeat of a migration in progress. */
export function publishHeartbeat(event: HeartbeatEvent): void {
  channels.heartbeat.publish(event);
}

/** Publishes the end of a migration (the source agent, where its 'end' event is emitted). */
export function publishMigrationEnd<R>(event: MigrationEndEvent<R>): void {
  channels.end.publish(event);
}

/** Publishes one event of a migration's stream. */
export function publishMigrationEvent<E extends { type: string }>(migrationId: string, event: E): void {
  channels.migrationEvent.publish({ migrationId, event });
}

/**
 * The events of migration `migrationId` published from this call on, in order, until `signal`
 * aborts (the caller aborts when it stops reading).
 */
export function liveMigrationEvents<E extends { type: string }>(migrationId: string, signal: AbortSignal): AsyncGenerator<E> {
  // Subscribed now, not at the first read: nothing published meanwhile is lost.
  const messages = messagesOf(channels.migrationEvent, (m) => m.migrationId === migrationId, signal);
  return (async function* () {
    for await (const m of messages) yield m.event as E;
  })();
}

/** A log line, for whoever subscribes (the agent writes them to its log file). */
export function log(level: LogEvent['level'], msg: string, fields: Record<string, unknown> = {}): void {
  if (channels.log.hasSubscribers) channels.log.publish({ level, msg, time: Date.now(), ...fields });
}
