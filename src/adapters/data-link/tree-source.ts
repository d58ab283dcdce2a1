/**
 * @module adapters/data-link/tree-source — walks a directory tree (an overlayfs upper directory, a
 * checkpoint, a volume) and yields what the data link sends: entries, file chunks and
 * whole-file checksums. Symlinks are never followed; files are streamed, never read whole.
 * Metadata calls are synchronous: microseconds each, where a thread-pool trip costs more.
 */
import { createHash } from 'node:crypto';
import { closeSync, constants, fstatSync, lstatSync, openSync, readdirSync, readlinkSync, type Stats } from 'node:fs';
import { lstat, realpath } from 'node:fs/promises';
import path from 'node:path';
import { FerryError } from '../../core/errors.ts';
import { readOpaqueDirs } from './overlay-attrs.ts';
import { isGone, sendError } from './io-errors.ts';
import { readAt } from './fs-io.ts';
import type { EntryMeta } from './messages.ts';

/** One step of sending a tree, in the order the frames go out. */
export type SourceItem =
  | { kind: 'entry'; meta: EntryMeta }
  | { kind: 'data'; chunk: Buffer }
  | { kind: 'entry-end'; sha256: string }
  | { kind: 'skip'; path: string; reason: string };

/** How a tree is read. */
export interface TreeSourceOptions {
  /** Largest chunk read from a file at once. */
  chunkBytes: number;
  /** Called for every entry below the root; a non-directory for which it returns false is not sent (unchanged since an earlier round). */
  select?: (rel: string, st: Stats) => boolean;
  /**
   * The tree is in use (a pre-copy round while the container runs): a file that changes
   * while it is read is sent as read, padded to its announced size, and reported through
   * `onTorn` so that a later round sends it again, instead of failing the transfer.
   */
  live?: boolean;
  onTorn?: (rel: string) => void;
}

/** The metadata every kind of entry shares. */
function baseMeta(rel: string, st: Stats): Pick<EntryMeta, 'path' | 'mode' | 'uid' | 'gid' | 'mtimeMs'> {
  return { path: rel, mode: st.mode & 0o7777, uid: st.uid, gid: st.gid, mtimeMs: st.mtimeMs };
}

/** Why a file of this type is not sent, or undefined when it is. */
export function skipReason(st: Stats): string | undefined {
  if (st.isSocket()) return 'socket (CRIU recreates sockets it needs)';
  if (st.isFIFO()) return 'named pipe (fifo)';
  if (st.isBlockDevice()) return `block device ${st.rdev >> 8}:${st.rdev & 0xff}`;
  if (st.isCharacterDevice() && st.rdev !== 0) return `character device ${st.rdev >> 8}:${st.rdev & 0xff}`;
  return undefined;
}

/** Walks `dir` depth-first, parents before children, names sorted; the root comes first as ".". */
export async function* readTree(dir: string, options: TreeSourceOptions): AsyncGenerator<SourceItem> {
  let root: string;
  let st: Stats;
  try {
    // The caller chose the root, so a symlink there (e.g. /var/lib/docker) is resolved once.
    root = await realpath(dir);
    st = await lstat(root);
  } catch (err) {
    throw sendError(err, `opening the tree ${dir}`);
  }
  if (!st.isDirectory()) throw new FerryError('FERRY_ERR_TRANSFER_IO', `source tree ${dir} is not a directory`);
  const opaque = await readOpaqueDirs(root);
  yield { kind: 'entry', meta: { ...baseMeta('.', st), kind: 'dir', ...(opaque.has('.') ? { opaque: true } : {}) } };
  yield* walk(root, '', opaque, options);
}

