/**
 * @module apps/controller/dashboard-route — `GET /v1/stream`, the dashboard's live feed, wired to
 * the controller: its node view with each node's containers (from the last load sample), its
 * event log, and the control APIs of the awake nodes' agents (with the cluster token).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { ControlClient, type Credentials } from '../../adapters/http-api/client.ts';
import type { Route } from '../../adapters/http-api/server.ts';
import { log } from '../../core/events.ts';
import { DASHBOARD_DIR } from './dashboard-files.ts';
import { dashboardFeed, type FeedSource } from './dashboard-feed.ts';
import { policyView } from './policy-view.ts';
import type { ControllerService } from './service.ts';
import type { StateStore } from './state-store.ts';

/** The feed's route (warns once when the dashboard's files are not built). */
export function dashboardRoute(service: ControllerService, store: StateStore, credentials: Credentials): Route {
  if (!existsSync(path.join(DASHBOARD_DIR, 'index.html'))) log('warn', 'the dashboard is not built; run `npm run build:dashboard` to serve it at /', { dir: DASHBOARD_DIR });
  const clients = new Map<string, ControlClient>();
  const source: FeedSource = {
    nodes: () => service.nodes().map((n) => ({ ...n, containerNames: (store.lastSamples(n.name, 1).at(-1)?.containers ?? []).map((c) => c.name).sort() })),
    policy: () => policyView(service.policy(), service.params()),
    events: (after) => service.events(after),
    agents: () => store.nodes().filter((n) => n.state === 'active' || n.state === 'draining').map((n) => {
      let c = clients.get(n.controlUrl);
      if (!c) clients.set(n.controlUrl, (c = new ControlClient(n.controlUrl, credentials, 10_000)));
      return { name: n.name, client: c };
    }),
  };
  return { method: 'GET', path: '/v1/stream', summary: 'the dashboard\'s live feed (server-sent events): nodes, events, migrations in flight, the policy', handler: () => ({ sse: dashboardFeed(source, { everyMs: 500, backlog: 200 }) }) };
}
