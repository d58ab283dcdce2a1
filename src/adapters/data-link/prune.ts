/**
 * @module adapters/data-link/prune — removes, below a receiving tree's root, the paths a later round of the
 * sender found deleted. Every path is checked like an arriving entry: relative, inside the
 * root, and never reached through a symlink.
 */
import { lstatSync, rmSync } from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import * as z from 'zod';
import { FerryError } from '../../core/errors.ts';
import { parentsOf, safeRelativePath, showPath } from './path-guard.ts';

const PruneList = z.array(z.string().min(1).max(4096)).max(1_000_000);

/** Removes each path of `rels` under `root`; paths already gone are fine. Returns how many were removed. */
export function pruneTree(root: string, rels: readonly string[]): number {
  let removed = 0;
  for (const p of rels) {
    const rel = safeRelativePath(p);
    if (rel === '.') throw new FerryError('FERRY_ERR_UNSAFE_PATH', 'a prune list may not name the tree root');
    let gone = false;
    for (const parent of parentsOf(rel)) {
      const st = lstatSafe(path.join(root, parent));
      if (!st) {
        gone = true;
        break;
      }
      if (st.isSymbolicLink()) throw new FerryError('FERRY_ERR_UNSAFE_PATH', `unsafe path ${showPath(rel)}: its parent ${showPath(parent)} is a symlink; refusing to remove through it`);
    }
    if (gone) continue;
    if (lstatSafe(path.join(root, rel))) {
      rmSync(path.join(root, rel), { recursive: true, force: true });
      removed++;
    }
  }
  return removed;
}

function lstatSafe(p: string) {
  try {
    return lstatSync(p);
  } catch {
    return undefined;
  }
}

/** A writable that collects at most `limit` bytes and hands them to `done` when the stream ends. */
export function collectSink(limit: number, what: string, done: (bytes: Buffer) => void | Promise<void>): Writable {
  const parts: Buffer[] = [];
  let size = 0;
  return new Writable({
    write(chunk: Buffer, _enc, cb) {
      size += chunk.length;
      if (size > limit) return cb(new FerryError('FERRY_ERR_TOO_LARGE', `${what} is over ${limit} bytes`));
      parts.push(chunk);
      cb();
    },
    final(cb) {
      Promise.resolve()
        .then(() => done(Buffer.concat(parts)))
        .then(() => cb(), cb);
    },
  });
}

/** Parses a prune list that arrived as JSON. */
export function parsePruneList(bytes: Buffer): string[] {
  let raw: unknown;
  try {
    raw = JSON.parse(bytes.toString('utf8'));
  } catch (err) {
    throw new FerryError('FERRY_ERR_PROTOCOL', `a prune list is not JSON: ${(err as Error).message}`);
  }
  const r = PruneList.safeParse(raw);
  if (!r.success) throw new FerryError('FERRY_ERR_PROTOCOL', `a prune list must be an array of relative paths: ${r.error.issues[0]?.message ?? 'invalid'}`);
  return r.data;
}
