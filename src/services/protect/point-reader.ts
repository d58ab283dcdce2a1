/**
 * @module services/protect/point-reader — reads a protection point back from the object store and
 * verifies all of it before anything is created from it: the manifest, that every object it
 * names is stored, every pack and block against its digest, every page the recipe names,
 * and every archived tree frame by frame and file by file, as it is written into a staging
 * directory. A missing object is FERRY_ERR_STORE_MISSING, a corrupted one
 * FERRY_ERR_INTEGRITY; both name the point and the part of it.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { FerryError } from '../../core/errors.ts';
import { PageStore } from '../../adapters/process-memory/page-store.ts';
import { parseRecipe } from '../../domain/pages/recipe.ts';
import { readBlocks } from '../prestore/block-chain.ts';
import { StateManifestSchema, parseManifest, protectPrefix, type StateManifest } from '../prestore/state-manifest.ts';
import { extractTree } from '../prestore/tree-archive.ts';
import type { Digest, ObjectStore } from '../../adapters/object-store/object-store.ts';
import { fetchAll } from '../../adapters/object-store/upload.ts';
import { pointsOf } from './points.ts';

/** A point read back and verified, its trees written below `dir`. */
export interface StagedPoint {
  checkpointDir: string;
  upperDir: string;
  /** Staged volume trees, by volume name. */
  volumeDirs: Map<string, string>;
  /** Bytes read from the store. */
  fetchedBytes: number;
}

/** How a point is read. */
export interface ReadOptions {
  concurrency: number;
  maxFileBytes: number;
}

/** Re-raises a store or decoding failure as the point's own, naming `part`; anything else passes through. */
async function inPart<T>(point: string, part: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (!(err instanceof FerryError)) throw err;
    const code = err.code === 'FERRY_ERR_STORE_MISSING' ? 'FERRY_ERR_STORE_MISSING' : ['FERRY_ERR_INTEGRITY', 'FERRY_ERR_PROTOCOL', 'FERRY_ERR_UNSAFE_PATH', 'FERRY_ERR_TOO_LARGE'].includes(err.code) ? 'FERRY_ERR_INTEGRITY' : undefined;
    if (!code) throw err;
    throw new FerryError(code, `protection point ${point}, ${part}: ${err.message}; nothing was created from it (an earlier point may be intact: --point N)`, { cause: err });
  }
}

/** The manifest of a point, verified; an absent one is FERRY_ERR_STORE_MISSING. */
export async function readManifest(store: ObjectStore, name: string): Promise<StateManifest> {
  return inPart(name, 'manifest', async () => {
    const body = await store.getManifest(name);
    if (!body) throw new FerryError('FERRY_ERR_STORE_MISSING', `the manifest is not in ${store.where} (deleted since it was listed?)`);
    return parseManifest(name, body, StateManifestSchema);
  });
}

/** Every object a point names, with the part it belongs to. */
export function partsOf(m: StateManifest): Array<{ part: string; digest: Digest }> {
  const out: Array<{ part: string; digest: Digest }> = [];
  const add = (part: string, blocks: readonly Digest[]) => blocks.forEach((digest, i) => out.push({ part: `${part} ${i + 1} of ${blocks.length}`, digest }));
  add('page pack', m.memory.packs);
  add('page recipe block', m.memory.recipe);
  add('dump block', m.checkpoint);
  add('writable-layer block', m.upper);
  for (const v of m.volumes) add(`block of volume ${v.name}`, v.tree);
  return out;
}

/** Checks that the store holds every object of the point (one question per object kind, before any download). */
export async function checkComplete(store: ObjectStore, name: string, m: StateManifest): Promise<void> {
  const parts = partsOf(m);
  const held = await store.has([...new Set(parts.map((p) => p.digest))]);
  const missing = parts.filter((p) => !held.has(p.digest));
  const first = missing[0];
  if (first) {
    const more = missing.length > 1 ? ` (and ${missing.length - 1} more)` : '';
    throw new FerryError('FERRY_ERR_STORE_MISSING', `protection point ${name} is incomplete: its ${first.part}, object ${first.digest}, is not in ${store.where}${more}; nothing was created from it (an earlier point may be complete: --point N)`);
  }
}

