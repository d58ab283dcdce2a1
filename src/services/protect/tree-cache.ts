/**
 * @module services/protect/tree-cache — skips re-reading a tree that has not changed since the last
 * point. Reading a tree while the container is frozen costs its whole size every point (a
 * 200 MiB volume: 2.5 s frozen, every time, though nothing in it changed); a walk of its
 * metadata costs microseconds per entry. A tree whose signature — every entry's path, inode,
 * size, mode, owner, mtime and ctime — equals the one recorded with its stored chain is not
 * read again: the chain is reused. ctime cannot be set from user space, so any change to a
 * file's content, metadata or xattrs shows; a tree with an entry changed shortly before the
 * freeze is not recorded, so a change within one timestamp tick after it cannot hide.
 */
import { createHash } from 'node:crypto';
import { lstat, readdir } from 'node:fs/promises';
import path from 'node:path';
import type { StoredChain } from '../prestore/block-chain.ts';

/** Entries changed this close to the freeze are too fresh to trust a timestamp for, in ms. */
const FRESH_MS = 2000;

/** A tree's metadata, hashed. */
export interface TreeSignature {
  signature: string;
  /** The newest ctime of any entry, in ms since the epoch. */
  newestCtimeMs: number;
  entries: number;
}

/** Walks a tree (never following symlinks) and hashes every entry's metadata. */
export async function treeSignature(dir: string): Promise<TreeSignature> {
  const hash = createHash('sha256');
  let newest = 0;
  let entries = 0;
  const visit = async (rel: string): Promise<void> => {
    const full = rel ? path.join(dir, rel) : dir;
    const st = await lstat(full, { bigint: true });
    entries++;
    newest = Math.max(newest, Number(st.ctimeNs / 1_000_000n));
    hash.update(`${rel}\0${st.ino}\0${st.mode}\0${st.uid}\0${st.gid}\0${st.size}\0${st.mtimeNs}\0${st.ctimeNs}\0${st.rdev}\n`);
    if (!st.isDirectory()) return;
    const names = (await readdir(full)).sort();
    for (const name of names) await visit(rel ? path.join(rel, name) : name);
  };
  await visit('');
  return { signature: hash.digest('hex'), newestCtimeMs: newest, entries };
}

/** A stored chain of a tree, with the signature the tree had when it was read. */
interface Cached {
  signature: string;
  chain: StoredChain;
}

/** The last stored chain of each tree of one protection. */
export class TreeCache {
  private readonly trees = new Map<string, Cached>();

  /** The stored chain of `dir` when its signature is unchanged (reused: nothing uploaded). */
  reuse(dir: string, sig: TreeSignature): StoredChain | undefined {
    const hit = this.trees.get(dir);
    return hit?.signature === sig.signature ? { ...hit.chain, uploadedBytes: 0 } : undefined;
  }

  /** Records the chain a point stored for `dir` (after its manifest is written); a tree changed just before `frozenAt` is forgotten instead. */
  record(dir: string, sig: TreeSignature, chain: StoredChain, frozenAt: number): void {
    if (sig.newestCtimeMs >= frozenAt - FRESH_MS) this.trees.delete(dir);
    else this.trees.set(dir, { signature: sig.signature, chain });
  }

  /** Forgets every tree (a reused chain turned out to be gone from the store). */
  clear(): void {
    this.trees.clear();
  }
}
