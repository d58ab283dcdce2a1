/**
 * @module adapters/docker/engine-error — pure: the FerryError of an Engine API call the engine refused,
 * keeping the engine's own message. Shared by the real client and the fake, so both give the
 * same code for the same refusal.
 */
import { FerryError } from '../../core/errors.ts';

/** A response body as text plus its status. */
export interface Reply { status: number; body: string }

/** The engine's message of a refusal (its JSON `message`, else the body as text). */
export function engineMessage(reply: Reply): string {
  let message = reply.body.trim();
  try {
    message = (JSON.parse(reply.body) as { message?: string }).message ?? message;
  } catch {
    /* plain-text body */
  }
  return message;
}

/** The FerryError of a failed engine call: CHECKPOINT or RESTORE when the engine blames a checkpoint or CRIU, else DOCKER. */
export function engineError(method: string, path: string, reply: Reply): FerryError {
  const message = engineMessage(reply);
  const code = /checkpoint|criu/i.test(message) ? (path.includes('start') ? 'FERRY_ERR_RESTORE' : 'FERRY_ERR_CHECKPOINT') : 'FERRY_ERR_DOCKER';
  return new FerryError(code, `Docker engine refused ${method} ${path} (${reply.status}): ${message}`);
}
