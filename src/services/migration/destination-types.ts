/**
 * @module services/migration/destination-types — what the destination service is wired with, what
 * it remembers of an incoming migration, what its restore reports, and the checkpoint name
 * both hosts use; in a file of its own so the source side needs no import of the service.
 */
import type { Config } from '../../core/config.ts';
import type { Engine } from '../../adapters/docker/engine-port.ts';
import type { CriuFacts } from '../../adapters/host/criu.ts';
import type { Checkpointer } from '../../adapters/host/checkpointer-port.ts';
import type { DepartedAddresses } from '../../adapters/host/departed-addresses.ts';
import type { ObjectStore } from '../../adapters/object-store/object-store.ts';
import type { PrepareRequest } from '../../domain/migration/protocol.ts';
import type { RestorePath } from '../../domain/migration/report.ts';
import type { FetchCounts } from './pack-fetcher.ts';
import type { MigrationRecord, RecordStore } from './record-store.ts';

/** What the destination remembers of one incoming migration. */
export interface IncomingData {
  request: PrepareRequest;
  ticket: string;
  /** The source said it will send the image (the destination lacked it). */
  imageExpected: boolean;
  imageStarted?: boolean;
  containerId?: string;
  upperDir?: string;
  volumeDirs?: Record<string, string>;
  createdVolumes?: string[];
  lastContact: number;
}

/** The destination's record of one incoming migration. */
export type IncomingRecord = MigrationRecord<IncomingData>;

/** Everything the destination service needs, wired by the agent. */
export interface DestinationDeps {
  engine: Engine;
  records: RecordStore;
  config: Config;
  dataRoot: string;
  /** ferry's own directory for CRIU images (thin checkpoints), one subdirectory per migration. */
  imagesDir: string;
  dataPort: number;
  criu: () => Promise<CriuFacts>;
  /** CRIU's CPU check, the restore and the address announcement (adapters/host/checkpointer-port.ts). */
  checkpointer: Checkpointer;
  /** The object store (strategy prestore). */
  store?: () => Promise<ObjectStore>;
  /** Cluster-network addresses that left this host (one that comes back goes off it). */
  departed?: DepartedAddresses;
}

/** What restore reports: CRIU's restore, the page rebuild, and (prestore) the fetches from the store. */
export interface RestoreResult {
  restoreMs: number;
  restoredBy: RestorePath;
  rebuildMs?: number;
  fetched?: FetchCounts & { waitMs: number };
}

/** The checkpoint name a migration uses on both hosts. */
export function checkpointName(id: string): string {
  return `ferry-${id}`;
}
