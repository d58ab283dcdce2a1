/**
 * @module services/metrics/agent-metrics — an agent's Prometheus registry (its own, never prom-client's
 * global one): migrations this node was the source of, fed from the `ferry:migration:end`
 * channel, and the process's health (prom-client's default process and Node.js metrics).
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { channels, type MigrationEndEvent } from '../../core/events.ts';
import type { MigrationReport } from '../../domain/migration/report.ts';
import { migrationSample } from './migration-sample.ts';
import { registerProcessHealth } from './process-health.ts';

/** Histogram buckets for migration times, in seconds: a tenth of a second to two minutes. */
export const SECONDS_BUCKETS: readonly number[] = [0.1, 0.25, 0.5, 1, 2, 3, 5, 10, 20, 30, 60, 120];

/** An agent's metrics: the registry to expose, and the way a finished migration enters it. */
export interface AgentMetrics {
  registry: Registry;
  /** Adds one finished migration (its report). */
  record(report: MigrationReport): void;
  /** Stops listening to the migration-end channel. */
  close(): void;
}

/** Builds the metrics of the agent of `node`; it counts the migrations whose source is `node`. */
export function agentMetrics(node: string): AgentMetrics {
  const registry = new Registry();
  const registers = [registry];
  registerProcessHealth(registry);
  new Gauge({ name: 'ferry_agent_info', help: 'Always 1; the node this agent serves', labelNames: ['node'], registers }).set({ node }, 1);
  const migrations = new Counter({ name: 'ferry_migrations_total', help: 'Migrations this node was the source of, by strategy and how they ended', labelNames: ['strategy', 'outcome'], registers });
  const total = new Histogram({ name: 'ferry_migration_duration_seconds', help: 'Total time of a migration, start to end', labelNames: ['strategy', 'outcome'], buckets: [...SECONDS_BUCKETS], registers });
  const frozen = new Histogram({ name: 'ferry_migration_frozen_seconds', help: 'Time the container was frozen, source pause to destination restore', labelNames: ['strategy', 'outcome'], buckets: [...SECONDS_BUCKETS], registers });
  const bytes = new Counter({ name: 'ferry_migration_bytes_total', help: 'Bytes a migration sent: direct to the destination over the data link (wire bytes), or into the object store', labelNames: ['strategy', 'via'], registers });
  const rounds = new Counter({ name: 'ferry_precopy_rounds_total', help: 'Pre-copy rounds run while the container ran (final round not counted)', registers });
  const stops = new Counter({ name: 'ferry_precopy_stops_total', help: 'Pre-copy round sequences ended, by the stop rule that ended them', labelNames: ['rule'], registers });
  const lazy = new Histogram({ name: 'ferry_migration_lazy_window_seconds', help: 'Lazy restore: time from resume until every page was in', labelNames: ['strategy'], buckets: [...SECONDS_BUCKETS], registers });
  const connections = new Counter({ name: 'ferry_migration_connections_total', help: 'TCP connections of migrated containers: carried with their state, or closed by the dump', labelNames: ['side', 'fate'], registers });
  const doubt = new Gauge({ name: 'ferry_migrations_in_doubt', help: 'Migrations whose outcome is not known yet (the agent retries them); counted in ferry_migrations_total once settled', registers });
  const inDoubt = new Set<string>();
  const gap = new Histogram({ name: 'ferry_migration_client_gap_seconds', help: 'Client-visible gap: network lock on the source until the destination ran and announced the address', labelNames: ['strategy'], buckets: [...SECONDS_BUCKETS], registers });

  const record = (report: MigrationReport): void => {
    // An in-doubt migration ends twice (in doubt, then settled): counted once, when settled.
    if (report.outcome === 'in-doubt') {
      inDoubt.add(report.migrationId);
      doubt.set(inDoubt.size);
      return;
    }
    if (inDoubt.delete(report.migrationId)) doubt.set(inDoubt.size);
    const s = migrationSample(report);
    const { strategy, outcome } = s;
    migrations.inc({ strategy, outcome });
    if (s.totalSeconds !== undefined) total.observe({ strategy, outcome }, s.totalSeconds);
    if (s.frozenSeconds !== undefined) frozen.observe({ strategy, outcome }, s.frozenSeconds);
    bytes.inc({ strategy, via: 'direct' }, s.directBytes);
    if (s.storeBytes > 0) bytes.inc({ strategy, via: 'store' }, s.storeBytes);
    if (s.precopyRounds > 0) rounds.inc(s.precopyRounds);
    if (s.stopRule !== undefined) stops.inc({ rule: s.stopRule });
    if (s.lazyWindowSeconds !== undefined) lazy.observe({ strategy }, s.lazyWindowSeconds);
    if (s.connections) {
      connections.inc({ side: 'inside', fate: s.connections.fate }, s.connections.inside);
      connections.inc({ side: 'outside', fate: s.connections.fate }, s.connections.outside);
    }
    if (s.clientGapSeconds !== undefined) gap.observe({ strategy }, s.clientGapSeconds);
  };
  // The channel is process-wide: several agents in one process (tests) each count their own.
  const close = channels.end.subscribe((message) => {
    const { report } = message as MigrationEndEvent<MigrationReport>;
    if (report.from === node) record(report);
  });
  return { registry, record, close };
}
