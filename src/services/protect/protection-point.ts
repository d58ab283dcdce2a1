/**
 * @module services/protect/protection-point — takes one protection point of a running container: a
 * consistent state in the object store that a recovery can rebuild it from. The container is
 * frozen for the CRIU dump and for reading its writable layer and volumes (so the files
 * match the memory), then thawed; its pages go up as packs (only pages no kept point holds),
 * then the recipe and the rest of the dump, and the manifest last, so a manifest that exists
 * names a complete state.
 */
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { containerSpec, type ContainerSpec } from '../../adapters/docker/container-spec.ts';
import { storeImage } from '../prestore/image-store.ts';
import { protectManifestName, protectPrefix, type StateManifest } from '../prestore/state-manifest.ts';
import type { Digest, ObjectStore } from '../../adapters/object-store/object-store.ts';
import { storeDump, type StoredDump } from './dump-store.ts';
import { checkReused, checkpointName, freezeAndCapture, warmTrees, type Frozen } from './frozen-capture.ts';
import type { PackLedger } from './pack-ledger.ts';
import type { PointDeps } from './point-deps.ts';
import { beyondKeep, pointsOf } from './points.ts';
import type { TreeCache } from './tree-cache.ts';

/** What one protection remembers between its points. */
export interface ProtectionMemory {
  container: string;
  ledger: PackLedger;
  /** The image id stored by this protection already. */
  imageStored?: string;
  /** A point of this protection has stored the trees once: their unchanged blocks are in the store. */
  warm?: boolean;
  /** The chain of each tree as the last point stored it. */
  trees: TreeCache;
  /** Packs each point of this protection names, by sequence (for the ledger after pruning). */
  packsBySequence: Map<number, Digest[]>;
}

/** What one point did. */
export interface PointReport {
  container: string;
  sequence: number;
  /** When the container was frozen: the moment the point restores to. */
  takenAt: string;
  frozenMs: number;
  /** Of the frozen time: the CRIU dump, and reading and storing the writable layer and volumes, in ms. */
  dumpMs: number;
  treesMs: number;
  /** Trees not read again because nothing in them changed since the last point. */
  reusedTrees: number;
  /** Bytes of the whole state, and those that crossed to the store for it. */
  bytes: number;
  uploadedBytes: number;
  /** Bytes of the image uploaded (the first point of a container on an image the store lacks). */
  imageUploadedBytes: number;
  pages: number;
  uploadedPages: number;
  packs: number;
  dumpedBy: Frozen['dumpedBy'];
  /** Wall time of the whole point, in ms. */
  tookMs: number;
}

/** Takes point `sequence` of the container; the manifest is written last. */
export async function takePoint(deps: PointDeps, memory: ProtectionMemory, sequence: number): Promise<PointReport> {
  const started = Date.now();
  const { engine, store, config } = deps;
  const spec = containerSpec(await engine.inspectContainer(memory.container), { allowBind: config.migration.allowBind });
  let imageUploadedBytes = 0;
  if (memory.imageStored !== spec.imageId) {
    imageUploadedBytes = (await storeImage(store, engine, spec.imageId, spec.imageRef)).uploadedBytes;
    memory.imageStored = spec.imageId;
  }
  const workDir = path.join(deps.stateDir, 'protect', memory.container, String(sequence));
  await rm(workDir, { recursive: true, force: true });
  await mkdir(workDir, { recursive: true, mode: 0o700 });
  let frozen: Frozen | undefined;
  try {
    const warmBytes = memory.warm ? 0 : await warmTrees(deps, spec, memory.trees);
    frozen = await freezeAndCapture(deps, spec, memory.trees, workDir, sequence);
    await checkReused(store, frozen, memory.trees);
    const dump = await storeDump(store, memory.ledger, frozen.dumpDir, config.protect);
    const manifest = manifestOf(memory.container, sequence, spec, frozen, dump, warmBytes);
    await store.putManifest(protectManifestName(memory.container, sequence), Buffer.from(JSON.stringify(manifest)));
    memory.ledger.commit();
    memory.warm = true;
    for (const t of [frozen.upper, ...frozen.volumes]) memory.trees.record(t.dir, t.signature, t.chain, frozen.pausedAt);
    memory.packsBySequence.set(sequence, dump.packs);
    return {
      container: memory.container, sequence, takenAt: frozen.takenAt,
      frozenMs: frozen.frozenMs, dumpMs: frozen.dumpMs, treesMs: frozen.frozenMs - frozen.dumpMs,
      reusedTrees: [frozen.upper, ...frozen.volumes].filter((t) => t.reused).length,
      bytes: manifest.bytes, uploadedBytes: manifest.uploadedBytes, imageUploadedBytes,
      pages: dump.pages, uploadedPages: dump.uploadedPages, packs: dump.packs.length, dumpedBy: frozen.dumpedBy, tookMs: Date.now() - started,
    };
  } finally {
    memory.ledger.rollback(); // after a commit there is nothing staged; after a failure the staged packs are forgotten
    await rm(workDir, { recursive: true, force: true });
    if (frozen?.dumpedBy !== 'runc') await engine.deleteCheckpoint(spec.id, checkpointName(sequence)).catch(() => undefined);
  }
}

/** The manifest of a point: every object it names, and what it cost. */
function manifestOf(container: string, sequence: number, spec: ContainerSpec, frozen: Frozen, dump: StoredDump, warmBytes: number): StateManifest {
  const trees = [frozen.upper, ...frozen.volumes].map((t) => t.chain);
  return {
    version: 1, container, sequence, takenAt: frozen.takenAt, frozenMs: frozen.frozenMs,
    imageId: spec.imageId, imageRef: spec.imageRef, createBody: spec.createBody,
    volumes: frozen.volumes.map((v) => ({ name: v.name, tree: v.chain.blocks })),
    upper: frozen.upper.chain.blocks, checkpoint: dump.checkpoint.blocks,
    memory: { packs: dump.packs, recipe: dump.recipe.blocks, pages: dump.pages },
    bytes: trees.reduce((n, c) => n + c.bytes, dump.bytes),
    uploadedBytes: trees.reduce((n, c) => n + c.uploadedBytes, dump.uploadedBytes + warmBytes),
  };
}

/** Deletes the points beyond the newest `keep` and forgets the packs only they named; returns the deleted sequences. */
export async function prunePoints(store: ObjectStore, memory: ProtectionMemory, keep: number): Promise<number[]> {
  const names = await store.listManifests(protectPrefix(memory.container));
  const gone = beyondKeep(memory.container, names, keep);
  for (const p of gone) await store.deleteManifest(p.name);
  const stored = new Set(pointsOf(memory.container, names).map((p) => p.sequence));
  for (const p of gone) stored.delete(p.sequence);
  const kept = new Set<Digest>();
  for (const [sequence, packs] of memory.packsBySequence) {
    // A point deleted here or by anyone else no longer keeps its packs from garbage collection.
    if (!stored.has(sequence)) memory.packsBySequence.delete(sequence);
    else for (const p of packs) kept.add(p);
  }
  memory.ledger.retain(kept);
  return gone.map((p) => p.sequence);
}
