/**
 * @module services/migration/record-store — persists migration records in the agent's SQLite
 * database (node:sqlite), so a restarted agent finds every unfinished migration and
 * resolves it. Each write is one transaction; a record is the source of truth for its side.
 */
import { DatabaseSync } from 'node:sqlite';
import { mkdirSync } from 'node:fs';
import path from 'node:path';

/** Which side of a migration this agent plays. */
export type Role = 'source' | 'destination';

/** One persisted record: the phase plus whatever the side needs to resume or undo. */
export interface MigrationRecord<D = Record<string, unknown>> {
  id: string;
  role: Role;
  container: string;
  phase: string;
  data: D;
  createdAt: number;
  updatedAt: number;
}

/** The store of this agent's migration records. */
export class RecordStore {
  private readonly db: DatabaseSync;

  constructor(file: string) {
    mkdirSync(path.dirname(file), { recursive: true });
    this.db = new DatabaseSync(file);
    this.db.exec(`PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;
      CREATE TABLE IF NOT EXISTS migrations (
        id TEXT NOT NULL, role TEXT NOT NULL, container TEXT NOT NULL, phase TEXT NOT NULL,
        data TEXT NOT NULL, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL,
        PRIMARY KEY (id, role));`);
  }

  /** Inserts or replaces a record (updatedAt is set now). */
  put<D>(record: Omit<MigrationRecord<D>, 'updatedAt'>): MigrationRecord<D> {
    const full = { ...record, updatedAt: Date.now() };
    this.db
      .prepare('INSERT OR REPLACE INTO migrations (id, role, container, phase, data, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(full.id, full.role, full.container, full.phase, JSON.stringify(full.data), full.createdAt, full.updatedAt);
    return full;
  }

  /** Reads one record. */
  get<D = Record<string, unknown>>(id: string, role: Role): MigrationRecord<D> | undefined {
    const row = this.db.prepare('SELECT * FROM migrations WHERE id = ? AND role = ?').get(id, role);
    return row ? toRecord<D>(row) : undefined;
  }

  /** Every record of a role, newest first. */
  list<D = Record<string, unknown>>(role: Role): Array<MigrationRecord<D>> {
    return this.db.prepare('SELECT * FROM migrations WHERE role = ? ORDER BY created_at DESC').all(role).map((r) => toRecord<D>(r));
  }

  /** Records of a role whose phase is not one of `terminal`. */
  unfinished<D = Record<string, unknown>>(role: Role, terminal: Iterable<string>): Array<MigrationRecord<D>> {
    const done = new Set(terminal);
    return this.list<D>(role).filter((r) => !done.has(r.phase));
  }

  /** Closes the database. */
  close(): void {
    this.db.close();
  }
}

/** Maps a row to a record. */
function toRecord<D>(row: Record<string, unknown>): MigrationRecord<D> {
  return {
    id: String(row['id']),
    role: row['role'] as Role,
    container: String(row['container']),
    phase: String(row['phase']),
    data: JSON.parse(String(row['data'])) as D,
    createdAt: Number(row['created_at']),
    updatedAt: Number(row['updated_at']),
  };
}
