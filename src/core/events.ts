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

/** The channels, by name. */
export const channels = {
  phase: diagnostics_channel.channel('ferry:migration:phase'),
  log: diagnostics_channel.channel('ferry:log'),
} as const;

/** Publishes a phase change. */
export function publishPhase(event: PhaseEvent): void {
  if (channels.phase.hasSubscribers) channels.phase.publish(event);
}

/** A log line, for whoever subscribes (the agent writes them to its log file). */
export function log(level: 'info' | 'warn' | 'error', msg: string, fields: Record<string, unknown> = {}): void {
  if (channels.log.hasSubscribers) channels.log.publish({ level, msg, time: Date.now(), ...fields });
}