/** Fetches and verifies the whole point into `dir` (checkpoint with rebuilt page files, writable layer, volumes). */
export async function stagePoint(store: ObjectStore, name: string, m: StateManifest, dir: string, o: ReadOptions): Promise<StagedPoint> {
  const staged: StagedPoint = { checkpointDir: path.join(dir, 'checkpoint'), upperDir: path.join(dir, 'upper'), volumeDirs: new Map(), fetchedBytes: 0 };
  const pages = PageStore.create();
  try {
    const fetched = await inPart(name, 'page packs', () => fetchAll(store, m.memory.packs, { concurrency: o.concurrency, onObject: (_d, bytes) => pages.putPages(bytes) }));
    staged.fetchedBytes += fetched.bytes;
    const recipe = await inPart(name, 'page recipe', async () => parseRecipe((await collect(store, m.memory.recipe, o.concurrency, staged)).toString('utf8')));
    const lacking = pages.missing(recipe);
    if (lacking) throw new FerryError('FERRY_ERR_STORE_MISSING', `protection point ${name} is incomplete: its recipe names page ${lacking}, which none of its packs holds; nothing was created from it`);
    await inPart(name, 'dump', () => extract(store, m.checkpoint, staged.checkpointDir, o, staged));
    await pages.rebuild(recipe, staged.checkpointDir);
  } finally {
    pages.clear();
  }
  await inPart(name, 'writable layer', () => extract(store, m.upper, staged.upperDir, o, staged));
  for (const [i, v] of m.volumes.entries()) {
    const target = path.join(dir, 'volumes', String(i));
    await mkdir(path.dirname(target), { recursive: true, mode: 0o700 });
    await inPart(name, `volume ${v.name}`, () => extract(store, v.tree, target, o, staged));
    staged.volumeDirs.set(v.name, target);
  }
  return staged;
}

/** Reads a chain of blocks whole (for the recipe). */
async function collect(store: ObjectStore, blocks: readonly Digest[], ahead: number, staged: StagedPoint): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const b of readBlocks(store, blocks, ahead)) {
    staged.fetchedBytes += b.length;
    parts.push(b);
  }
  return Buffer.concat(parts);
}

/** Extracts one archived tree, counting the bytes read. */
async function extract(store: ObjectStore, blocks: readonly Digest[], dir: string, o: ReadOptions, staged: StagedPoint): Promise<void> {
  async function* counted(): AsyncGenerator<Buffer> {
    for await (const b of readBlocks(store, blocks, o.concurrency)) {
      staged.fetchedBytes += b.length;
      yield b;
    }
  }
  await extractTree(counted(), dir, o.maxFileBytes);
}

/** One stored point as a listing shows it; a point whose manifest does not verify shows its error instead. */
export interface StoredPoint {
  sequence: number;
  takenAt?: string;
  /** Age of the point now, in ms. */
  ageMs?: number;
  frozenMs?: number;
  bytes?: number;
  uploadedBytes?: number;
  error?: { code: string; message: string };
}

/** The stored points of a container, oldest first (manifests only; objects are not checked). */
export async function listPoints(store: ObjectStore, container: string): Promise<StoredPoint[]> {
  const out: StoredPoint[] = [];
  for (const p of pointsOf(container, await store.listManifests(protectPrefix(container)))) {
    try {
      const m = await readManifest(store, p.name);
      out.push({ sequence: p.sequence, takenAt: m.takenAt, ageMs: Date.now() - Date.parse(m.takenAt), frozenMs: m.frozenMs, bytes: m.bytes, uploadedBytes: m.uploadedBytes });
    } catch (err) {
      if (!(err instanceof FerryError)) throw err;
      out.push({ sequence: p.sequence, error: { code: err.code, message: err.message } });
    }
  }
  return out;
}
