/**
 * @module core/events — ferry's observability channels (node:diagnostics_channel). Code
 * publishes; the CLI progress view, logs and the report subscribe. Nothing here depends on
 * a logger.
 */
import diagnostics_channel from 'node:diagnostics_channel';

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

/** The channels, by name. */
export const channels = {
  phase: diagnostics_channel.channel('ferry:migration:phase'),
  heartbeat: diagnostics_channel.channel('ferry:migration:heartbeat'),
  end: diagnostics_channel.channel('ferry:migration:end'),
  log: diagnostics_channel.channel('ferry:log'),
} as const;

/** Publishes a phase change. */
export function publishPhase(event: PhaseEvent): void {
  if (channels.phase.hasSubscribers) channels.phase.publish(event);
}

/** Publishes a heartbeat of a migration in progress. */
export function publishHeartbeat(event: HeartbeatEvent): void {
  if (channels.heartbeat.hasSubscribers) channels.heartbeat.publish(event);
}

/** Publishes the end of a migration (the source agent, where its 'end' event is emitted). */
export function publishMigrationEnd<R>(event: MigrationEndEvent<R>): void {
  if (channels.end.hasSubscribers) channels.end.publish(event);
}

/** A log line, for whoever subscribes (the agent writes them to its log file). */
export function log(level: 'info' | 'warn' | 'error', msg: string, fields: Record<string, unknown> = {}): void {
  if (channels.log.hasSubscribers) channels.log.publish({ level, msg, time: Date.now(), ...fields });
}
