/**
 * @module apps/agent/protect-routes — the agent's protection and recovery: the services wired
 * to this host's engine and object store, and their control API routes as data (bodies and
 * container names validated here, the services know no HTTP).
 */
import * as z from 'zod';
import type { Config } from '../../core/config.ts';
import { FerryError } from '../../core/errors.ts';
import type { Route } from '../../adapters/http-api/server.ts';
import type { Engine } from '../../adapters/docker/engine-port.ts';
import type { ObjectStore } from '../../adapters/object-store/object-store.ts';
import { listPoints } from '../../services/protect/point-reader.ts';
import { CONTAINER_NAME } from '../../services/protect/points.ts';
import { ProtectionService } from '../../services/protect/protection-service.ts';
import { RecoveryService } from '../../services/protect/recovery.ts';

const Name = z.string().regex(CONTAINER_NAME, 'a container name: a letter or digit, then letters, digits, _ . or -, at most 128 characters');
const ProtectBody = z.strictObject({
  container: Name,
  /** Interval between points, in ms (500 ms to a day). */
  everyMs: z.number().int().min(500).max(86_400_000).optional(),
  keep: z.number().int().min(1).max(1000).optional(),
});
const RecoverBody = z.strictObject({ container: Name, sequence: z.number().int().min(1).optional() });
const Empty = z.strictObject({});

/** What the agent hands to protection and recovery. */
export interface ProtectionWiring {
  engine: Engine;
  store: () => Promise<ObjectStore>;
  config: Config;
  stateDir: string;
  dataRoot: string;
}

/** The container name of a path, checked like a body field. */
function nameParam(params: Record<string, string>): string {
  const name = params['container'] ?? '';
  if (!CONTAINER_NAME.test(name)) throw new FerryError('FERRY_ERR_INVALID_INPUT', `"${name}" is not a container name: a letter or digit, then letters, digits, _ . or -, at most 128 characters`);
  return name;
}

/** This agent's protection and recovery services. */
export interface Protection {
  protections: ProtectionService;
  recoveries: RecoveryService;
  store: () => Promise<ObjectStore>;
  close(): void;
}

/** The routes of protection and recovery; `p` gives the services when a request comes (they exist only while the engine runs). */
export function protectRoutes(p: () => Protection): Route<any>[] { // eslint-disable-line @typescript-eslint/no-explicit-any
  return [
    { method: 'POST', path: '/v1/protections', body: ProtectBody, handler: ({ body }) => { const b = body as z.infer<typeof ProtectBody>; return p().protections.start(b.container, b.everyMs, b.keep); } },
    { method: 'GET', path: '/v1/protections', handler: () => p().protections.list() },
    { method: 'DELETE', path: '/v1/protections/:container', handler: ({ params }) => p().protections.stop(nameParam(params)) },
    { method: 'POST', path: '/v1/protections/:container/points', body: Empty, handler: ({ params }) => p().protections.runOnce(nameParam(params)) },
    { method: 'GET', path: '/v1/points/:container', handler: async ({ params }) => listPoints(await p().store(), nameParam(params)) },
    { method: 'POST', path: '/v1/recoveries', body: RecoverBody, handler: ({ body }) => { const b = body as z.infer<typeof RecoverBody>; return p().recoveries.recover(b.container, b.sequence); } },
  ];
}

/** Starts this agent's protection (resuming the protections saved before a restart) and recovery. */
export async function startProtection(w: ProtectionWiring): Promise<Protection> {
  const protections = new ProtectionService(w);
  const recoveries = new RecoveryService(w);
  await protections.resume();
  return { protections, recoveries, store: w.store, close: () => protections.close() };
}
