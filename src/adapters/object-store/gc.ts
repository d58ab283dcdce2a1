/**
 * @module adapters/object-store/gc — garbage collection of objects no manifest names. It reads every manifest
 * first and stops, deleting nothing, when one cannot be read or verified; objects younger
 * than the grace period are spared, because an upload whose manifest is not written yet
 * looks exactly like garbage. A writer that reuses an object it found stored (has() said
 * yes) must write its manifest before the object could age past the grace period, or run
 * while no collection does.
 */
import { FerryError } from '../../core/errors.ts';
import { assertDigest } from './digest.ts';
import type { Digest, ObjectStore } from './object-store.ts';

/** The digests a manifest names; throws when the body is not a manifest it understands. */
export type ReferencesOf = (manifestName: string, body: Buffer) => Iterable<Digest>;

/** What one collection did. */
export interface GcResult {
  /** Objects left in place (referenced or young). */
  kept: number;
  /** Objects deleted. */
  deleted: number;
  /** Bytes of the deleted objects. */
  deletedBytes: number;
  /** Temporary files of interrupted writes removed (stores that leave none: 0). */
  swept: number;
}

/** Options of a collection. */
export interface GcOptions {
  /** Unreferenced objects younger than this survive, in ms. */
  graceMs: number;
  /** The time to measure ages from (default: now). */
  now?: Date | number;
}

/** Deletes the objects no manifest references and that are older than the grace period. */
export async function collectGarbage(store: ObjectStore, referencesOf: ReferencesOf, options: GcOptions): Promise<GcResult> {
  if (!Number.isFinite(options.graceMs) || options.graceMs < 0) {
    throw new FerryError('FERRY_ERR_INVALID_INPUT', `graceMs ${options.graceMs} is invalid: use a duration in ms, 0 or more`);
  }
  const cutoff = new Date(Number(options.now ?? Date.now()) - options.graceMs);
  const referenced = await referencedDigests(store, referencesOf);
  const result: GcResult = { kept: 0, deleted: 0, deletedBytes: 0, swept: 0 };
  for await (const object of store.list()) {
    if (referenced.has(object.digest) || object.modified >= cutoff) {
      result.kept++;
      continue;
    }
    await store.delete(object.digest);
    result.deleted++;
    result.deletedBytes += object.bytes;
  }
  result.swept = (await store.sweep?.(cutoff)) ?? 0;
  return result;
}

/** Every digest some manifest names; any manifest that cannot be read or understood stops the collection. */
async function referencedDigests(store: ObjectStore, referencesOf: ReferencesOf): Promise<Set<Digest>> {
  const referenced = new Set<Digest>();
  for (const name of await store.listManifests('')) {
    try {
      const body = await store.getManifest(name);
      if (body === undefined) continue; // deleted since the listing: it protects nothing any more
      for (const digest of referencesOf(name, body)) {
        assertDigest(digest);
        referenced.add(digest);
      }
    } catch (err) {
      const code = err instanceof FerryError ? err.code : 'FERRY_ERR_INTEGRITY';
      const why = err instanceof Error ? err.message : String(err);
      throw new FerryError(code, `garbage collection of ${store.where} stopped and deleted nothing: manifest ${name} could not be read (${why})`, { cause: err });
    }
  }
  return referenced;
}
