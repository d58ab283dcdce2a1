/**
 * @module apps/cli/migrate-client — one migration as a client drives it: the request to the
 * source agent, then its events followed until the report (the CLI, the demo and the
 * benchmark all move containers through it).
 */
import { FerryError } from '../../core/errors.ts';
import { readCluster, clusterHost, agentClient } from './cluster.ts';
import type { MigrationObserver } from './progress.ts';
import { followMigration } from '../../services/migration/follow-migration.ts';
import type { MigrationReport } from '../../domain/migration/report.ts';
import type { MigrateRequest } from '../../domain/migration/protocol.ts';

/** Options of one migration as the CLI takes them. */
export interface MigrateCliOptions {
  from: string;
  to: string;
  strategy: MigrateRequest['strategy'];
  cluster?: string;
  /** Overrides of migration.precopy (strategy precopy). */
  precopy?: NonNullable<MigrateRequest['options']>['precopy'];
  /** Overrides of migration.prestore (strategy prestore). */
  prestore?: NonNullable<MigrateRequest['options']>['prestore'];
  allowBind?: boolean;
  /** Move even when connections cannot keep their clients, closing them all. */
  dropConnections?: boolean;
  skipCapacityCheck?: boolean;
  faults?: MigrateRequest['options'] extends infer O ? (O extends { faults?: infer F } ? F : never) : never;
}

/** Runs a migration through the source agent and returns its report (progress to `view`). */
export async function migrate(container: string, o: MigrateCliOptions, view?: MigrationObserver, onStart?: (id: string) => void): Promise<MigrationReport> {
  const cluster = readCluster(o.cluster);
  const to = clusterHost(cluster, o.to);
  clusterHost(cluster, o.from);
  if (o.from === o.to) throw new FerryError('FERRY_ERR_SAME_HOST', `source and destination are both ${o.from}`);
  const source = agentClient(cluster, o.from);
  const request: MigrateRequest = {
    container,
    strategy: o.strategy,
    destination: { name: to.name, controlUrl: to.controlUrl, dataHost: to.ip },
    options: { ...(o.allowBind ? { allowBind: true } : {}), ...(o.dropConnections ? { dropConnections: true } : {}), ...(o.skipCapacityCheck ? { skipCapacityCheck: true } : {}), ...(o.faults ? { faults: o.faults } : {}), ...(o.precopy ? { precopy: o.precopy } : {}), ...(o.prestore ? { prestore: o.prestore } : {}) },
  };
  const { id } = await source.call<{ id: string }>('POST', '/v1/migrations', request);
  onStart?.(id);
  // A silent or broken stream is re-opened while the agent answers /v1/health; only a gone agent is "lost".
  return followMigration(source, id, (ev) => view?.show(ev), { from: o.from });
}
