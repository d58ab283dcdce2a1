/**
 * @module adapters/data-link/tree-sink — writes a tree received over the data link into a target directory
 * the receiver chose. Every path passes the path guard, every parent is checked with lstat
 * and files are opened O_NOFOLLOW, so a hostile peer cannot write outside the target.
 * Metadata calls are synchronous: each costs microseconds, a thread-pool trip far more,
 * and trees of many small files are common.
 */
import { createHash, type Hash } from 'node:crypto';
import { chmodSync, closeSync, constants, fchmodSync, fchownSync, futimesSync, lchownSync, lstatSync, lutimesSync, mkdirSync, openSync, rmSync, symlinkSync, unlinkSync, type Stats } from 'node:fs';
import { mkdir, realpath } from 'node:fs/promises';
import path from 'node:path';
import { FerryError } from '../../core/errors.ts';
import { checkEntryShape, type EntryMeta, type StreamEnd } from './messages.ts';
import { isWithin, parentsOf, safeRelativePath, showPath } from './path-guard.ts';
import { makeWhiteout, markOpaque } from './overlay-attrs.ts';
import { isGone, receiveError } from './io-errors.ts';
import { writeAt } from './fs-io.ts';

/** Limits of a tree sink. */
export interface TreeSinkOptions {
  /** Largest file accepted, in bytes. */
  maxFileBytes: number;
}

/** The file being received. */
interface OpenFile {
  rel: string;
  full: string;
  fd: number;
  meta: EntryMeta;
  size: number;
  received: number;
  hash: Hash;
}

/** Receives one tree: ENTRY, DATA and ENTRY_END in the order the source walked it. */
export class TreeSink {
  private readonly dir: string;
  private readonly options: TreeSinkOptions;
  private root = '';
  /** Directories inside the target known to be real directories (not symlinks). */
  private readonly verified = new Set<string>();
  /** Directory mtimes, set at the end because writing their content changes them. */
  private readonly dirTimes: Array<{ full: string; mtimeMs: number }> = [];
  private current: OpenFile | undefined;
  private entries = 0;
  private rawBytes = 0;

  /** `dir` is chosen by the receiver, never taken from the wire. */
  constructor(dir: string, options: TreeSinkOptions) {
    this.dir = dir;
    this.options = options;
  }

  /** Creates the target if needed and resolves it once. */
  async open(): Promise<void> {
    try {
      await mkdir(this.dir, { recursive: true, mode: 0o700 });
      this.root = await realpath(this.dir);
    } catch (err) {
      throw receiveError(err, `creating the target ${this.dir}`);
    }
  }

