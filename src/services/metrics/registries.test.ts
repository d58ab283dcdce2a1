import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Registry } from 'prom-client';
import { publishMigrationEnd } from '../../core/events.ts';
import { publishDecision } from '../../apps/controller/decisions.ts';
import { agentMetrics } from './agent-metrics.ts';
import { controllerMetrics } from '../../apps/controller/controller-metrics.ts';
import { precopyMove, prestoreMove, rolledBackMove } from './reports.test-data.ts';
import { nodeRows } from '../../apps/controller/node-rows.test-data.ts';

/** The value of one series (a histogram's by its `_bucket`, `_sum` or `_count` name), 0 when the series does not exist. */
async function valueOf(registry: Registry, name: string, labels: Record<string, string>): Promise<number> {
  const metric = registry.getSingleMetric(name) ?? registry.getSingleMetric(name.replace(/_(bucket|sum|count)$/, ''));
  assert.ok(metric, `no metric ${name}`);
  const { values } = await metric.get();
  const series = values.filter((v) => ((v as { metricName?: string }).metricName ?? name) === name);
  return series.find((v) => Object.entries(labels).every(([k, x]) => String(v.labels[k]) === x))?.value ?? 0;
}

test('the agent counts the migrations published on ferry:migration:end whose source it is, and no others', async () => {
  const h1 = agentMetrics('h1');
  const h2 = agentMetrics('h2');
  try {
    for (const report of [precopyMove('h1'), prestoreMove('h1'), rolledBackMove('h1'), precopyMove('h2')]) publishMigrationEnd({ migrationId: report.migrationId, report });
    assert.equal(await valueOf(h1.registry, 'ferry_migrations_total', { strategy: 'precopy', outcome: 'migrated' }), 1);
    assert.equal(await valueOf(h1.registry, 'ferry_migrations_total', { strategy: 'stop-copy', outcome: 'rolled-back' }), 1);
    assert.equal(await valueOf(h2.registry, 'ferry_migrations_total', { strategy: 'prestore' }), 0);
    assert.equal(await valueOf(h1.registry, 'ferry_migration_bytes_total', { strategy: 'prestore', via: 'store' }), 100e6);
    assert.equal(await valueOf(h1.registry, 'ferry_precopy_rounds_total', {}), 3);
    assert.equal(await valueOf(h1.registry, 'ferry_precopy_stops_total', { rule: 'dirty-set-converged' }), 1);
    assert.equal(await valueOf(h1.registry, 'ferry_migration_connections_total', { side: 'outside', fate: 'carried' }), 3);
    assert.equal(await valueOf(h1.registry, 'ferry_migration_frozen_seconds_count', { strategy: 'stop-copy' }), 0);
    assert.equal(await valueOf(h1.registry, 'ferry_migration_frozen_seconds_sum', { strategy: 'precopy' }), 2.5);
    assert.equal(await valueOf(h1.registry, 'ferry_migration_client_gap_seconds_bucket', { strategy: 'precopy', le: '3' }), 1);
  } finally {
    h1.close();
    h2.close();
  }
  const after = precopyMove('h1');
  publishMigrationEnd({ migrationId: 'm-2', report: after });
  assert.equal(await valueOf(h1.registry, 'ferry_migrations_total', { strategy: 'precopy', outcome: 'migrated' }), 1, 'closed: no longer listening');
});

test('an in-doubt migration is counted once, when settled, and shows as in doubt meanwhile', async () => {
  const h1 = agentMetrics('h1');
  try {
    const doubtful = { ...precopyMove('h1'), migrationId: 'm-doubt', outcome: 'in-doubt' as const };
    publishMigrationEnd({ migrationId: 'm-doubt', report: doubtful });
    assert.equal(await valueOf(h1.registry, 'ferry_migrations_in_doubt', {}), 1);
    assert.equal(await valueOf(h1.registry, 'ferry_migrations_total', { strategy: 'precopy', outcome: 'in-doubt' }), 0);
    publishMigrationEnd({ migrationId: 'm-doubt', report: { ...doubtful, outcome: 'migrated' } });
    assert.equal(await valueOf(h1.registry, 'ferry_migrations_in_doubt', {}), 0);
    assert.equal(await valueOf(h1.registry, 'ferry_migrations_total', { strategy: 'precopy', outcome: 'migrated' }), 1);
    assert.equal(await valueOf(h1.registry, 'ferry_migration_frozen_seconds_count', { strategy: 'precopy', outcome: 'migrated' }), 1, 'observed once');
  } finally {
    h1.close();
  }
});

test('the controller reads the node view at each scrape and counts decisions from their channel', async () => {
  let rows = nodeRows();
  const m = controllerMetrics(() => rows);
  try {
    assert.equal(await valueOf(m.registry, 'ferry_node_colour', { node: 'h1', colour: 'red' }), 1);
    assert.equal(await valueOf(m.registry, 'ferry_node_load_part_ratio', { node: 'h1', resource: 'cpu' }), 0.42);
    rows = rows.filter((r) => r.name !== 'h1');
    await Promise.resolve();
    assert.equal((await m.registry.metrics()).includes('node="h1"'), false, 'a node gone from the view is gone from the metrics');
    publishDecision({ id: 1, at: 0, kind: 'sleep', subject: 'h3', reason: 'idle-green', detail: '', numbers: {} });
    publishDecision({ id: 2, at: 0, kind: 'sleep', subject: 'h4', reason: 'idle-green', detail: '', numbers: {} });
    assert.equal(await valueOf(m.registry, 'ferry_scheduler_decisions_total', { kind: 'sleep', reason: 'idle-green' }), 2);
  } finally {
    m.close();
  }
});
