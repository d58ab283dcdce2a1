/** @module apps/controller/decisions — the scheduler's decisions on the `ferry:scheduler:decision` channel (core/events.ts), for metrics, logs and tests to subscribe to. */
import { channels } from '../../core/events.ts';
import type { EventRow } from './records.ts';

/** Publishes one recorded event: every placement, drain, sleep, wake and migration the controller decides or observes. */
export function publishDecision(event: EventRow): void {
  channels.decision.publish(event);
}
