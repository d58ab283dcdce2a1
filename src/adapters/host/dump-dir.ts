/**
 * @module adapters/host/dump-dir — where the source's CRIU dump goes: a directory on tmpfs when it
 * has room for the container's memory twice over plus 1 GiB (CRIU writes a GiB there in about
 * half the time it takes on this machine's disk, and the final round reads it straight back),
 * else Docker's checkpoint directory on disk. One root per agent (agents of a test bed share
 * the machine's /dev/shm), one subdirectory per migration, removed when the migration ends;
 * what an agent that died left behind is removed when it starts.
 */
import { createHash } from 'node:crypto';
import { mkdir, readdir, rm, statfs } from 'node:fs/promises';
import path from 'node:path';

/** Room left on tmpfs beyond twice the memory, in bytes. */
const SPARE = 1 << 30;

/** This agent's dump root under the configured tmpfs directory ('' when tmpfs dumps are off). */
export function dumpRoot(tmpfsDir: string, stateDir: string): string {
  return tmpfsDir ? path.join(tmpfsDir, createHash('sha256').update(stateDir).digest('hex').slice(0, 12)) : '';
}

/** True when a file system with `freeBytes` free takes a dump of `memoryBytes` (pure). */
export function tmpfsFits(freeBytes: number, memoryBytes: number): boolean {
  return freeBytes >= memoryBytes * 2 + SPARE;
}

/** The directory for one migration's dump: on tmpfs when it fits, else `fallback`. Made with mode 0700. */
export async function chooseDumpDir(root: string, id: string, memoryBytes: number, fallback: string): Promise<string> {
  if (root) {
    await mkdir(root, { recursive: true, mode: 0o700 });
    const fs = await statfs(root).catch(() => undefined);
    if (fs && fs.type === 0x01021994 /* TMPFS_MAGIC */ && tmpfsFits(fs.bavail * fs.bsize, memoryBytes)) {
      const dir = path.join(root, id);
      await mkdir(dir, { recursive: true, mode: 0o700 });
      return dir;
    }
  }
  return fallback;
}

/** Removes the dumps under `root` of migrations not in `keep`. */
export async function removeStaleDumps(root: string, keep: ReadonlySet<string>): Promise<string[]> {
  if (!root) return [];
  const gone: string[] = [];
  for (const name of await readdir(root).catch(() => [] as string[])) {
    if (keep.has(name)) continue;
    await rm(path.join(root, name), { recursive: true, force: true });
    gone.push(name);
  }
  return gone;
}
