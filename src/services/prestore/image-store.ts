/**
 * @module services/prestore/image-store — images in the object store, stored once and shared: the
 * `docker save` archive is cut into content-defined blocks under a manifest named by the
 * image id, so every container of that image (and every later migration or protection)
 * finds it there, and layers shared between images are mostly stored once too.
 */
import { Readable } from 'node:stream';
import type { Engine } from '../../adapters/docker/engine-port.ts';
import type { ObjectStore } from '../../adapters/object-store/object-store.ts';
import { readBlocks, storeStream } from './block-chain.ts';
import { ImageManifestSchema, imageManifestName, parseManifest, type ImageManifest } from './state-manifest.ts';

/** The stored image, or undefined when the store lacks it (or holds a manifest that does not verify). */
export async function storedImage(store: ObjectStore, imageId: string): Promise<ImageManifest | undefined> {
  const name = imageManifestName(imageId);
  const body = await store.getManifest(name);
  if (!body) return undefined;
  const m = parseManifest(name, body, ImageManifestSchema);
  const held = await store.has(m.blocks);
  return m.imageId === imageId && held.size === new Set(m.blocks).size ? m : undefined;
}

/** Stores an image unless the store holds it; returns its manifest and the bytes uploaded now. */
export async function storeImage(store: ObjectStore, engine: Engine, imageId: string, imageRef: string): Promise<{ manifest: ImageManifest; uploadedBytes: number }> {
  const have = await storedImage(store, imageId);
  if (have) return { manifest: have, uploadedBytes: 0 };
  const byRef = await engine.findImage(imageRef);
  const tar = await engine.exportImage(byRef?.Id === imageId ? imageRef : imageId);
  const chain = await storeStream(store, tar);
  const manifest: ImageManifest = { version: 1, imageId, imageRef, blocks: chain.blocks, bytes: chain.bytes };
  await store.putManifest(imageManifestName(imageId), Buffer.from(JSON.stringify(manifest)));
  return { manifest, uploadedBytes: chain.uploadedBytes };
}

/** Loads a stored image into an engine (each block verified as it is read). */
export async function loadStoredImage(store: ObjectStore, engine: Engine, manifest: ImageManifest): Promise<void> {
  await engine.loadImage(Readable.from(readBlocks(store, manifest.blocks)));
}
