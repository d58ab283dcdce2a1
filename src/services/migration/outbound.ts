/**
 * @module services/migration/outbound — what every strategy's steps share about one migration
 * leaving this host: telling its watchers (the event stream), the data link to the
 * destination with the report's byte accounting, and the object store with the report's
 * pre-storage part. The service builds one per migration and hands it to the steps, so no
 * step calls back into another.
 */
import { FerryError } from '../../core/errors.ts';
import { addRootBytes, type PrestoreReport } from '../../domain/migration/report.ts';
import type { PrepareReply } from '../../domain/migration/protocol.ts';
import type { ObjectStore } from '../../adapters/object-store/object-store.ts';
import type { DataLinkSession } from './data-link-port.ts';
import type { MigrationRecord } from './record-store.ts';
import type { MigrationEvent, OutgoingData, SourceDeps } from './source-types.ts';

/** One outgoing migration's links to the outside. */
export class Outbound {
  private readonly deps: SourceDeps;
  private readonly rec: MigrationRecord<OutgoingData>;
  /** Tells the migration's watchers (the CLI's view, the dashboard) what happened. */
  readonly emit: (ev: MigrationEvent) => void;

  constructor(deps: SourceDeps, rec: MigrationRecord<OutgoingData>, emit: (ev: MigrationEvent) => void) {
    this.deps = deps;
    this.rec = rec;
    this.emit = emit;
  }

  /** Opens a data-link session to the destination; its progress goes to the watchers. */
  link(reply: PrepareReply): Promise<DataLinkSession> {
    const { config } = this.deps;
    return this.deps.openDataLink({
      host: this.rec.data.request.destination.dataHost,
      port: reply.dataPort,
      migrationId: this.rec.id,
      ticket: reply.ticket,
      compression: config.migration.compression,
      zstdLevel: config.migration.zstdLevel,
      chunkBytes: config.migration.chunkBytes,
      linkTimeoutMs: config.migration.linkTimeoutMs,
      onProgress: (ev) => this.emit({ type: 'progress', root: ev.root, rawBytes: ev.rawBytes, wireBytes: ev.wireBytes, at: Date.now() }),
      ...(this.rec.data.request.options?.faults ? { faults: this.rec.data.request.options.faults } : {}),
    });
  }

  /** One data-link session: opens it, runs `work`, finishes it and accounts its bytes under `root`; destroys it if anything fails. */
  async session<T>(reply: PrepareReply, root: string, work: (link: DataLinkSession) => Promise<T>): Promise<{ totals: { files: number; rawBytes: number; wireBytes: number }; result: T }> {
    const link = await this.link(reply);
    try {
      const result = await work(link);
      const totals = await link.finish();
      this.account(totals, root);
      return { totals, result };
    } catch (err) {
      link.destroy();
      throw err;
    }
  }

  /** Adds a finished session's bytes to the report (persisted). */
  account(totals: { files: number; rawBytes: number; wireBytes: number }, root: string): void {
    addRootBytes(this.rec.data.report, root, totals);
    this.deps.records.put(this.rec);
  }

  /** The object store of a pre-stored migration. */
  async objectStore(): Promise<ObjectStore> {
    if (!this.deps.store) throw new FerryError('FERRY_ERR_CONFIG', 'this agent has no object store configured (section store); strategy prestore needs one');
    return this.deps.store();
  }

  /** The prestore part of the report, made on first use. */
  prestoreReport(store: ObjectStore): PrestoreReport {
    const { prestore } = this.deps.config.migration;
    const o = this.rec.data.request.options?.prestore;
    return (this.rec.data.report.prestore ??= {
      store: store.where,
      policy: { window: o?.window ?? prestore.window, threshold: o?.threshold ?? prestore.threshold },
      image: 'present', imageUploadedBytes: 0, uploadedPages: 0, uploadedBytes: 0, packs: 0, rounds: [],
    });
  }
}