async function* walk(root: string, relDir: string, opaque: Set<string>, options: TreeSourceOptions): AsyncGenerator<SourceItem> {
  const full = relDir === '' ? root : path.join(root, relDir);
  let names: Buffer[];
  try {
    names = readdirSync(full, { encoding: 'buffer' });
  } catch (err) {
    if (isGone(err)) return;
    throw sendError(err, `listing ${full}`);
  }
  names.sort((a, b) => Buffer.compare(a, b));
  for (const raw of names) {
    const name = raw.toString('utf8');
    // The wire carries names as JSON strings; a name that is not UTF-8 cannot cross intact.
    if (!Buffer.from(name, 'utf8').equals(raw)) {
      throw new FerryError('FERRY_ERR_TRANSFER_IO', `source file name in ${full} is not valid UTF-8 (${JSON.stringify(raw.toString('latin1'))}); rename it to migrate`);
    }
    const rel = relDir === '' ? name : `${relDir}/${name}`;
    const file = path.join(root, rel);
    let st: Stats;
    try {
      st = lstatSync(file);
    } catch (err) {
      if (isGone(err)) continue;
      throw sendError(err, `reading the metadata of ${file}`);
    }
    const skip = skipReason(st);
    const selected = skip !== undefined || (options.select?.(rel, st) ?? true) || st.isDirectory();
    if (!selected) continue;
    if (skip) {
      yield { kind: 'skip', path: rel, reason: skip };
    } else if (st.isDirectory()) {
      yield { kind: 'entry', meta: { ...baseMeta(rel, st), kind: 'dir', ...(opaque.has(rel) ? { opaque: true } : {}) } };
      yield* walk(root, rel, opaque, options);
    } else if (st.isSymbolicLink()) {
      let target: string;
      try {
        target = readlinkSync(file);
      } catch (err) {
        throw sendError(err, `reading the symlink ${file}`);
      }
      yield { kind: 'entry', meta: { ...baseMeta(rel, st), kind: 'symlink', target } };
    } else if (st.isCharacterDevice()) {
      yield { kind: 'entry', meta: { ...baseMeta(rel, st), kind: 'whiteout' } };
    } else {
      yield* readFile(file, rel, st, options);
    }
  }
}

/** Streams one regular file; a file that changes while it is read is an error, not a torn copy (unless the tree is live). */
async function* readFile(file: string, rel: string, listed: Stats, options: TreeSourceOptions): AsyncGenerator<SourceItem> {
  let fd: number;
  try {
    // O_NONBLOCK: if the name was swapped for a fifo since lstat, open must not hang.
    fd = openSync(file, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (err) {
    if (options.live && isGone(err)) return options.onTorn?.(rel);
    throw sendError(err, `opening ${file}`);
  }
  try {
    const st = fstatSync(fd);
    if (options.live && (!st.isFile() || st.ino !== listed.ino)) return options.onTorn?.(rel);
    if (!st.isFile() || st.ino !== listed.ino) throw new FerryError('FERRY_ERR_TRANSFER_IO', `source file ${file} was replaced while being sent`);
    yield { kind: 'entry', meta: { ...baseMeta(rel, st), kind: 'file', size: st.size } };
    const hash = createHash('sha256');
    let position = 0;
    while (position < st.size) {
      const want = Math.min(options.chunkBytes, st.size - position);
      let bytesRead: number;
      let buffer = Buffer.allocUnsafe(want);
      try {
        bytesRead = await readAt(fd, buffer, position);
      } catch (err) {
        throw sendError(err, `reading ${file} at byte ${position}`);
      }
      if (bytesRead === 0) {
        if (!options.live) throw new FerryError('FERRY_ERR_TRANSFER_IO', `source file ${file} shrank from ${st.size} to ${position} bytes while being sent`);
        bytesRead = want;
        buffer.fill(0);
      }
      if (bytesRead < want) buffer = buffer.subarray(0, bytesRead);
      hash.update(buffer);
      position += bytesRead;
      yield { kind: 'data', chunk: buffer };
    }
    const after = fstatSync(fd);
    if (after.size !== st.size || after.mtimeMs !== st.mtimeMs) {
      if (options.live) options.onTorn?.(rel);
      else throw new FerryError('FERRY_ERR_TRANSFER_IO', `source file ${file} changed while being sent (${st.size} → ${after.size} bytes)`);
    }
    yield { kind: 'entry-end', sha256: hash.digest('hex') };
  } finally {
    closeSync(fd);
  }
}
