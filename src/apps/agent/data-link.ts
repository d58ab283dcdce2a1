/**
 * @module apps/agent/data-link — wires the wire layer's data link to the migration services:
 * the server authorises each session against the destination's records and sends each
 * root where the destination says; the client is the source's DataLinkOpener.
 */
import type { AddressInfo } from 'node:net';
import type { Config } from '../../core/config.ts';
import { createDataLinkServer, connectDataLink } from '../../adapters/data-link/data-link.ts';
import type { DestinationService } from '../../services/migration/destination.ts';
import type { DataLinkOpener } from '../../services/migration/data-link-port.ts';
import type { TlsIdentity } from '../../adapters/pki/tls-identity.ts';

/** A listening data-link server. */
export interface DataServer {
  address: AddressInfo;
  close(): Promise<void>;
}

/** Starts the data-link server of a destination. */
export async function startDataServer(o: { host: string; port: number; config: Config; destination: DestinationService; tls: TlsIdentity | undefined }): Promise<DataServer> {
  const { destination } = o;
  const server = await createDataLinkServer({
    host: o.host,
    port: o.port,
    maxFrameBytes: o.config.migration.chunkBytes * 2 + 4096,
    maxFileBytes: o.config.migration.maxFileBytes,
    linkTimeoutMs: o.config.migration.linkTimeoutMs,
    tls: o.tls,
    plainBeyondLoopback: o.config.tls.plainBeyondLoopback,
    authorize: (hello: { migrationId: string; ticket: string }) => {
      destination.authorize(hello.migrationId, hello.ticket);
      return {
        target: (root: string) => destination.target(hello.migrationId, root),
        onProgress: () => destination.keepAlive(hello.migrationId),
        onDone: () => destination.sessionEnded(hello.migrationId),
      };
    },
  });
  return server;
}

/** The source's way to open a data-link session: over TLS with the agent's certificate when it has one. */
export function dataLinkOpener(tls: TlsIdentity | undefined): DataLinkOpener {
  return (options) => connectDataLink({ ...options, tls });
}
