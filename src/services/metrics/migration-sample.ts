/**
 * @module services/metrics/migration-sample — what one finished migration adds to the agent's
 * Prometheus metrics, read from its report. Pure: seconds and bytes in base units, and only
 * the values the report actually has (a migration rolled back before the freeze has no
 * frozen time; only pre-copy has rounds and a stop rule).
 */
import type { MigrationReport } from '../../domain/migration/report.ts';

/** The metric updates of one finished migration. */
export interface MigrationSample {
  strategy: string;
  outcome: MigrationReport['outcome'];
  totalSeconds?: number;
  frozenSeconds?: number;
  /** Bytes source → destination over the data link (wire bytes, compressed). */
  directBytes: number;
  /** Bytes uploaded to the object store (pages and, when the destination lacked it, the image). */
  storeBytes: number;
  /** Pre-copy rounds run with the container running (the final, frozen round not counted). */
  precopyRounds: number;
  /** The stop rule that ended the pre-copy rounds. */
  stopRule?: string;
  lazyWindowSeconds?: number;
  /** TCP connections that moved with their state (migrated, `tcp: established`), or that the dump closed (`--drop-connections`). */
  connections?: { fate: 'carried' | 'closed'; inside: number; outside: number };
  clientGapSeconds?: number;
}

/** Milliseconds to seconds, keeping undefined. */
function seconds(ms: number | undefined): number | undefined {
  return ms === undefined ? undefined : ms / 1000;
}

/** Maps a finished report to its metric updates. */
export function migrationSample(r: MigrationReport): MigrationSample {
  const ps = r.prestore;
  const net = r.network;
  const out: MigrationSample = {
    strategy: r.strategy,
    outcome: r.outcome,
    directBytes: r.bytes.wireBytes,
    storeBytes: ps ? ps.uploadedBytes + ps.imageUploadedBytes : 0,
    precopyRounds: r.precopy?.rounds.length ?? 0,
  };
  const optional: Partial<MigrationSample> = {
    totalSeconds: seconds(r.totalMs),
    frozenSeconds: seconds(r.frozenMs),
    stopRule: r.precopy?.stopRule,
    lazyWindowSeconds: seconds(r.lazyWindowMs),
    clientGapSeconds: seconds(net?.clientGapMs),
  };
  for (const [k, v] of Object.entries(optional)) if (v !== undefined) Object.assign(out, { [k]: v });
  // Connections count only when the container arrived with them; a rollback keeps them on the source.
  if (net && r.outcome === 'migrated') out.connections = { fate: net.tcp === 'established' ? 'carried' : 'closed', inside: net.connections.inside, outside: net.connections.outside };
  return out;
}
