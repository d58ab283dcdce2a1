/**
 * @module services/protect/frozen-capture — the frozen part of a protection point: the container is
 * paused, dumped by CRIU (through runc, leaving it paused) and, still frozen, its writable
 * layer and volumes are stored, so the files match the memory; then it is thawed, whatever
 * happened. A tree unchanged since the last point is not read again (`TreeCache`).
 */
import path from 'node:path';
import { FerryError } from '../../core/errors.ts';
import { log } from '../../core/events.ts';
import type { ContainerSpec } from '../../adapters/docker/container-spec.ts';
import type { Engine } from '../../adapters/docker/engine-port.ts';
import { thawAfterDump } from '../../adapters/docker/thaw.ts';
import { runcCriuConfigOf } from '../../adapters/host/runc-criu-config.ts';
import { runcCheckpoint, runcKnows } from '../../adapters/host/runc.ts';
import { storeStream, type StoredChain } from '../prestore/block-chain.ts';
import { archiveTree } from '../prestore/tree-archive.ts';
import type { ObjectStore } from '../../adapters/object-store/object-store.ts';
import type { PointDeps } from './point-deps.ts';
import { treeSignature, type TreeCache, type TreeSignature } from './tree-cache.ts';

/** One tree as the frozen pass stored it. */
export interface CapturedTree {
  dir: string;
  signature: TreeSignature;
  chain: StoredChain;
  /** The chain of the last point, reused because nothing in the tree changed. */
  reused: boolean;
}

/** What the frozen part captured. */
export interface Frozen {
  takenAt: string;
  pausedAt: number;
  frozenMs: number;
  /** The CRIU dump's share of the frozen time, in ms. */
  dumpMs: number;
  dumpDir: string;
  dumpedBy: 'runc' | 'docker-api';
  upper: CapturedTree;
  volumes: Array<CapturedTree & { name: string }>;
}

/** The name of a Docker-API checkpoint of a point (used only when runc does not know the container). */
export function checkpointName(sequence: number): string {
  return `ferry-protect-${sequence}`;
}

/** Freezes the container, dumps it, stores its writable layer and volumes, and thaws it. */
export async function freezeAndCapture(deps: PointDeps, spec: ContainerSpec, trees: TreeCache, workDir: string, sequence: number): Promise<Frozen> {
  const { engine, config } = deps;
  const runcRoot = config.agent.runcRoot;
  const viaRunc = runcKnows(runcRoot, spec.id);
  const dumpDir = viaRunc ? path.join(workDir, 'dump') : path.join(deps.dataRoot, 'containers', spec.id, 'checkpoints', checkpointName(sequence));
  await engine.pause(spec.id);
  const pausedAt = Date.now();
  let captured: Omit<Frozen, 'frozenMs'>;
  try {
    if (viaRunc) await runcCheckpoint({ runcRoot, containerId: spec.id, imageDir: dumpDir, workDir: path.join(workDir, 'criu'), criuPath: config.agent.criuPath, timeoutMs: config.deadlines.criuDumpMs, criuConfig: runcCriuConfigOf(config), tcp: 'close' });
    else await engine.createCheckpoint(spec.id, checkpointName(sequence), false);
    const dumpMs = Date.now() - pausedAt;
    const upper = await captureTree(deps, trees, spec.upperDir);
    const volumes: Frozen['volumes'] = [];
    for (const v of spec.volumes) volumes.push({ name: v.name, ...(await captureTree(deps, trees, v.source)) });
    captured = { takenAt: new Date(pausedAt).toISOString(), pausedAt, dumpMs, dumpDir, dumpedBy: viaRunc ? 'runc' : 'docker-api', upper, volumes };
  } finally {
    await thaw(engine, spec, { runcRoot, timeoutMs: config.deadlines.dockerMs });
  }
  return { ...captured, frozenMs: Date.now() - pausedAt };
}

/** Stores one tree, or reuses the last point's chain when its signature is unchanged. */
async function captureTree(deps: PointDeps, trees: TreeCache, dir: string): Promise<CapturedTree> {
  const signature = await treeSignature(dir);
  const reused = trees.reuse(dir, signature);
  if (reused) return { dir, signature, chain: reused, reused: true };
  return { dir, signature, chain: await storeStream(deps.store, archiveTree(dir), { concurrency: deps.config.protect.concurrency }), reused: false };
}

/** After the thaw: the reused chains must still be stored (only a deleted point could lose them); else the cache is dropped and the point fails. */
export async function checkReused(store: ObjectStore, frozen: Frozen, trees: TreeCache): Promise<void> {
  const blocks = new Set([frozen.upper, ...frozen.volumes].filter((t) => t.reused).flatMap((t) => t.chain.blocks));
  if (blocks.size === 0) return;
  const held = await store.has([...blocks]);
  if (held.size === blocks.size) return;
  trees.clear();
  throw new FerryError('FERRY_ERR_STORE_MISSING', `blocks of an unchanged tree stored by an earlier point are gone from ${store.where} (was a point deleted?); this point is not written, the next one stores the trees again`);
}

/**
 * The first point of a protection stores the trees once while the container runs, so that the
 * frozen pass finds their blocks stored and uploads only what changed in between: without it
 * the whole writable layer and every volume would cross while the container is frozen. A tree
 * whose signature is the same before and after the read (and held no fresh change) was read
 * consistently: its chain goes into the cache, and the frozen pass does not read it again.
 * Otherwise files that changed while read are stored as read, and no manifest names them.
 */
export async function warmTrees(deps: PointDeps, spec: ContainerSpec, trees: TreeCache): Promise<number> {
  const concurrency = deps.config.protect.concurrency;
  let uploaded = 0;
  for (const dir of [spec.upperDir, ...spec.volumes.map((v) => v.source)]) {
    const startedAt = Date.now();
    const before = await treeSignature(dir);
    const chain = await storeStream(deps.store, archiveTree(dir, { live: true }), { concurrency });
    uploaded += chain.uploadedBytes;
    if ((await treeSignature(dir)).signature === before.signature) trees.record(dir, before, chain, startedAt);
  }
  return uploaded;
}

/** Unpauses the container; one retry, then an error that says it stays frozen. */
async function thaw(engine: Engine, spec: ContainerSpec, runc: { runcRoot: string; timeoutMs: number }): Promise<void> {
  try {
    await thawAfterDump(engine, runc, spec.id);
  } catch (first) {
    log('warn', 'unpause after a protection point failed; retrying', { container: spec.name, err: String(first) });
    try {
      await engine.unpause(spec.id);
    } catch (err) {
      throw new FerryError('FERRY_ERR_DOCKER', `container ${spec.name} stays frozen after its protection point: unpause failed (${(err as Error).message}); run \`docker unpause ${spec.name}\` on its host`, { cause: err });
    }
  }
}
