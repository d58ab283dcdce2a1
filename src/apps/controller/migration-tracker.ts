/**
 * @module apps/controller/migration-tracker — starts the scheduler's live migrations through the
 * source agent and follows them to their end. The source agent owns each migration's
 * transaction (it resolves it even across its own restarts); the controller records intent
 * first, then the agent's id, so after a controller restart every open row is resolved by
 * asking the agent — or, where the agent's id was never recorded, by where the container runs.
 */
import type { MigrateRequest } from '../../domain/migration/protocol.ts';
import type { NodePort } from './node-port.ts';
import type { StateStore } from './state-store.ts';
import type { MigrationRow, NodeRecord } from './records.ts';

/** A finished migration, for events. */
export interface MigrationEnd {
  row: MigrationRow;
  outcome: 'migrated' | 'rolled-back' | 'failed';
  detail: string;
  downtimeMs: number;
}

/** Records and starts one migration; returns the row id. A refused start leaves the container where it is. */
export async function startMigration(store: StateStore, port: NodePort, to: NodeRecord, container: string, from: string, reason: string, strategy: MigrateRequest['strategy'], now: number): Promise<number> {
  const c = store.container(container);
  if (!c) throw new Error(`no record of container ${container}`);
  const id = store.addMigration({ container, from, to: to.name, reason, startedAt: now });
  store.putContainer({ ...c, status: 'migrating' });
  try {
    const agentId = await port.migrate(container, to, strategy);
    store.updateMigration(id, { agentId, state: 'running' });
  } catch (err) {
    store.updateMigration(id, { state: 'failed', endedAt: now, error: (err as Error).message });
    store.putContainer({ ...c, status: 'running' });
    throw err;
  }
  return id;
}

/** Follows every open migration one step; returns those that ended. */
export async function followMigrations(store: StateStore, portOf: (node: string) => NodePort | undefined, running: Map<string, Array<{ name: string }>>, now: number): Promise<MigrationEnd[]> {
  const ended: MigrationEnd[] = [];
  for (const row of store.migrations(true)) {
    const end = await followOne(store, row, portOf(row.from), running, now);
    if (end) ended.push(end);
  }
  return ended;
}

/** One open migration. */
async function followOne(store: StateStore, row: MigrationRow, port: NodePort | undefined, running: Map<string, Array<{ name: string }>>, now: number): Promise<MigrationEnd | undefined> {
  const runsOn = (node: string): boolean => (running.get(node) ?? []).some((c) => c.name === row.container);
  if (!row.agentId) {
    // The controller stopped between recording the intent and hearing the agent's id.
    if (now - row.startedAt < 30_000) return undefined;
    if (runsOn(row.to)) return settle(store, row, 'migrated', 'the container runs on the destination (found after a controller restart)', 0, now);
    if (runsOn(row.from)) return settle(store, row, 'failed', 'the source agent never confirmed the start; the container runs on the source', 0, now);
    return undefined;
  }
  if (!port) return undefined;
  let phase: string;
  let downtimeMs = 0;
  let error = '';
  try {
    const m = await port.migration(row.agentId);
    phase = m.phase;
    downtimeMs = m.report?.frozenMs ?? 0;
    error = m.report?.error ? `${m.report.error.code}: ${m.report.error.message}` : '';
  } catch {
    return undefined; // the source agent is away; its record resolves the migration when it is back
  }
  if (phase === 'done') return settle(store, row, 'migrated', `moved in ${Math.round((now - row.startedAt) / 100) / 10} s, frozen ${downtimeMs} ms`, downtimeMs, now);
  if (phase === 'rolled-back') return settle(store, row, 'rolled-back', error || 'rolled back; the container runs on the source with its state', downtimeMs, now);
  if (phase === 'in-doubt' && row.state !== 'in-doubt') store.updateMigration(row.id, { state: 'in-doubt' });
  return undefined;
}

/** Writes a migration's end and where its container now runs. */
function settle(store: StateStore, row: MigrationRow, outcome: MigrationEnd['outcome'], detail: string, downtimeMs: number, now: number): MigrationEnd {
  store.updateMigration(row.id, { state: outcome, endedAt: now, downtimeMs, error: outcome === 'migrated' ? '' : detail });
  const c = store.container(row.container);
  if (c) store.putContainer({ ...c, node: outcome === 'migrated' ? row.to : row.from, status: 'running' });
  return { row: { ...row, state: outcome }, outcome, detail, downtimeMs };
}
