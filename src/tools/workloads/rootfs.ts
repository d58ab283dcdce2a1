/**
 * @module tools/workloads/rootfs — turns a recipe for a root file system into an image of a
 * host's engine without a registry: build the tree once, keep it as a tarball in a cache
 * keyed by everything the tree depends on, and `docker import` it when the engine lacks the
 * image. A second build is a cache hit; an engine that has the image is left alone.
 *
 * @example
 *   await ensureImage(engine, recipe, { log: console.log }); // 'present' | 'cache' | 'built'
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { access, mkdir, mkdtemp, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { FerryError } from '../../core/errors.ts';
import type { DockerEngine } from '../../adapters/docker/engine.ts';
import { runOrThrow } from '../../adapters/host/run.ts';
import { unmountUnder } from '../testbed/index.ts';

/** Where built root file systems are kept, as `<name>-<hash>.tar`. */
export const WORKLOAD_CACHE_DIR = '/var/cache/ferry/workloads';

/** A build directory this old belongs to no running build (builds time out within an hour). */
const ABANDONED_AFTER_MS = 24 * 3600_000;

/** What a recipe's `populate` gets besides the tree to fill. */
export interface BuildContext {
  /** A scratch directory beside the tree (removed afterwards), for downloads. */
  scratch: string;
  log: (line: string) => void;
}

/** How one image's root file system is made. */
export interface RootfsRecipe {
  /** Short name: the cache file's prefix and the subject of messages. */
  name: string;
  /** The image reference, `repo:tag`. */
  image: string;
  /** `docker import --change` lines (CMD, WORKDIR, ...). */
  changes: readonly string[];
  /** Files the tree is made from; their content is part of the cache key. */
  inputFiles: readonly string[];
  /** Everything else the tree depends on (package lists, targets), part of the cache key. */
  facts: readonly string[];
  /** Fills `root`, an empty directory, with the root file system. */
  populate: (root: string, ctx: BuildContext) => Promise<void>;
}

/** Options of {@link ensureImage}. */
export interface ImageBuildOptions {
  /** Default {@link WORKLOAD_CACHE_DIR}. */
  cacheDir?: string;
  log?: (line: string) => void;
}

/** Where the image came from: the engine had it, the cached tarball, or a fresh build. */
export type ImageSource = 'present' | 'cache' | 'built';

/** Imports the recipe's image into `engine` unless it is there, building the tarball if it is not cached. */
export async function ensureImage(engine: DockerEngine, recipe: RootfsRecipe, options: ImageBuildOptions = {}): Promise<ImageSource> {
  if (await engine.findImage(recipe.image)) return 'present';
  const log = options.log ?? (() => {});
  const cacheDir = options.cacheDir ?? WORKLOAD_CACHE_DIR;
  const tarball = path.join(cacheDir, `${recipe.name}-${await recipeKey(recipe)}.tar`);
  const cached = await access(tarball).then(() => true, () => false);
  if (!cached) await buildTarball(recipe, tarball, log);
  log(`importing ${recipe.image} from ${tarball}`);
  const { repo, tag } = splitImageRef(recipe.image);
  await engine.importImage(createReadStream(tarball), repo, tag, [...recipe.changes]);
  return cached ? 'cache' : 'built';
}

/** The cache key: a digest of the recipe's image, changes, facts and input files. */
export async function recipeKey(recipe: RootfsRecipe): Promise<string> {
  const h = createHash('sha256').update(JSON.stringify([recipe.image, recipe.changes, recipe.facts]));
  for (const f of recipe.inputFiles) {
    const content = await readFile(f).catch((err: unknown) => {
      throw new FerryError('FERRY_ERR_PREREQUISITE', `cannot read ${f}, which the ${recipe.name} image is built from: ${(err as Error).message}`, { cause: err });
    });
    // The name, not the full path: two checkouts of the same sources share one cached image.
    h.update(path.basename(f)).update(content);
  }
  return h.digest('hex').slice(0, 16);
}

/** `docker import --change` lines: the command, the default environment, the working directory. */
export function imageChanges(o: { cmd: readonly string[]; env?: readonly string[]; workdir?: string }): string[] {
  return [`CMD ${JSON.stringify(o.cmd)}`, ...(o.env ?? []).map((e) => `ENV ${e}`), ...(o.workdir ? [`WORKDIR ${o.workdir}`] : [])];
}

/** Splits `repo:tag` (a registry port before the last slash is part of the repo). */
export function splitImageRef(ref: string): { repo: string; tag: string } {
  const colon = ref.lastIndexOf(':');
  if (colon <= ref.lastIndexOf('/')) return { repo: ref, tag: 'latest' };
  return { repo: ref.slice(0, colon), tag: ref.slice(colon + 1) };
}

/** Builds the tree in a directory of the cache (a real file system: device nodes, exec) and tars it atomically into place. */
async function buildTarball(recipe: RootfsRecipe, tarball: string, log: (line: string) => void): Promise<void> {
  const cacheDir = path.dirname(tarball);
  await mkdir(cacheDir, { recursive: true, mode: 0o755 });
  await removeAbandoned(cacheDir);
  const work = await mkdtemp(path.join(cacheDir, `.build-${recipe.name}-`));
  try {
    const root = path.join(work, 'rootfs');
    const scratch = path.join(work, 'scratch');
    await mkdir(root);
    await mkdir(scratch);
    const t0 = Date.now();
    log(`building the root file system of ${recipe.image} in ${root}`);
    await recipe.populate(root, { scratch, log });
    const partial = path.join(work, 'rootfs.tar');
    await runOrThrow('FERRY_ERR_PREREQUISITE', 'tar', ['-C', root, '--numeric-owner', '-cf', partial, '.'], `check the free space under ${cacheDir}`);
    await rename(partial, tarball);
    log(`built ${recipe.image} in ${((Date.now() - t0) / 1000).toFixed(1)} s, kept as ${tarball}`);
    await removeOlder(cacheDir, recipe.name, path.basename(tarball));
  } finally {
    await removeTree(work);
  }
}

/** Removes cached tarballs of the same recipe with another key. */
async function removeOlder(cacheDir: string, name: string, keep: string): Promise<void> {
  const same = new RegExp(`^${name}-[0-9a-f]{16}\\.tar$`);
  for (const f of await readdir(cacheDir)) if (same.test(f) && f !== keep) await rm(path.join(cacheDir, f), { force: true });
}

/** Removes build directories left by a process killed while building (none is in use after a day). */
async function removeAbandoned(cacheDir: string): Promise<void> {
  for (const f of await readdir(cacheDir)) {
    if (!f.startsWith('.build-')) continue;
    const { mtimeMs } = await stat(path.join(cacheDir, f));
    if (Date.now() - mtimeMs > ABANDONED_AFTER_MS) await removeTree(path.join(cacheDir, f));
  }
}

/**
 * Removes a build directory. A failed chroot build can leave /proc or /dev mounted inside
 * it, and a recursive delete through a bind of /dev would empty the host's /dev: so unmount
 * first, and never let rm cross into another file system.
 */
async function removeTree(dir: string): Promise<void> {
  await unmountUnder([dir]);
  await runOrThrow('FERRY_ERR_INTERNAL', 'rm', ['-rf', '--one-file-system', dir], `remove ${dir} by hand`);
}
