/** @module services/metrics/exposition — `GET /metrics`: a registry in Prometheus' text format, a route of the control API (so the cluster token guards it like every other route). */
import type { Registry } from 'prom-client';
import { TextBody, type Route } from '../../adapters/http-api/server.ts';

/** The route that serves a registry. */
export function metricsRoute(registry: Registry): Route {
  return {
    method: 'GET',
    path: '/metrics',
    summary: 'Prometheus metrics (text exposition format)',
    // Over TLS, a scraper with an observer certificate may read this and nothing that acts.
    roles: ['controller', 'operator', 'observer'],
    handler: async () => new TextBody(await registry.metrics(), registry.contentType),
  };
}
