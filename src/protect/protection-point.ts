/**
 * @module protect/protection-point — takes one protection point of a running container: a
 * consistent state in the object store that a recovery can rebuild it from. The container is
 * frozen for the CRIU dump and for reading its writable layer and volumes (so the files
 * match the memory), then thawed; its pages go up as packs (only pages no kept point holds),
 * then the recipe and the rest of the dump, and the manifest last, so a manifest that exists
 * names a complete state.
 */
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Config } from '../core/config.ts';
import { FerryError } from '../core/errors.ts';
import { log } from '../core/events.ts';
import { containerSpec, type ContainerSpec } from '../docker/container-spec.ts';
import type { DockerEngine } from '../docker/engine.ts';
import { runcCheckpoint, runcKnows } from '../host/runc.ts';
import { storeStream, type StoredChain } from '../prestore/block-chain.ts';
import { storeImage } from '../prestore/image-store.ts';
import { archiveTree } from '../prestore/tree-archive.ts';
import { protectManifestName, protectPrefix, type StateManifest } from '../prestore/state-manifest.ts';
import type { Digest, ObjectStore } from '../store/object-store.ts';
import { storeDump } from './dump-store.ts';
import type { PackLedger } from './pack-ledger.ts';
import { beyondKeep, pointsOf } from './points.ts';

/** What taking a point needs from the agent. */
export interface PointDeps {
  engine: DockerEngine;
  store: ObjectStore;
  config: Config;
  /** The agent's state directory (the dump is written below it, then deleted). */
  stateDir: string;
  /** The engine's data root (where a Docker-API checkpoint lands). */
  dataRoot: string;
}

/** What one protection remembers between its points. */
export interface ProtectionMemory {
  container: string;
  ledger: PackLedger;
  /** The image id stored by this protection already. */
  imageStored?: string;
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
  /** Bytes of the whole state, and those that crossed to the store for it. */
  bytes: number;
  uploadedBytes: number;
  /** Bytes of the image uploaded (the first point of a container on an image the store lacks). */
  imageUploadedBytes: number;
  pages: number;
  uploadedPages: number;
  packs: number;
  dumpedBy: 'runc' | 'docker-api';
  /** Wall time of the whole point, in ms. */
  tookMs: number;
}

/** What the frozen part captured. */
interface Frozen {
  takenAt: string;
  frozenMs: number;
  dumpDir: string;
  dumpedBy: PointReport['dumpedBy'];
  upper: StoredChain;
  volumes: Array<{ name: string; chain: StoredChain }>;
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
    frozen = await freezeAndCapture(deps, spec, workDir, sequence);
    const dump = await storeDump(store, memory.ledger, frozen.dumpDir, config.protect.concurrency);
    const trees = [frozen.upper, ...frozen.volumes.map((v) => v.chain)];
    const manifest: StateManifest = {
      version: 1, container: memory.container, sequence, takenAt: frozen.takenAt, frozenMs: frozen.frozenMs,
      imageId: spec.imageId, imageRef: spec.imageRef, createBody: spec.createBody,
      volumes: frozen.volumes.map((v) => ({ name: v.name, tree: v.chain.blocks })),
      upper: frozen.upper.blocks, checkpoint: dump.checkpoint.blocks,
      memory: { packs: dump.packs, recipe: dump.recipe.blocks, pages: dump.pages },
      bytes: trees.reduce((n, c) => n + c.bytes, dump.bytes),
      uploadedBytes: trees.reduce((n, c) => n + c.uploadedBytes, dump.uploadedBytes),
    };
    await store.putManifest(protectManifestName(memory.container, sequence), Buffer.from(JSON.stringify(manifest)));
    memory.ledger.commit();
    memory.packsBySequence.set(sequence, dump.packs);
    return {
      container: memory.container, sequence, takenAt: frozen.takenAt, frozenMs: frozen.frozenMs, bytes: manifest.bytes, uploadedBytes: manifest.uploadedBytes,
      imageUploadedBytes, pages: dump.pages, uploadedPages: dump.uploadedPages, packs: dump.packs.length, dumpedBy: frozen.dumpedBy, tookMs: Date.now() - started,
    };
  } finally {
    memory.ledger.rollback(); // after a commit there is nothing staged; after a failure the staged packs are forgotten
    await rm(workDir, { recursive: true, force: true });
    if (frozen?.dumpedBy === 'docker-api') await engine.deleteCheckpoint(spec.id, checkpointName(sequence)).catch(() => undefined);
  }
}

/** The name of a Docker-API checkpoint of a point (used only when runc does not know the container). */
function checkpointName(sequence: number): string {
  return `ferry-protect-${sequence}`;
}

/** Freezes the container, dumps it and stores its writable layer and volumes, and thaws it whatever happens. */
async function freezeAndCapture(deps: PointDeps, spec: ContainerSpec, workDir: string, sequence: number): Promise<Frozen> {
  const { engine, store, config } = deps;
  const runcRoot = config.agent.runcRoot;
  const viaRunc = runcKnows(runcRoot, spec.id);
  const dumpDir = viaRunc ? path.join(workDir, 'dump') : path.join(deps.dataRoot, 'containers', spec.id, 'checkpoints', checkpointName(sequence));
  const concurrency = config.protect.concurrency;
  await engine.pause(spec.id);
  const pausedAt = Date.now();
  let captured: Omit<Frozen, 'frozenMs'>;
  try {
    if (viaRunc) await runcCheckpoint({ runcRoot, containerId: spec.id, imageDir: dumpDir, workDir: path.join(workDir, 'criu') });
    else await engine.createCheckpoint(spec.id, checkpointName(sequence), false);
    const upper = await storeStream(store, archiveTree(spec.upperDir), { concurrency });
    const volumes: Frozen['volumes'] = [];
    for (const v of spec.volumes) volumes.push({ name: v.name, chain: await storeStream(store, archiveTree(v.source), { concurrency }) });
    captured = { takenAt: new Date(pausedAt).toISOString(), dumpDir, dumpedBy: viaRunc ? 'runc' : 'docker-api', upper, volumes };
  } finally {
    await thaw(engine, spec);
  }
  return { ...captured, frozenMs: Date.now() - pausedAt };
}

/** Unpauses the container; one retry, then an error that says it stays frozen. */
async function thaw(engine: DockerEngine, spec: ContainerSpec): Promise<void> {
  try {
    await engine.unpause(spec.id);
  } catch (first) {
    log('warn', 'unpause after a protection point failed; retrying', { container: spec.name, err: String(first) });
    try {
      await engine.unpause(spec.id);
    } catch (err) {
      throw new FerryError('FERRY_ERR_DOCKER', `container ${spec.name} stays frozen after its protection point: unpause failed (${(err as Error).message}); run \`docker unpause ${spec.name}\` on its host`, { cause: err });
    }
  }
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
