/**
 * @module apps/controller/routes — the controller's HTTP API as data: method, path, body schema,
 * summary and the service call. The OpenAPI document is generated from this table.
 */
import type { Registry } from 'prom-client';
import * as z from 'zod';
import type { Route } from '../../adapters/http-api/server.ts';
import { metricsRoute } from '../../services/metrics/exposition.ts';
import { openApiOf } from './openapi.ts';
import type { ControllerService } from './service.ts';

const resources = {
  cpuMillis: z.number().int().min(1).max(1_000_000),
  memoryMiB: z.number().int().min(1).max(16 * 1024 * 1024),
  networkMbps: z.number().min(0).max(1_000_000).optional(),
};

/** `ferry run`'s body. */
export const RunBody = z.strictObject({
  image: z.string().min(1).max(255),
  name: z.string().min(1).max(128).optional(),
  app: z.string().regex(/^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,63}$/).optional(),
  appType: z.string().min(1).max(32).optional(),
  env: z.array(z.string().max(4096)).max(64).optional(),
  ...resources,
});

/** A node's registration. */
export const RegisterBody = z.strictObject({
  name: z.string().regex(/^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,63}$/),
  controlUrl: z.url(),
  dataHost: z.string().min(1).max(255),
  capacity: z.strictObject({ cpuMillis: z.number().int().min(0), memoryMiB: z.number().int().min(0), networkMbps: z.number().min(0) }).optional(),
  zone: z.string().max(64).optional(),
  rack: z.string().max(64).optional(),
});

const PolicyBody = z.strictObject({ name: z.string().min(1).max(32) });
const AppTypeBody = z.strictObject({ memory: z.number(), cpu: z.number(), network: z.number() });

/** The route table of the controller; `prometheus` is served at `/metrics`; `extra` routes (the dashboard's feed) are described too. */
export function controllerRoutes(service: ControllerService, version: string, prometheus: Registry, extra: Route[] = []): Route<any>[] { // eslint-disable-line @typescript-eslint/no-explicit-any
  const routes: Route<any>[] = [ // eslint-disable-line @typescript-eslint/no-explicit-any
    { method: 'GET', path: '/v1/health', summary: 'liveness and the active policy', handler: () => ({ ok: true, policy: service.policy() }) },
    { method: 'GET', path: '/v1/nodes', summary: 'nodes with state, colour, Wi and its parts', handler: () => service.nodes() },
    { method: 'POST', path: '/v1/nodes', body: RegisterBody, summary: 'register an agent (checked with the cluster token)', handler: ({ body }) => { const b = body as z.infer<typeof RegisterBody>; return service.registerNode({ ...b, capacity: b.capacity ?? { cpuMillis: 0, memoryMiB: 0, networkMbps: 0 } }); } },
    { method: 'GET', path: '/v1/containers', summary: 'containers deployed by the controller', handler: () => service.containers() },
    { method: 'POST', path: '/v1/containers', body: RunBody, summary: 'deploy a container through the scheduler', handler: ({ body }) => service.run(body as z.infer<typeof RunBody>) },
    { method: 'DELETE', path: '/v1/containers/:name', summary: 'stop and remove a container', handler: ({ params }) => service.remove(params['name'] ?? '') },
    { method: 'GET', path: '/v1/events', summary: 'decisions and observations after ?after=ID', handler: ({ query }) => service.events(Number(query.get('after') ?? 0) || 0) },
    { method: 'GET', path: '/v1/migrations', summary: 'migrations the scheduler started', handler: () => service.migrations() },
    { method: 'GET', path: '/v1/app-types', summary: 'application types and their weights λ:α:β', handler: () => service.appTypes() },
    { method: 'POST', path: '/v1/app-types/:name', body: AppTypeBody, summary: 'define an application type (weights sum to 1)', handler: ({ params, body }) => service.defineAppType(params['name'] ?? '', body as z.infer<typeof AppTypeBody>) },
    { method: 'GET', path: '/v1/policy', summary: 'the active policy', handler: () => ({ policy: service.policy() }) },
    { method: 'POST', path: '/v1/policy', body: PolicyBody, summary: 'switch the policy', handler: ({ body }) => service.setPolicy((body as z.infer<typeof PolicyBody>).name) },
    metricsRoute(prometheus),
    ...extra,
  ];
  const doc = openApiOf(routes, 'ferry controller', version);
  routes.push({ method: 'GET', path: '/v1/openapi.json', summary: 'this description', handler: () => doc });
  return routes;
}