  /** Creates the entry (or opens the file for its DATA). */
  async entry(meta: EntryMeta, frameIndex: number): Promise<void> {
    if (this.current) throw new FerryError('FERRY_ERR_PROTOCOL', `frame ${frameIndex} (ENTRY) ${showPath(meta.path)} arrived while file ${showPath(this.current.rel)} was still open`);
    checkEntryShape(meta, frameIndex);
    this.entries++;
    if (meta.path === '.') return this.entryRoot(meta);
    const rel = safeRelativePath(meta.path);
    const full = path.join(this.root, rel);
    const size = meta.size ?? 0;
    if (size > this.options.maxFileBytes) throw new FerryError('FERRY_ERR_TOO_LARGE', `file ${showPath(rel)} announces ${size} bytes, the limit is ${this.options.maxFileBytes}`);
    this.checkParents(rel);
    const reuse = this.clearLeaf(rel, full, meta.kind);
    const doing = (action: string) => `${action} ${full}`;
    try {
      switch (meta.kind) {
        case 'dir':
          if (!reuse) mkdirSync(full, { mode: 0o700 });
          lchownSync(full, meta.uid, meta.gid);
          chmodSync(full, meta.mode);
          if (meta.opaque) await markOpaque(full);
          this.verified.add(rel);
          this.dirTimes.push({ full, mtimeMs: meta.mtimeMs });
          return;
        case 'file': {
          const fd = openSync(full, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
          this.current = { rel, full, fd, meta, size, received: 0, hash: createHash('sha256') };
          return;
        }
        case 'symlink':
          symlinkSync(meta.target ?? '', full);
          lchownSync(full, meta.uid, meta.gid);
          lutimesSync(full, meta.mtimeMs / 1000, meta.mtimeMs / 1000);
          return;
        case 'whiteout':
          await makeWhiteout(full);
          lchownSync(full, meta.uid, meta.gid);
          chmodSync(full, meta.mode);
          lutimesSync(full, meta.mtimeMs / 1000, meta.mtimeMs / 1000);
          return;
      }
    } catch (err) {
      throw receiveError(err, doing(`creating ${meta.kind}`));
    }
  }

  /** Appends file content; more than the announced size is refused before it is written. */
  async data(chunk: Buffer, frameIndex: number): Promise<void> {
    const file = this.current;
    if (!file) throw new FerryError('FERRY_ERR_PROTOCOL', `frame ${frameIndex} (DATA) arrived outside a file`);
    if (file.received + chunk.length > file.size) {
      throw new FerryError('FERRY_ERR_TOO_LARGE', `file ${showPath(file.rel)}: received ${file.received + chunk.length} bytes, more than the announced ${file.size}`);
    }
    try {
      await writeAt(file.fd, chunk, file.received);
    } catch (err) {
      throw receiveError(err, `writing ${file.full} at byte ${file.received}`);
    }
    file.hash.update(chunk);
    file.received += chunk.length;
    this.rawBytes += chunk.length;
  }

  /** Checks size and checksum of the file, then gives it its owner, mode and mtime. */
  entryEnd(sha256: string, frameIndex: number): void {
    const file = this.current;
    if (!file) throw new FerryError('FERRY_ERR_PROTOCOL', `frame ${frameIndex} (ENTRY_END) arrived outside a file`);
    if (file.received !== file.size) throw new FerryError('FERRY_ERR_INTEGRITY', `file ${showPath(file.rel)}: received ${file.received} of ${file.size} announced bytes`);
    const got = file.hash.digest('hex');
    if (got !== sha256) throw new FerryError('FERRY_ERR_INTEGRITY', `file ${showPath(file.rel)}: sha256 of the ${file.size} bytes received is ${got}, the source sent ${sha256}`);
    try {
      // chown first: it clears setuid/setgid bits that chmod then restores.
      fchownSync(file.fd, file.meta.uid, file.meta.gid);
      fchmodSync(file.fd, file.meta.mode);
      futimesSync(file.fd, file.meta.mtimeMs / 1000, file.meta.mtimeMs / 1000);
      closeSync(file.fd);
    } catch (err) {
      throw receiveError(err, `finishing ${file.full}`);
    }
    this.current = undefined;
  }

  /** Checks the section totals and sets directory mtimes, deepest first. */
  finish(end: StreamEnd, frameIndex: number): { entries: number; rawBytes: number } {
    if (this.current) throw new FerryError('FERRY_ERR_PROTOCOL', `frame ${frameIndex} (STREAM_END) arrived while file ${showPath(this.current.rel)} was still open`);
    if (end.entries !== this.entries || end.rawBytes !== this.rawBytes) {
      throw new FerryError('FERRY_ERR_INTEGRITY', `tree ${this.dir}: the source sent ${end.entries} entries and ${end.rawBytes} bytes, ${this.entries} entries and ${this.rawBytes} bytes arrived`);
    }
    for (const { full, mtimeMs } of this.dirTimes.reverse()) {
      // lutimes: should a later entry have replaced the directory by a symlink, it is not followed.
      try {
        lutimesSync(full, mtimeMs / 1000, mtimeMs / 1000);
      } catch (err) {
        if (!isGone(err)) throw receiveError(err, `setting the mtime of ${full}`);
      }
    }
    return { entries: this.entries, rawBytes: this.rawBytes };
  }

  /** Drops the file being received, so a half-written file never looks complete. */
  abort(): void {
    const file = this.current;
    this.current = undefined;
    if (!file) return;
    for (const undo of [() => closeSync(file.fd), () => unlinkSync(file.full)]) {
      try {
        undo();
      } catch {
        // best effort: the session has failed already and says why
      }
    }
  }

  /** The root entry "." gives the target itself its owner, mode and opaque mark. */
  private async entryRoot(meta: EntryMeta): Promise<void> {
    try {
      lchownSync(this.root, meta.uid, meta.gid);
      chmodSync(this.root, meta.mode);
      if (meta.opaque) await markOpaque(this.root);
    } catch (err) {
      throw receiveError(err, `setting the attributes of ${this.root}`);
    }
    this.dirTimes.unshift({ full: this.root, mtimeMs: meta.mtimeMs });
  }

  /** Every parent must be a real directory; a symlink there could lead anywhere. */
  private checkParents(rel: string): void {
    for (const parent of parentsOf(rel)) {
      if (this.verified.has(parent)) continue;
      let st: Stats;
      try {
        st = lstatSync(path.join(this.root, parent));
      } catch (err) {
        if (isGone(err)) throw new FerryError('FERRY_ERR_PROTOCOL', `entry ${showPath(rel)} arrived before its parent directory ${showPath(parent)}`);
        throw receiveError(err, `checking ${path.join(this.root, parent)}`);
      }
      if (st.isSymbolicLink()) throw new FerryError('FERRY_ERR_UNSAFE_PATH', `unsafe path ${showPath(rel)}: its parent ${showPath(parent)} is a symlink; refusing to write through it`);
      if (!st.isDirectory()) throw new FerryError('FERRY_ERR_PROTOCOL', `entry ${showPath(rel)}: its parent ${showPath(parent)} is not a directory`);
      this.verified.add(parent);
    }
  }

  /** Makes room for an entry; returns true when an existing directory can be kept as it is. */
  private clearLeaf(rel: string, full: string, kind: EntryMeta['kind']): boolean {
    let st: Stats;
    try {
      st = lstatSync(full);
    } catch (err) {
      if (isGone(err)) return false;
      throw receiveError(err, `checking ${full}`);
    }
    if (kind === 'dir' && st.isDirectory()) return true;
    try {
      // Neither rm nor unlink follows a symlink; the entry replaces the link itself.
      if (st.isDirectory()) rmSync(full, { recursive: true, force: true });
      else unlinkSync(full);
    } catch (err) {
      throw receiveError(err, `replacing ${full}`);
    }
    for (const dir of this.verified) if (isWithin(dir, rel)) this.verified.delete(dir);
    return false;
  }
}
