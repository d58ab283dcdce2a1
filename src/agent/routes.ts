/**
 * @module agent/routes — the agent's control API as data: each route names its method,
 * path, body schema and the service call behind it. No HTTP knowledge in the services.
 */
import * as z from 'zod';
import type { Route } from '../control/server.ts';
import type { SourceService } from '../migration/source.ts';
import type { DestinationService } from '../migration/destination.ts';
import { MigrateRequest, PreflightRequest, PrepareRequest, PrestoredRequest, StoredImageRequest } from '../migration/protocol.ts';
import type { HostFacts } from './host-facts.ts';

const Empty = z.strictObject({});
const Abort = z.strictObject({ why: z.string().max(2000).optional() });

/** Builds the route table of one agent. */
export function agentRoutes(deps: { name: string; source: SourceService; destination: DestinationService; facts: () => Promise<HostFacts>; more?: Route<any>[] }): Route<any>[] { // eslint-disable-line @typescript-eslint/no-explicit-any
  const { source, destination } = deps;
  return [
    { method: 'GET', path: '/v1/health', handler: () => ({ name: deps.name, ok: true }) },
    { method: 'GET', path: '/v1/host', handler: () => deps.facts() },
    { method: 'POST', path: '/v1/migrations', body: MigrateRequest, handler: ({ body }) => source.start(body as MigrateRequest) },
    { method: 'GET', path: '/v1/migrations', handler: () => source.list() },
    { method: 'GET', path: '/v1/migrations/:id', handler: ({ params }) => { const r = source.get(params['id'] ?? ''); return { id: r.id, container: r.container, phase: r.phase, report: r.data.report }; } },
    { method: 'GET', path: '/v1/migrations/:id/events', handler: ({ params }) => { source.get(params['id'] ?? ''); return { ndjson: source.events(params['id'] ?? '') }; } },
    { method: 'POST', path: '/v1/incoming/preflight', body: PreflightRequest, handler: ({ body }) => destination.preflight(body as PreflightRequest) },
    { method: 'POST', path: '/v1/incoming', body: PrepareRequest, handler: ({ body }) => destination.prepare(body as PrepareRequest) },
    { method: 'GET', path: '/v1/incoming/:id', handler: ({ params }) => destination.status(params['id'] ?? '') },
    { method: 'POST', path: '/v1/incoming/:id/create', body: Empty, handler: ({ params }) => destination.create(params['id'] ?? '') },
    { method: 'POST', path: '/v1/incoming/:id/prestored', body: PrestoredRequest, handler: ({ params, body }) => destination.prestored(params['id'] ?? '', (body as PrestoredRequest).packs) },
    { method: 'POST', path: '/v1/incoming/:id/stored-image', body: StoredImageRequest, handler: ({ params, body }) => destination.storedImage(params['id'] ?? '', (body as StoredImageRequest).imageId) },
    { method: 'POST', path: '/v1/incoming/:id/restore', body: Empty, handler: ({ params }) => destination.restore(params['id'] ?? '') },
    { method: 'POST', path: '/v1/incoming/:id/verify', body: Empty, handler: ({ params }) => destination.verify(params['id'] ?? '') },
    { method: 'POST', path: '/v1/incoming/:id/commit', body: Empty, handler: ({ params }) => destination.commit(params['id'] ?? '') },
    { method: 'POST', path: '/v1/incoming/:id/abort', body: Abort, handler: ({ params, body }) => destination.abort(params['id'] ?? '', (body as { why?: string }).why ?? 'asked by the source') },
    ...(deps.more ?? []),
  ];
}
