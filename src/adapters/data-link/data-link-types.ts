/**
 * @module adapters/data-link/data-link-types — the data link's types as its users and its two halves see
 * them: what a client sends with and reports, what a server listens with. data-link.ts
 * re-exports them with link-client's and link-server's functions.
 */
import type { AddressInfo } from 'node:net';
import type { TlsIdentity } from '../pki/tls-identity.ts';
import type { TransferSummary } from './messages.ts';
import type { Authorize } from './receiver.ts';
import type { TreeSourceOptions } from './tree-source.ts';

/** Which entries of a tree a send includes, and whether the tree is in use while it is read. */
export type TreeSelection = Pick<TreeSourceOptions, 'select' | 'live' | 'onTorn'>;

/** Progress of the section being sent: bytes of this root so far. */
export interface LinkProgress {
  root: string;
  rawBytes: number;
  wireBytes: number;
}

/** Test hooks that break the link on purpose; never set in production. */
export interface LinkFaults {
  /** Flips one payload byte of the Nth DATA frame of the session (1 = first) after its checksum is taken. */
  corruptChunk?: number;
}

/** How to reach the destination and how to send. */
export interface DataLinkClientOptions {
  host: string;
  port: number;
  migrationId: string;
  ticket: string;
  compression?: 'zstd' | 'none';
  zstdLevel?: number;
  /** Largest DATA payload; must not exceed the server's maxFrameBytes. */
  chunkBytes?: number;
  /** Work in flight with no byte moved for this long fails with FERRY_ERR_DATA_LINK. */
  linkTimeoutMs?: number;
  onProgress?(event: LinkProgress): void;
  /** A file the tree source does not send (socket, fifo, device); also logged as a warning. */
  onSkip?(event: { root: string; path: string; reason: string }): void;
  faults?: LinkFaults;
  /** TLS 1.3 with this certificate, trusting only the cluster CA; absent: plain TCP. */
  tls?: TlsIdentity | undefined;
}

/** An open data link. Calls run one after another; only `finish` confirms delivery. */
export interface DataLink {
  /** Sends the directory `dir` as root `root`. */
  sendTree(root: string, dir: string, select?: TreeSelection): Promise<void>;
  /** Sends a byte stream as root `root`. */
  /** Sends a byte stream; with `immediate`, each piece goes out as it comes instead of waiting to fill a chunk. */
  sendStream(root: string, readable: NodeJS.ReadableStream | AsyncIterable<Uint8Array | string>, options?: { immediate?: boolean }): Promise<void>;
  /** Ends the session; resolves with what the server acknowledged as received intact. */
  finish(): Promise<TransferSummary>;
  /** Drops the connection at once; pending calls reject. */
  destroy(): void;
}

/** How the data-link server listens and what it accepts. */
export interface DataLinkServerOptions {
  host: string;
  /** 0 picks a free port (see `port` of the result). */
  port: number;
  /** Largest frame payload, raw or on the wire. */
  maxFrameBytes?: number;
  /** Largest file (or stream) accepted. */
  maxFileBytes?: number;
  /** No byte moved for this long (or no HELLO within it) ends the connection. */
  linkTimeoutMs?: number;
  /** Checks the HELLO of each connection and says where its roots go. */
  authorize: Authorize;
  /** TLS 1.3 only, open to agents' certificates (plain TCP there is answered with an ERROR frame); absent: plain TCP. */
  tls?: TlsIdentity | undefined;
  /** Plain TCP beyond loopback (config tls.plainBeyondLoopback; measuring TLS's cost only). */
  plainBeyondLoopback?: boolean;
}

/** A listening data-link server. */
export interface DataLinkServer {
  /** Where it listens (the port is the real one when 0 was asked for). */
  readonly address: AddressInfo;
  readonly port: number;
  /** Stops listening and drops open connections (their sessions fail). */
  close(): Promise<void>;
}
