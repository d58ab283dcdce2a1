/**
 * @module apps/controller/dashboard-feed — the dashboard's live feed, one per connection: the node
 * map when it changes, each new event of the log (decisions with their reasons), and every
 * migration leaving any awake node, followed phase by phase through its source agent's event
 * stream (the one the CLI's progress view reads), until it ends. Served as server-sent events
 * at `GET /v1/stream`, behind the cluster token like every API route.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { SseMessage } from '../../adapters/http-api/server.ts';
import { followMigration, type FollowPort } from '../../services/migration/follow-migration.ts';
import type { MigrationReport } from '../../domain/migration/report.ts';
import type { EventRow } from './records.ts';
import type { PolicyView } from './policy-view.ts';
import { applyEvent, endView, startView, type FeedMessage, type MapNode, type MigrationView } from './dashboard-messages.ts';

/** A row of an agent's `GET /v1/migrations`. */
interface AgentMigrationRow {
  id: string;
  container: string;
  phase: string;
  to: string;
  outcome: string;
  updatedAt: number;
}

/** What the feed reads. */
export interface FeedSource {
  nodes(): MapNode[];
  /** The policies, the active one, the scheduler's parameters and application types. */
  policy(): PolicyView;
  events(after: number): EventRow[];
  /** The agents of awake nodes, by name. */
  agents(): Array<{ name: string; client: FollowPort }>;
}

/** How the feed paces itself. */
export interface FeedOptions {
  /** Pause between polls of the nodes, the log and the agents' migration lists, in ms. */
  everyMs: number;
  /** Events and ended migrations sent first. */
  backlog: number;
}

/** The live feed of one dashboard connection, as server-sent events. */
export async function* dashboardFeed(src: FeedSource, o: FeedOptions): AsyncGenerator<SseMessage> {
  const queue: FeedMessage[] = [];
  let wake: (() => void) | undefined;
  let closed = false;
  /** Ends the follows of this connection's migrations when it closes. */
  const gone = new AbortController();
  const push = (m: FeedMessage): void => {
    if (closed) return;
    queue.push(m);
    wake?.();
  };
  const known = new Set<string>();
  let lastNodes = '';
  let lastPolicy = '';
  let lastEvent = 0;
  const backlog: EventRow[] = [];
  for (let page = src.events(0); page.length; page = src.events(lastEvent)) {
    backlog.push(...page);
    lastEvent = page.at(-1)?.id ?? lastEvent;
    backlog.splice(0, Math.max(0, backlog.length - o.backlog));
  }
  for (const e of backlog) push({ type: 'event', event: e });
  let first = true;
  // The agents are polled in the background: a slow or silent agent must not hold back the
  // messages already queued (a followed migration's progress, the ETA) until its answer comes.
  let polling: Promise<void> | undefined;
  try {
    for (;;) {
      const nodes = src.nodes();
      const json = JSON.stringify(nodes);
      if (json !== lastNodes) push({ type: 'nodes', at: Date.now(), nodes });
      lastNodes = json;
      const policy = src.policy();
      const policyJson = JSON.stringify(policy);
      if (policyJson !== lastPolicy) push({ type: 'policy', policy });
      lastPolicy = policyJson;
      for (let page = src.events(lastEvent); page.length; page = src.events(lastEvent)) {
        for (const e of page) push({ type: 'event', event: e });
        lastEvent = page.at(-1)?.id ?? lastEvent;
      }
      if (!polling) {
        polling = pollAgents(src, known, push, first ? o.backlog : Infinity, gone.signal).catch(() => undefined).finally(() => (polling = undefined));
        first = false;
      }
      const until = Date.now() + o.everyMs;
      while (Date.now() < until) {
        while (queue.length) {
          const m = queue.shift() as FeedMessage;
          yield { event: m.type, data: m };
        }
        await Promise.race([sleep(until - Date.now()), new Promise<void>((r) => (wake = r))]);
        wake = undefined;
      }
    }
  } finally {
    closed = true;
    gone.abort();
  }
}

/** Finds migrations not seen yet on every agent: follows those running, reports those ended (at most `endedLimit`, newest). */
async function pollAgents(src: FeedSource, known: Set<string>, push: (m: FeedMessage) => void, endedLimit: number, signal: AbortSignal): Promise<void> {
  await Promise.all(src.agents().map(async ({ name, client }) => {
    const rows = await client.call<AgentMigrationRow[]>('GET', '/v1/migrations').catch(() => [] as AgentMigrationRow[]);
    const fresh = rows.filter((r) => !known.has(r.id)).sort((a, b) => a.updatedAt - b.updatedAt);
    for (const r of fresh) known.add(r.id);
    const ended = fresh.filter((r) => r.outcome !== 'running').slice(-endedLimit);
    for (const r of fresh.filter((x) => x.outcome === 'running')) follow(client, name, r, push, signal);
    for (const r of ended) {
      const rec = await client.call<{ report?: MigrationReport }>('GET', `/v1/migrations/${encodeURIComponent(r.id)}`).catch(() => undefined);
      if (rec?.report) push({ type: 'migration', migration: endView(startView(r, name), rec.report) });
    }
  }));
}

/** Follows one running migration in the background, pushing its view at every event. */
function follow(client: FollowPort, from: string, row: AgentMigrationRow, push: (m: FeedMessage) => void, signal: AbortSignal): void {
  // A poll that ends after its connection closed follows nothing.
  if (signal.aborted) return;
  let view: MigrationView = startView(row, from);
  const roots = new Map<string, { raw: number; wire: number }>();
  push({ type: 'migration', migration: view });
  void followMigration(client, row.id, (ev) => {
    const next = applyEvent(view, ev, roots);
    if (next === view) return;
    view = next;
    push({ type: 'migration', migration: view });
  }, { from, signal }).catch(() => undefined);
}
