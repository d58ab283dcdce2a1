/**
 * @module services/migration/source-types — what the source's service and its strategies' steps
 * share: the migration's persisted data, the events the CLI streams, and the service's
 * dependencies. In a file of its own, so the steps need not import the service that drives them.
 */
import type { Config } from '../../core/config.ts';
import type { Engine } from '../../adapters/docker/engine-port.ts';
import type { ContainerSpec } from '../../adapters/docker/container-spec.ts';
import type { CriuFacts } from '../../adapters/host/criu.ts';
import type { Checkpointer } from '../../adapters/host/checkpointer-port.ts';
import type { ControlClient, Credentials } from '../../adapters/http-api/client.ts';
import type { DepartedAddresses } from '../../adapters/host/departed-addresses.ts';
import type { ObjectStore } from '../../adapters/object-store/object-store.ts';
import type { SourcePhase } from '../../domain/migration/phases.ts';
import type { MigrationReport, PrecopyRoundReport } from '../../domain/migration/report.ts';
import type { RecordStore } from './record-store.ts';
import type { MigrateRequest } from '../../domain/migration/protocol.ts';
import type { DataLinkOpener } from './data-link-port.ts';

/** What the source remembers of one migration. */
export interface OutgoingData {
  request: MigrateRequest;
  report: MigrationReport;
  spec?: ContainerSpec;
  paused?: boolean;
  checkpointed?: boolean;
  /** Set (and persisted) before the restore request: from then on the destination may run a copy. */
  restoreRequested?: boolean;
  /** Set (and persisted) before the commit request. */
  commitSent?: boolean;
  pausedAt?: number;
  /** The container's memory at preflight, in bytes (sizes the dump directory). */
  memoryBytes?: number;
  /** What the first copy should read, measured at preflight: memory plus writable layer and volumes, in bytes (the ETA's basis). */
  expectedBytes?: number;
  /** Where CRIU's dump went when not Docker's checkpoint directory (tmpfs); removed when the migration ends. */
  checkpointDir?: string;
  /** The container's process whose network namespace ferry locked at the freeze (adapters/host/net-lock.ts); unlocked on thaw. */
  lockedPid?: number;
  /** When the network was locked (ms since the epoch). */
  lockedAt?: number;
}

/** An event of a running migration, as the CLI streams it. */
export type MigrationEvent =
  | { type: 'phase'; phase: SourcePhase; at: number }
  | { type: 'progress'; root: string; rawBytes: number; wireBytes: number; at: number }
  /** What the first copy should read (memory, writable layer, volumes), measured at preflight: the basis of an ETA. */
  | { type: 'estimate'; bytes: number; at: number }
  /** A pre-copy round ended (the container still runs): its pages and bytes. */
  | { type: 'round'; round: PrecopyRoundReport; at: number }
  /** Still in `phase`, for `phaseMs` so far: sent every migration.heartbeatMs, so a long silent step shows time passing and the stream stays alive. */
  | { type: 'heartbeat'; phase: SourcePhase; phaseMs: number; at: number }
  | { type: 'end'; report: MigrationReport };

/** The destination agent as the source calls it: one JSON request at a time (ControlClient). */
export type DestinationClient = Pick<ControlClient, 'call'>;

/** Everything the source service needs, wired by the agent. */
export interface SourceDeps {
  hostName: string;
  engine: Engine;
  records: RecordStore;
  config: Config;
  dataRoot: string;
  /** The agent's own directory (CRIU work files go under it). */
  stateDir: string;
  /** How it proves itself to the destination agent: its cluster certificate and the cluster token, each when there is one. */
  credentials: Credentials;
  criu: () => Promise<CriuFacts>;
  /** The host's part of the freeze: /proc reads, CRIU dump and thaw, the network lock (adapters/host/checkpointer-port.ts). */
  checkpointer: Checkpointer;
  openDataLink: DataLinkOpener;
  /** The destination agent's control API at `controlUrl`; default a ControlClient with the cluster token (tests give a fake). */
  dialDestination?: (controlUrl: string) => DestinationClient;
  /** The object store (strategy prestore). */
  store?: () => Promise<ObjectStore>;
  /** Cluster-network addresses that left this host (a committed container's goes there). */
  departed?: DepartedAddresses;
}
