/**
 * @module apps/controller/state-store — the controller's cluster state in SQLite (node:sqlite):
 * nodes, containers, migrations, metric history, events and the scheduler's memory. Every
 * write is its own transaction (WAL, synchronous FULL), so a restarted controller finds
 * exactly what it had decided and resumes from there.
 */
import { DatabaseSync } from 'node:sqlite';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { NodeState, Resources } from '../../domain/scheduler/index.ts';
import type { ContainerRecord, ContainerStatus, EventRow, MigrationRow, NodeRecord, SampleRow } from './records.ts';

const SCHEMA = `PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;
CREATE TABLE IF NOT EXISTS nodes (name TEXT PRIMARY KEY, control_url TEXT NOT NULL, data_host TEXT NOT NULL,
  capacity TEXT NOT NULL, state TEXT NOT NULL, zone TEXT NOT NULL, rack TEXT NOT NULL, registered_at INTEGER NOT NULL, last_seen INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS containers (name TEXT PRIMARY KEY, app TEXT NOT NULL, app_type TEXT NOT NULL, node TEXT NOT NULL,
  image TEXT NOT NULL, request TEXT NOT NULL, status TEXT NOT NULL, created_at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS migrations (id INTEGER PRIMARY KEY AUTOINCREMENT, container TEXT NOT NULL, from_node TEXT NOT NULL,
  to_node TEXT NOT NULL, agent_id TEXT NOT NULL, state TEXT NOT NULL, reason TEXT NOT NULL, started_at INTEGER NOT NULL,
  ended_at INTEGER NOT NULL, downtime_ms INTEGER NOT NULL, error TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS samples (node TEXT NOT NULL, seq INTEGER NOT NULL, at INTEGER NOT NULL, body TEXT NOT NULL, PRIMARY KEY (node, seq));
CREATE TABLE IF NOT EXISTS events (id INTEGER PRIMARY KEY AUTOINCREMENT, at INTEGER NOT NULL, kind TEXT NOT NULL, subject TEXT NOT NULL,
  reason TEXT NOT NULL, detail TEXT NOT NULL, numbers TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS kv (key TEXT PRIMARY KEY, value TEXT NOT NULL);`;

/** Samples kept per node (the model needs the last D; the rest is history for `ferry nodes --history`). */
const SAMPLES_KEPT = 720;

/** The controller's state. */
export class StateStore {
  private readonly db: DatabaseSync;

  constructor(file: string) {
    mkdirSync(path.dirname(file), { recursive: true });
    this.db = new DatabaseSync(file);
    this.db.exec(SCHEMA);
  }

  /** Inserts or updates a node (registration keeps the state of a node already known). */
  upsertNode(n: Omit<NodeRecord, 'registeredAt' | 'lastSeen' | 'state'> & { state?: NodeState }, now: number): NodeRecord {
    const old = this.node(n.name);
    const rec: NodeRecord = { ...n, state: n.state ?? old?.state ?? 'active', registeredAt: old?.registeredAt ?? now, lastSeen: now };
    this.db.prepare('INSERT OR REPLACE INTO nodes VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)')
      .run(rec.name, rec.controlUrl, rec.dataHost, JSON.stringify(rec.capacity), rec.state, rec.zone, rec.rack, rec.registeredAt, rec.lastSeen);
    return rec;
  }

  /** One node, if registered. */
  node(name: string): NodeRecord | undefined {
    const row = this.db.prepare('SELECT * FROM nodes WHERE name = ?').get(name);
    return row ? toNode(row) : undefined;
  }

  /** Every node, by name. */
  nodes(): NodeRecord[] {
    return this.db.prepare('SELECT * FROM nodes ORDER BY name').all().map(toNode);
  }

  /** Sets a node's state. */
  setNodeState(name: string, state: NodeState): void {
    this.db.prepare('UPDATE nodes SET state = ? WHERE name = ?').run(state, name);
  }

  /** Records that a node answered. */
  touchNode(name: string, now: number): void {
    this.db.prepare('UPDATE nodes SET last_seen = ? WHERE name = ?').run(now, name);
  }

