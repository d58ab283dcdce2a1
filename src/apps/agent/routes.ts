/**
 * @module apps/agent/routes — the agent's control API as data: each route names its method,
 * path, body schema and the service call behind it. No HTTP knowledge in the services.
 * Health, power and metrics (JSON samples, and Prometheus' `/metrics`) are always served;
 * every route that needs the engine sits behind one guard ({@link whileAwake}) that answers FERRY_ERR_NODE_ASLEEP while the node sleeps.
 */
import type { Registry } from 'prom-client';
import * as z from 'zod';
import { FerryError } from '../../core/errors.ts';
import { PKI_ROLES } from '../../domain/pki/cert-subject.ts';
import type { Route } from '../../adapters/http-api/server.ts';
import { metricsRoute } from '../../services/metrics/exposition.ts';
import { MigrateRequest, PreflightRequest, PrepareRequest, PrestoredRequest, StoredImageRequest } from '../../domain/migration/protocol.ts';
import { DeployRequest } from './containers-protocol.ts';
import type { EngineServices } from './engine-services.ts';
import { PowerRequest, type HealthAnswer, type MetricsAnswer, type PowerAnswer } from './metrics-protocol.ts';
import { containerParam } from './node-containers.ts';
import type { PowerSwitch } from './power.ts';
import { protectRoutes } from './protect-routes.ts';
import { whileAwake } from './sleep-guard.ts';

const Empty = z.strictObject({});
const Abort = z.strictObject({ why: z.string().max(2000).optional() });

/** What the route table calls. */
export interface AgentRouteDeps {
  name: string;
  power: PowerSwitch;
  metrics: () => MetricsAnswer;
  /** The agent's Prometheus registry, served at `/metrics`. */
  prometheus: Registry;
  /** The engine-backed services; called only behind the guard, so only while they run. */
  services: () => EngineServices | undefined;
}

/** The routes that need the engine; `s` gives the services when a request comes. */
function engineRoutes(s: () => EngineServices): Route<any>[] { // eslint-disable-line @typescript-eslint/no-explicit-any
  return [
    { method: 'GET', path: '/v1/host', handler: () => s().facts() },
    { method: 'POST', path: '/v1/containers', body: DeployRequest, summary: 'Create and start a container on this node', handler: ({ body }) => s().containers.deploy(body as DeployRequest) },
    { method: 'GET', path: '/v1/containers', summary: 'The containers of this node', handler: () => s().containers.list() },
    { method: 'DELETE', path: '/v1/containers/:name', summary: 'Stop and remove a container of this node', handler: ({ params }) => s().containers.remove(containerParam(params)) },
    { method: 'POST', path: '/v1/migrations', body: MigrateRequest, handler: ({ body }) => s().source.start(body as MigrateRequest) },
    { method: 'GET', path: '/v1/migrations', handler: () => s().source.list() },
    { method: 'GET', path: '/v1/migrations/:id', handler: ({ params }) => { const r = s().source.get(params['id'] ?? ''); return { id: r.id, container: r.container, phase: r.phase, report: r.data.report }; } },
    { method: 'GET', path: '/v1/migrations/:id/events', handler: ({ params }) => { s().source.get(params['id'] ?? ''); return { ndjson: s().source.events(params['id'] ?? '') }; } },
    // An incoming migration's state is for the source agent, and readable by whoever operates the node.
    { method: 'GET', path: '/v1/incoming/:id', roles: ['agent', 'controller', 'operator'], handler: ({ params }) => s().destination.status(params['id'] ?? '') },
    ...fromAgentsOnly([
      { method: 'POST', path: '/v1/incoming/preflight', body: PreflightRequest, handler: ({ body }) => s().destination.preflight(body as PreflightRequest) },
      { method: 'POST', path: '/v1/incoming', body: PrepareRequest, handler: ({ body }) => s().destination.prepare(body as PrepareRequest) },
      { method: 'POST', path: '/v1/incoming/:id/create', body: Empty, handler: ({ params }) => s().destination.create(params['id'] ?? '') },
      { method: 'POST', path: '/v1/incoming/:id/prestored', body: PrestoredRequest, handler: ({ params, body }) => s().destination.prestored(params['id'] ?? '', (body as PrestoredRequest).packs) },
      { method: 'POST', path: '/v1/incoming/:id/stored-image', body: StoredImageRequest, handler: ({ params, body }) => s().destination.storedImage(params['id'] ?? '', (body as StoredImageRequest).imageId) },
      { method: 'POST', path: '/v1/incoming/:id/restore', body: Empty, handler: ({ params }) => s().destination.restore(params['id'] ?? '') },
      { method: 'POST', path: '/v1/incoming/:id/wants', body: Empty, handler: ({ params }) => s().destination.wants(params['id'] ?? '', 1000) },
      { method: 'POST', path: '/v1/incoming/:id/verify', body: Empty, handler: ({ params }) => s().destination.verify(params['id'] ?? '') },
      { method: 'POST', path: '/v1/incoming/:id/commit', body: Empty, handler: ({ params }) => s().destination.commit(params['id'] ?? '') },
      { method: 'POST', path: '/v1/incoming/:id/abort', body: Abort, handler: ({ params, body }) => s().destination.abort(params['id'] ?? '', (body as { why?: string }).why ?? 'asked by the source') },
    ]),
    ...protectRoutes(() => s().protection),
  ];
}

/** The destination's side of a migration: over TLS only another agent of the cluster may call it. */
function fromAgentsOnly(routes: Route<any>[]): Route<any>[] { // eslint-disable-line @typescript-eslint/no-explicit-any
  return routes.map((r) => ({ ...r, roles: ['agent'] }));
}

/** Builds the route table of one agent. */
export function agentRoutes(deps: AgentRouteDeps): Route<any>[] { // eslint-disable-line @typescript-eslint/no-explicit-any
  const { power } = deps;
  const services = (): EngineServices => {
    const s = deps.services();
    // The guard admits a request only while awake, and the services run whenever the node is awake.
    if (!s) throw new FerryError('FERRY_ERR_NODE_ASLEEP', 'this node\'s engine-backed services are not running');
    return s;
  };
  return [
    { method: 'GET', path: '/v1/health', summary: 'Liveness and power state', roles: PKI_ROLES, handler: (): HealthAnswer => ({ name: deps.name, ok: true, power: power.state }) },
    { method: 'GET', path: '/v1/metrics', summary: 'The last load samples of this node and its containers', handler: () => deps.metrics() },
    metricsRoute(deps.prometheus),
    {
      method: 'POST', path: '/v1/power', body: PowerRequest, summary: 'Put the node to sleep or wake it',
      handler: async ({ body }): Promise<PowerAnswer> => ({ name: deps.name, power: await ((body as PowerRequest).state === 'sleep' ? power.sleep() : power.wake()) }),
    },
    ...whileAwake(power, engineRoutes(services)),
  ];
}
