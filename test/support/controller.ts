/**
 * @module test/support/controller — the controller process of a test (started and stopped by
 * PID through src/apps/controller/process.ts) and waiting for its events.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { ControlClient } from '../../src/adapters/http-api/client.ts';
import type { EventRow } from '../../src/apps/controller/records.ts';
import { startControllerProcess, stopControllerProcess, type ControllerProcess } from '../../src/apps/controller/process.ts';

export { startControllerProcess, type ControllerProcess };

/** Kills a controller process by its PID (SIGKILL unless told) and waits until it is gone. */
export function killController(p: ControllerProcess, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
  return stopControllerProcess(p, signal);
}

/** Waits until an event matching `match` is recorded; returns it. */
export async function waitEvent(client: ControlClient, match: (e: EventRow) => boolean, timeoutMs: number, what: string): Promise<EventRow> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const found = (await client.call<EventRow[]>('GET', '/v1/events?after=0')).find(match);
    if (found) return found;
    if (Date.now() > until) {
      const tail = (await client.call<EventRow[]>('GET', '/v1/events?after=0')).slice(-15).map((e) => `${e.kind} ${e.subject} ${e.reason}: ${e.detail}`).join('\n  ');
      throw new Error(`no event "${what}" within ${timeoutMs} ms; last events:\n  ${tail}`);
    }
    await sleep(250);
  }
}
