import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import type { Registry } from 'prom-client';
import { which } from '../../adapters/host/run.ts';
import { agentMetrics } from './agent-metrics.ts';
import { controllerMetrics } from '../../apps/controller/controller-metrics.ts';
import { precopyMove, prestoreMove, rolledBackMove } from './reports.test-data.ts';
import { nodeRows } from '../../apps/controller/node-rows.test-data.ts';

/** Runs `promtool check metrics` on a registry's text (stdin); returns its exit code and what it said. */
async function promtoolCheck(registry: Registry): Promise<{ status: number | null; said: string; text: string }> {
  const promtool = which('promtool');
  assert.ok(promtool, 'promtool is not installed: it comes with Debian\'s package `prometheus` (`apt-get install prometheus`, or `ferry doctor --fix`)');
  const text = await registry.metrics();
  const r = spawnSync(promtool, ['check', 'metrics'], { input: text, encoding: 'utf8', timeout: 30_000 });
  return { status: r.status, said: `${r.stdout}${r.stderr}`.trim(), text };
}

test('promtool check metrics passes on an agent\'s /metrics, with every migration metric filled', async () => {
  const m = agentMetrics('h1');
  try {
    for (const r of [precopyMove(), prestoreMove(), rolledBackMove()]) m.record(r);
    const { status, said, text } = await promtoolCheck(m.registry);
    assert.equal(said, '', 'promtool found problems');
    assert.equal(status, 0);
    for (const name of ['ferry_migrations_total', 'ferry_migration_frozen_seconds_bucket', 'ferry_migration_client_gap_seconds_sum', 'ferry_precopy_stops_total', 'process_cpu_seconds_total', 'nodejs_eventloop_lag_seconds']) assert.match(text, new RegExp(`^${name}[{ ]`, 'm'));
  } finally {
    m.close();
  }
});

test('promtool check metrics passes on the controller\'s /metrics, with nodes and decisions', async () => {
  const m = controllerMetrics(() => nodeRows());
  try {
    m.record({ kind: 'sleep', reason: 'idle-green' });
    m.record({ kind: 'migrate', reason: 'relieve-red' });
    const { status, said, text } = await promtoolCheck(m.registry);
    assert.equal(said, '', 'promtool found problems');
    assert.equal(status, 0);
    for (const name of ['ferry_node_load_ratio', 'ferry_node_load_part_ratio', 'ferry_node_colour', 'ferry_node_state', 'ferry_node_containers', 'ferry_scheduler_decisions_total']) assert.match(text, new RegExp(`^${name}\\{`, 'm'));
  } finally {
    m.close();
  }
});
