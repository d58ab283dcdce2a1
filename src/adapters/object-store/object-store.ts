/**
 * @module adapters/object-store/object-store — the object store ferry pre-stores container state in:
 * content-addressed objects (page packs, file blocks, image-layer blocks), each named by the
 * SHA-256 of its bytes and checked against it on every read, plus named manifests that
 * describe one consistent state of a container and are written only after every object they
 * name is stored. Two implementations run one conformance suite: a directory (the embedded
 * default; it may sit on a shared mount such as CephFS) and S3 (Ceph RGW, MinIO, AWS).
 */

/** The SHA-256 of an object's bytes, 64 lowercase hex digits; also its key. */
export type Digest = string;

/** One stored object as a listing shows it. */
export interface StoredObject {
  digest: Digest;
  bytes: number;
  /** When it was stored (garbage collection spares objects younger than a grace period: an upload may be under way). */
  modified: Date;
}

/** Largest object the store accepts, in bytes (callers cut larger data into blocks). */
export const MAX_OBJECT_BYTES = 64 * 1024 * 1024;

/** Largest manifest, in bytes. */
export const MAX_MANIFEST_BYTES = 64 * 1024 * 1024;

/** A manifest name: path-like segments of [A-Za-z0-9._-], joined by '/', no empty, '.' or '..' segment. */
export const MANIFEST_NAME = /^(?!.*(?:^|\/)\.{1,2}(?:\/|$))[A-Za-z0-9._-]+(?:\/[A-Za-z0-9._-]+)*$/;

/** Longest manifest name, in characters (a directory store keeps each manifest in one file named after it). */
export const MAX_MANIFEST_NAME_LENGTH = 240;

/** Where content-addressed objects and manifests live. */
export interface ObjectStore {
  /** Where the store is, for messages and reports; never a credential. */
  readonly where: string;
  /** Checks that the store is reachable, the credentials are accepted and the bucket or directory exists; throws a FerryError naming the problem and the fix. */
  check(): Promise<void>;
  /** Stores `bytes` under their digest (computed here); does nothing when that object is already stored. */
  put(bytes: Buffer): Promise<{ digest: Digest; uploaded: boolean }>;
  /** The subset of `digests` that is stored. */
  has(digests: readonly Digest[]): Promise<Set<Digest>>;
  /** An object's bytes, verified against its digest (FERRY_ERR_INTEGRITY when they differ, FERRY_ERR_STORE_MISSING when absent). */
  get(digest: Digest): Promise<Buffer>;
  /** Every stored object. */
  list(): AsyncIterable<StoredObject>;
  /** Removes an object (absent: nothing happens). */
  delete(digest: Digest): Promise<void>;
  /** Writes a manifest atomically: a reader sees the old one, the new one or none, never part of one. */
  putManifest(name: string, body: Buffer): Promise<void>;
  /** A manifest's body, verified (a corrupted or truncated one is FERRY_ERR_INTEGRITY), or undefined when there is none. */
  getManifest(name: string): Promise<Buffer | undefined>;
  /** Names of the manifests under `prefix` (a name prefix; '' lists all), sorted. */
  listManifests(prefix: string): Promise<string[]>;
  /** Removes a manifest (absent: nothing happens). */
  deleteManifest(name: string): Promise<void>;
  /** Removes leftovers of writes interrupted before `olderThan` (a crash's temporary files); returns how many. Only stores that can leave such leftovers have it. */
  sweep?(olderThan: Date): Promise<number>;
}
