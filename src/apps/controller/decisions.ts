/** @module apps/controller/decisions — the scheduler's decisions on a diagnostics channel, for logs, the CLI and tests to subscribe to. */
import diagnostics_channel from 'node:diagnostics_channel';
import type { EventRow } from './state-store.ts';

/** Every placement, drain, sleep, wake and migration the controller decides or observes. */
export const decisionChannel = diagnostics_channel.channel('ferry:scheduler:decision');

/** Publishes one recorded event. */
export function publishDecision(event: EventRow): void {
  if (decisionChannel.hasSubscribers) decisionChannel.publish(event);
}
