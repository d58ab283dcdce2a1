/**
 * @module apps/controller/openapi — the controller's API description (OpenAPI 3.1), generated
 * from the same route table and zod schemas that validate the requests, so it cannot drift.
 */
import * as z from 'zod';
import type { Route } from '../../adapters/http-api/server.ts';

/** The OpenAPI document of a route table. */
export function openApiOf(routes: readonly Route<unknown>[], title: string, version: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of routes) {
    const p = r.path.replace(/:([a-zA-Z]+)/g, '{$1}');
    const params = [...r.path.matchAll(/:([a-zA-Z]+)/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string' } }));
    paths[p] ??= {};
    paths[p][r.method.toLowerCase()] = {
      summary: r.summary ?? '',
      ...(params.length ? { parameters: params } : {}),
      ...(r.body ? { requestBody: { required: true, content: { 'application/json': { schema: z.toJSONSchema(r.body, { io: 'input', unrepresentable: 'any' }) } } } } : {}),
      responses: {
        '200': { description: 'success (JSON)' },
        default: { description: 'a FerryError: { error: { code, message, hint, retryable } } (docs/errors.md)' },
      },
      security: [{ bearer: [] }],
    };
  }
  return {
    openapi: '3.1.0',
    info: { title, version },
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'the cluster token' } } },
    paths,
  };
}
