/**
 * @module services/prestore/state-manifest — pure: the manifest of one stored state of a container
 * (a protection point, or what a pre-stored migration left in the store), and of a stored
 * image. A manifest is written only after every object it names is stored, so a manifest
 * that exists names a complete state; reading it back still verifies every object.
 */
import * as z from 'zod';
import { FerryError } from '../../core/errors.ts';
import type { Digest } from '../../adapters/object-store/object-store.ts';

const digest = z.string().regex(/^[0-9a-f]{64}$/);
const blocks = z.array(digest);

/** A stored image: `docker save` output as content-defined blocks. */
export const ImageManifestSchema = z.strictObject({
  version: z.literal(1),
  imageId: z.string().regex(/^sha256:[0-9a-f]{64}$/),
  imageRef: z.string().min(1).max(512),
  blocks,
  bytes: z.number().int().min(0),
});
/** A stored image. */
export type ImageManifest = z.infer<typeof ImageManifestSchema>;

/** One consistent state of a container. */
export const StateManifestSchema = z.strictObject({
  version: z.literal(1),
  container: z.string().min(1).max(256),
  /** Protection points count up from 1. */
  sequence: z.number().int().min(1),
  takenAt: z.string(),
  /** How long the container was frozen for the dump, in ms. */
  frozenMs: z.number().min(0),
  imageId: z.string().regex(/^sha256:[0-9a-f]{64}$/),
  imageRef: z.string().min(1).max(512),
  /** The body of `POST /containers/create` that makes the container again. */
  createBody: z.record(z.string(), z.unknown()),
  volumes: z.array(z.strictObject({ name: z.string().min(1).max(256), tree: blocks })),
  upper: blocks,
  /** The dump without its page files. */
  checkpoint: blocks,
  memory: z.strictObject({
    /** Packs holding every page the recipe names (the zero page excepted). */
    packs: blocks,
    /** The page recipe (JSON), as blocks. */
    recipe: blocks,
    pages: z.number().int().min(0),
  }),
  /** Bytes of the whole state, and those this point uploaded. */
  bytes: z.number().int().min(0),
  uploadedBytes: z.number().int().min(0),
});
/** One consistent state of a container. */
export type StateManifest = z.infer<typeof StateManifestSchema>;

/** The manifest name of a stored image. */
export function imageManifestName(imageId: string): string {
  return `images/${imageId.replace(/^sha256:/, '')}`;
}

/** The manifest name of a protection point. */
export function protectManifestName(container: string, sequence: number): string {
  return `protect/${container}/${String(sequence).padStart(8, '0')}`;
}

/** The manifest-name prefix of a container's protection points. */
export function protectPrefix(container: string): string {
  return `protect/${container}/`;
}

/** Parses a manifest body with `schema`; a body that does not parse is FERRY_ERR_INTEGRITY naming the manifest. */
export function parseManifest<T>(name: string, body: Buffer, schema: z.ZodType<T>): T {
  let raw: unknown;
  try {
    raw = JSON.parse(body.toString('utf8'));
  } catch {
    throw new FerryError('FERRY_ERR_INTEGRITY', `stored manifest ${name} is not JSON; the state it names is not used`);
  }
  const result = schema.safeParse(raw);
  if (!result.success) throw new FerryError('FERRY_ERR_INTEGRITY', `stored manifest ${name}: ${result.error.issues[0]?.path.join('.') ?? ''} ${result.error.issues[0]?.message ?? 'invalid'}; the state it names is not used`);
  return result.data;
}

/** Every object a manifest names, for garbage collection (manifests of other kinds name none). */
export function referencesOf(name: string, body: Buffer): Digest[] {
  if (name.startsWith('images/')) return parseManifest(name, body, ImageManifestSchema).blocks;
  if (name.startsWith('protect/') || name.startsWith('migrations/')) {
    const m = parseManifest(name, body, StateManifestSchema);
    return [...m.upper, ...m.checkpoint, ...m.memory.packs, ...m.memory.recipe, ...m.volumes.flatMap((v) => v.tree)];
  }
  return [];
}
