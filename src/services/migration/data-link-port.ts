/** @module services/migration/data-link-port — the data-link client as the migration sees it (implemented in wire/). */
import type { TreeSelection } from '../../adapters/data-link/data-link.ts';

/** Options of one data-link session. */
export interface DataLinkOptions {
  host: string;
  port: number;
  migrationId: string;
  ticket: string;
  compression: 'zstd' | 'none';
  zstdLevel: number;
  chunkBytes: number;
  linkTimeoutMs: number;
  onProgress?: (ev: { root: string; rawBytes: number; wireBytes: number }) => void;
  faults?: { corruptChunk?: number };
}

/** One open data-link session. */
export interface DataLinkSession {
  sendTree(root: string, dir: string, select?: TreeSelection): Promise<void>;
  sendStream(root: string, readable: NodeJS.ReadableStream | AsyncIterable<Uint8Array>, options?: { immediate?: boolean }): Promise<void>;
  finish(): Promise<{ files: number; rawBytes: number; wireBytes: number }>;
  destroy(): void;
}

/** Opens a session. */
export type DataLinkOpener = (options: DataLinkOptions) => Promise<DataLinkSession>;