  /** Inserts or replaces a container. */
  putContainer(c: ContainerRecord): void {
    this.db.prepare('INSERT OR REPLACE INTO containers VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
      .run(c.name, c.app, c.appType, c.node, c.image, JSON.stringify(c.request), c.status, c.createdAt);
  }

  /** One container. */
  container(name: string): ContainerRecord | undefined {
    const row = this.db.prepare('SELECT * FROM containers WHERE name = ?').get(name);
    return row ? toContainer(row) : undefined;
  }

  /** Containers not removed, by name. */
  containers(includeRemoved = false): ContainerRecord[] {
    const sql = includeRemoved ? 'SELECT * FROM containers ORDER BY name' : "SELECT * FROM containers WHERE status != 'removed' ORDER BY name";
    return this.db.prepare(sql).all().map(toContainer);
  }

  /** Starts a migration row; returns its id. */
  addMigration(m: Pick<MigrationRow, 'container' | 'from' | 'to' | 'reason' | 'startedAt'>): number {
    const r = this.db.prepare("INSERT INTO migrations (container, from_node, to_node, agent_id, state, reason, started_at, ended_at, downtime_ms, error) VALUES (?, ?, ?, '', 'starting', ?, ?, 0, 0, '')")
      .run(m.container, m.from, m.to, m.reason, m.startedAt);
    return Number(r.lastInsertRowid);
  }

  /** Updates a migration row. */
  updateMigration(id: number, patch: Partial<Pick<MigrationRow, 'agentId' | 'state' | 'endedAt' | 'downtimeMs' | 'error'>>): void {
    const cur = this.migration(id);
    if (!cur) return;
    const m = { ...cur, ...patch };
    this.db.prepare('UPDATE migrations SET agent_id = ?, state = ?, ended_at = ?, downtime_ms = ?, error = ? WHERE id = ?')
      .run(m.agentId, m.state, m.endedAt, m.downtimeMs, m.error, id);
  }

  /** One migration. */
  migration(id: number): MigrationRow | undefined {
    const row = this.db.prepare('SELECT * FROM migrations WHERE id = ?').get(id);
    return row ? toMigration(row) : undefined;
  }

  /** Migrations, newest first; `open` keeps those not finished. */
  migrations(open = false): MigrationRow[] {
    const sql = open ? "SELECT * FROM migrations WHERE state IN ('starting', 'running', 'in-doubt') ORDER BY id DESC" : 'SELECT * FROM migrations ORDER BY id DESC';
    return this.db.prepare(sql).all().map(toMigration);
  }

  /** Stores samples of a node (those already stored are ignored) and trims the history. */
  addSamples(rows: SampleRow[]): void {
    const put = this.db.prepare('INSERT OR IGNORE INTO samples VALUES (?, ?, ?, ?)');
    for (const r of rows) put.run(r.node, r.seq, r.at, JSON.stringify({ node: r.load, containers: r.containers }));
    const nodes = new Set(rows.map((r) => r.node));
    for (const n of nodes) {
      this.db.prepare('DELETE FROM samples WHERE node = ? AND seq <= (SELECT seq FROM samples WHERE node = ? ORDER BY seq DESC LIMIT 1 OFFSET ?)').run(n, n, SAMPLES_KEPT);
    }
  }

  /** The last `count` samples of a node, oldest first. */
  lastSamples(node: string, count: number): SampleRow[] {
    const rows = this.db.prepare('SELECT * FROM samples WHERE node = ? ORDER BY seq DESC LIMIT ?').all(node, count);
    return rows.reverse().map((r) => {
      const body = JSON.parse(String(r['body'])) as { node: Resources; containers: SampleRow['containers'] };
      return { node, seq: Number(r['seq']), at: Number(r['at']), load: body.node, containers: body.containers };
    });
  }

  /** Forgets a node's samples (a node that went to sleep or restarted its agent starts a new series). */
  clearSamples(node: string): void {
    this.db.prepare('DELETE FROM samples WHERE node = ?').run(node);
  }

  /** Appends an event; returns it. */
  addEvent(e: Omit<EventRow, 'id'>): EventRow {
    const r = this.db.prepare('INSERT INTO events (at, kind, subject, reason, detail, numbers) VALUES (?, ?, ?, ?, ?, ?)')
      .run(e.at, e.kind, e.subject, e.reason, e.detail, JSON.stringify(e.numbers));
    return { id: Number(r.lastInsertRowid), ...e };
  }

  /** Events after an id, oldest first. */
  events(afterId = 0, limit = 1000): EventRow[] {
    return this.db.prepare('SELECT * FROM events WHERE id > ? ORDER BY id LIMIT ?').all(afterId, limit).map((r) => ({
      id: Number(r['id']), at: Number(r['at']), kind: String(r['kind']), subject: String(r['subject']),
      reason: String(r['reason']), detail: String(r['detail']), numbers: JSON.parse(String(r['numbers'])) as Record<string, number>,
    }));
  }

  /** Reads a JSON value. */
  get<T>(key: string): T | undefined {
    const row = this.db.prepare('SELECT value FROM kv WHERE key = ?').get(key);
    return row ? (JSON.parse(String(row['value'])) as T) : undefined;
  }

  /** Writes a JSON value. */
  set(key: string, value: unknown): void {
    this.db.prepare('INSERT OR REPLACE INTO kv VALUES (?, ?)').run(key, JSON.stringify(value));
  }

  /** Closes the database. */
  close(): void {
    this.db.close();
  }
}

/** Maps a row to a node. */
function toNode(r: Record<string, unknown>): NodeRecord {
  return {
    name: String(r['name']), controlUrl: String(r['control_url']), dataHost: String(r['data_host']),
    capacity: JSON.parse(String(r['capacity'])) as Resources, state: String(r['state']) as NodeState,
    zone: String(r['zone']), rack: String(r['rack']), registeredAt: Number(r['registered_at']), lastSeen: Number(r['last_seen']),
  };
}

/** Maps a row to a container. */
function toContainer(r: Record<string, unknown>): ContainerRecord {
  return {
    name: String(r['name']), app: String(r['app']), appType: String(r['app_type']), node: String(r['node']),
    image: String(r['image']), request: JSON.parse(String(r['request'])) as Resources,
    status: String(r['status']) as ContainerStatus, createdAt: Number(r['created_at']),
  };
}

/** Maps a row to a migration. */
function toMigration(r: Record<string, unknown>): MigrationRow {
  return {
    id: Number(r['id']), container: String(r['container']), from: String(r['from_node']), to: String(r['to_node']),
    agentId: String(r['agent_id']), state: String(r['state']) as MigrationRow['state'], reason: String(r['reason']),
    startedAt: Number(r['started_at']), endedAt: Number(r['ended_at']), downtimeMs: Number(r['downtime_ms']), error: String(r['error']),
  };
}
