/**
 * @module dashboard/state — what the dashboard knows, folded from the controller's feed: the
 * nodes, the event log, every migration seen, and the series the plots draw (per-node Wi,
 * active hosts over the session).
 */
import type { EventRow } from '../../src/apps/controller/records.ts';
import type { FeedMessage, MapNode, MigrationView } from '../../src/apps/controller/dashboard-messages.ts';
import type { PolicyView } from '../../src/apps/controller/policy-view.ts';

export type { EventRow, FeedMessage, MapNode, MigrationView, PolicyView };

/** One point of a time series. */
export interface Point {
  at: number;
  value: number;
}

/** The dashboard's state. */
export interface DashState {
  nodes: MapNode[];
  events: EventRow[];
  migrations: Map<string, MigrationView>;
  /** Wi per node over the session. */
  load: Map<string, Point[]>;
  /** Nodes awake (active or draining) over the session. */
  activeHosts: Point[];
  /** The policies, the active one and the scheduler's parameters. */
  policy?: PolicyView;
}

/** Events and points kept. */
const KEEP = 600;

/** An empty state. */
export function emptyState(): DashState {
  return { nodes: [], events: [], migrations: new Map(), load: new Map(), activeHosts: [] };
}

/** Folds one message in (in place); returns what changed, for rendering. */
export function fold(s: DashState, m: FeedMessage): FeedMessage['type'] {
  switch (m.type) {
    case 'nodes':
      s.nodes = m.nodes;
      for (const n of m.nodes) {
        const series = s.load.get(n.name) ?? [];
        if (n.state === 'active' || n.state === 'draining') series.push({ at: m.at, value: n.wi });
        s.load.set(n.name, series.slice(-KEEP));
      }
      s.activeHosts = [...s.activeHosts, { at: m.at, value: m.nodes.filter((n) => n.state === 'active' || n.state === 'draining').length }].slice(-KEEP);
      break;
    case 'event':
      if (!s.events.some((e) => e.id === m.event.id)) s.events = [...s.events, m.event].slice(-KEEP);
      break;
    case 'migration':
      s.migrations.set(m.migration.id, m.migration);
      break;
    case 'policy':
      s.policy = m.policy;
      break;
  }
  return m.type;
}

/** Migrations still running, oldest first. */
export function inFlight(s: DashState): MigrationView[] {
  return [...s.migrations.values()].filter((m) => m.outcome === 'running').sort((a, b) => a.startedAt - b.startedAt);
}

/** Migrations that ended, newest first. */
export function ended(s: DashState): MigrationView[] {
  return [...s.migrations.values()].filter((m) => m.outcome !== 'running').sort((a, b) => b.startedAt - a.startedAt);
}

/** Bytes for people: 1.5 MiB. */
export function bytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${i === 0 ? v : v.toFixed(1)} ${units[i]}`;
}
