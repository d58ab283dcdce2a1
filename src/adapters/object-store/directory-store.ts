/**
 * @module adapters/object-store/directory-store — the object store in a directory (the embedded default; it
 * may sit on a shared mount such as CephFS). Layout: ROOT/objects/ab/<digest> (fan-out by the
 * first two hex digits) and ROOT/manifests/<name with '/' as '+'> (one flat directory, so that
 * manifests 'a' and 'a/b' can both exist). Every write goes to a temporary file in the target
 * directory, is fsynced and renamed into place; directories that are not real directories
 * (a planted symbolic link) are refused, so no write leaves the root.
 */
import { constants } from 'node:fs';
import { access, lstat, readdir, rm, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { FerryError } from '../../core/errors.ts';
import { forEachBounded } from './bounded.ts';
import {
  DIGEST, assertDigest, assertManifestName, assertManifestPrefix, assertManifestSize, assertObjectSize, sha256Hex, verifyObject,
} from './digest.ts';
import { errnoOf, readNoFollow, realDirectory, writeAtomic, TEMP_MARK } from './directory-files.ts';
import { decodeManifest, encodeManifest } from './manifest-envelope.ts';
import { MANIFEST_NAME, MAX_MANIFEST_BYTES, MAX_OBJECT_BYTES, type Digest, type ObjectStore, type StoredObject } from './object-store.ts';

const FAN_OUT = /^[0-9a-f]{2}$/;

/** An object store in a directory. */
export class DirectoryStore implements ObjectStore {
  /** The root directory, absolute. */
  readonly where: string;

  /** A store rooted at `root` (which must exist; check() says so). */
  constructor(root: string) {
    this.where = path.resolve(root);
  }

  /** Where the object `digest` is kept (tests and tools use it; the digest is checked first). */
  objectPath(digest: Digest): string {
    assertDigest(digest);
    return path.join(this.where, 'objects', digest.slice(0, 2), digest);
  }

  /** Where the manifest `name` is kept (the name is checked first). */
  manifestPath(name: string): string {
    assertManifestName(name);
    return path.join(this.where, 'manifests', name.replaceAll('/', '+'));
  }

  /** The root must exist and be a writable directory (FERRY_ERR_STORE_BUCKET names it otherwise). */
  async check(): Promise<void> {
    const st = await stat(this.where).catch((err: unknown) => {
      throw this.#unusable(`does not exist or cannot be reached (${errnoOf(err)})`, err);
    });
    if (!st.isDirectory()) throw this.#unusable('is not a directory');
    await access(this.where, constants.W_OK).catch((err: unknown) => {
      throw this.#unusable(`is not writable (${errnoOf(err)})`, err);
    });
    for (const sub of ['objects', 'manifests']) await this.#existingDir(sub);
  }

  /** Stores `bytes` under their digest; an object already stored is left alone. */
  async put(bytes: Buffer): Promise<{ digest: Digest; uploaded: boolean }> {
    assertObjectSize(bytes.length);
    const digest = sha256Hex(bytes);
    const dir = await this.#ensureDir('objects', digest.slice(0, 2));
    if (await lstat(path.join(dir, digest)).then(() => true, () => false)) return { digest, uploaded: false };
    await this.#io(dir, (d) => writeAtomic(d, digest, bytes));
    return { digest, uploaded: true };
  }

  /** The subset of `digests` that is stored. */
  async has(digests: readonly Digest[]): Promise<Set<Digest>> {
    for (const digest of digests) assertDigest(digest);
    const found = new Set<Digest>();
    await forEachBounded(new Set(digests), 32, async (digest) => {
      if (await lstat(this.objectPath(digest)).then((st) => st.isFile(), () => false)) found.add(digest);
    });
    return found;
  }

  /** An object's bytes, verified against its digest. */
  async get(digest: Digest): Promise<Buffer> {
    const file = this.objectPath(digest);
    const bytes = await readNoFollow(file, MAX_OBJECT_BYTES).catch(async (err: unknown) => {
      if (errnoOf(err) === 'ENOENT') await this.#rootExists();
      if (errnoOf(err) === 'ENOENT') throw new FerryError('FERRY_ERR_STORE_MISSING', `object ${digest} is not in the store ${this.where}; store it again from its source`);
      if (errnoOf(err) === 'ELOOP' || errnoOf(err) === 'EFBIG') throw new FerryError('FERRY_ERR_INTEGRITY', `object ${digest} in ${this.where} is corrupted (${errnoOf(err) === 'ELOOP' ? 'a symbolic link' : 'larger than any object'}); delete it and store it again`);
      throw this.#failure(file, err);
    });
    verifyObject(digest, bytes, this.where);
    return bytes;
  }

  /** Every stored object (temporary files of unfinished writes are not objects). */
  async *list(): AsyncIterable<StoredObject> {
    const objects = await this.#existingDir('objects');
    if (!objects) return;
    for (const fan of await this.#io(objects, (d) => readdir(d, { withFileTypes: true }))) {
      if (!fan.isDirectory() || !FAN_OUT.test(fan.name)) continue;
      const dir = path.join(objects, fan.name);
      for (const entry of await this.#io(dir, (d) => readdir(d, { withFileTypes: true }))) {
        if (!entry.isFile() || !DIGEST.test(entry.name) || !entry.name.startsWith(fan.name)) continue;
        const st = await lstat(path.join(dir, entry.name)).catch(() => undefined);
        if (st) yield { digest: entry.name, bytes: st.size, modified: st.mtime };
      }
    }
  }

  /** Removes an object (absent: nothing happens). */
  async delete(digest: Digest): Promise<void> {
    const file = this.objectPath(digest);
    if (!(await this.#existingDir('objects', digest.slice(0, 2)))) return;
    await this.#io(file, (f) => rm(f, { force: true }));
  }

  /** Writes a manifest atomically (temporary file, fsync, rename). */
  async putManifest(name: string, body: Buffer): Promise<void> {
    const file = this.manifestPath(name);
    assertManifestSize(name, body.length);
    const dir = await this.#ensureDir('manifests');
    await this.#io(dir, (d) => writeAtomic(d, path.basename(file), encodeManifest(body)));
  }

  /** A manifest's body, verified, or undefined when there is none. */
  async getManifest(name: string): Promise<Buffer | undefined> {
    const file = this.manifestPath(name);
    const stored = await readNoFollow(file, MAX_MANIFEST_BYTES + 256).catch(async (err: unknown) => {
      if (errnoOf(err) === 'ENOENT') return this.#rootExists().then(() => undefined);
      if (errnoOf(err) === 'ELOOP' || errnoOf(err) === 'EFBIG') return Buffer.alloc(0);
      throw this.#failure(file, err);
    });
    return stored && decodeManifest(stored, `manifest ${name} in ${this.where}`);
  }

  /** Names of the manifests under `prefix`, sorted. */
  async listManifests(prefix: string): Promise<string[]> {
    assertManifestPrefix(prefix);
    const dir = await this.#existingDir('manifests');
    if (!dir) return [];
    const entries = await this.#io(dir, (d) => readdir(d, { withFileTypes: true }));
    return entries
      .filter((e) => e.isFile() && !e.name.includes(TEMP_MARK))
      .map((e) => e.name.replaceAll('+', '/'))
      .filter((name) => MANIFEST_NAME.test(name) && name.startsWith(prefix))
      .sort();
  }

  /** Removes a manifest (absent: nothing happens). */
  async deleteManifest(name: string): Promise<void> {
    const file = this.manifestPath(name);
    if (!(await this.#existingDir('manifests'))) return;
    await this.#io(file, (f) => rm(f, { force: true }));
  }

  /** Removes temporary files of writes interrupted before `olderThan`; returns how many. */
  async sweep(olderThan: Date): Promise<number> {
    const dirs: string[] = [];
    const manifests = await this.#existingDir('manifests');
    if (manifests) dirs.push(manifests);
    const objects = await this.#existingDir('objects');
    for (const fan of objects ? await this.#io(objects, (d) => readdir(d, { withFileTypes: true })) : []) {
      if (fan.isDirectory() && FAN_OUT.test(fan.name)) dirs.push(path.join(objects as string, fan.name));
    }
    let removed = 0;
    for (const dir of dirs) {
      for (const name of await this.#io(dir, (d) => readdir(d))) {
        if (!name.includes(TEMP_MARK)) continue;
        const st = await lstat(path.join(dir, name)).catch(() => undefined);
        if (!st?.isFile() || st.mtime >= olderThan) continue;
        await unlink(path.join(dir, name)).then(() => removed++, () => undefined);
      }
    }
    return removed;
  }

  /** Creates ROOT/<parts...> one level at a time (never the root itself); refuses anything that is not a real directory. */
  async #ensureDir(...parts: string[]): Promise<string> {
    let dir = this.where;
    for (const part of parts) {
      dir = path.join(dir, part);
      const state = await realDirectory(dir).catch((err: unknown) => {
        if (errnoOf(err) === 'ENOTDIR') return 'not-directory' as const;
        throw this.#failure(dir, err);
      });
      if (state === 'ok') continue;
      await this.#rootExists();
      throw state === 'missing' ? this.#unusable(`lost ${path.relative(this.where, dir)} while ferry used it`) : this.#notDirectory(dir);
    }
    return dir;
  }

  /** ROOT/<parts...> when it exists as a real directory, undefined when it does not exist; refuses a symbolic link. */
  async #existingDir(...parts: string[]): Promise<string | undefined> {
    const dir = path.join(this.where, ...parts);
    const st = await lstat(dir).catch((err: unknown) => {
      if (errnoOf(err) !== 'ENOENT') throw this.#failure(dir, err);
      return undefined;
    });
    if (!st) {
      if (parts.length === 1) await this.#rootExists();
      return undefined;
    }
    if (!st.isDirectory()) throw this.#notDirectory(dir);
    return dir;
  }

  async #rootExists(): Promise<void> {
    const st = await stat(this.where).catch((err: unknown) => {
      throw this.#unusable(`does not exist or cannot be reached (${errnoOf(err)})`, err);
    });
    if (!st.isDirectory()) throw this.#unusable('is not a directory');
  }

  /** Runs one file-system step on `file`, turning its failure into a FerryError that names the file. */
  async #io<T>(file: string, step: (file: string) => Promise<T>): Promise<T> {
    try {
      return await step(file);
    } catch (err) {
      throw err instanceof FerryError ? err : this.#failure(file, err);
    }
  }

  #failure(file: string, err: unknown): FerryError {
    const code = errnoOf(err);
    if (code === 'ENOTDIR' || code === 'ELOOP') return this.#notDirectory(path.dirname(file));
    if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') return this.#unusable(`is not writable: ${file} (${code})`, err);
    if (code === 'ENOENT') return this.#unusable(`lost ${path.relative(this.where, file)} while ferry used it (${code})`, err);
    if (code === 'ENOSPC' || code === 'EDQUOT') return new FerryError('FERRY_ERR_STORE_UNREACHABLE', `store directory ${this.where} is full (${code}) writing ${file}; free space there or point store.dir elsewhere`, { cause: err });
    return new FerryError('FERRY_ERR_STORE_UNREACHABLE', `store directory ${this.where} failed on ${file} (${code}); check the disk or shared mount it is on`, { cause: err });
  }

  #notDirectory(dir: string): FerryError {
    return new FerryError('FERRY_ERR_STORE_BUCKET', `${dir} in the store directory ${this.where} is not a real directory (a symbolic link or a file); ferry does not write through it. Remove it and ferry re-creates it`);
  }

  #unusable(why: string, cause?: unknown): FerryError {
    return new FerryError('FERRY_ERR_STORE_BUCKET', `store directory ${this.where} ${why}; create it as a writable directory or point store.dir at one`, cause === undefined ? undefined : { cause });
  }
}
