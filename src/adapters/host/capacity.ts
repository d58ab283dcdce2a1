/** @module adapters/host/capacity — free memory of the host and free disk under a directory. */
import { readFile, statfs } from 'node:fs/promises';

/** Room on a host for an incoming container. */
export interface Capacity {
  memAvailableBytes: number;
  diskFreeBytes: number;
}

/** Reads MemAvailable from /proc/meminfo and the free space of the file system holding `dir`. */
export async function capacity(dir: string): Promise<Capacity> {
  const meminfo = await readFile('/proc/meminfo', 'utf8');
  const kb = Number(/MemAvailable:\s+(\d+)/.exec(meminfo)?.[1] ?? 0);
  const fs = await statfs(dir);
  return { memAvailableBytes: kb * 1024, diskFreeBytes: Number(fs.bavail) * Number(fs.bsize) };
}

/** What a migration needs on the destination. */
export interface Needs {
  memoryBytes: number;
  diskBytes: number;
}

/** Returns the shortfall message, or undefined when `have` covers `need` plus headroom. */
export function shortfall(need: Needs, have: Capacity, headroom: number): { code: 'FERRY_ERR_INSUFFICIENT_MEMORY' | 'FERRY_ERR_INSUFFICIENT_DISK'; message: string } | undefined {
  const mib = (n: number) => `${(n / 1048576).toFixed(1)} MiB`;
  const memNeed = need.memoryBytes * (1 + headroom);
  if (memNeed > have.memAvailableBytes) {
    return { code: 'FERRY_ERR_INSUFFICIENT_MEMORY', message: `the destination has ${mib(have.memAvailableBytes)} of memory available; the container needs ${mib(memNeed)} with headroom` };
  }
  const diskNeed = need.diskBytes * (1 + headroom);
  if (diskNeed > have.diskFreeBytes) {
    return { code: 'FERRY_ERR_INSUFFICIENT_DISK', message: `the destination has ${mib(have.diskFreeBytes)} of disk free under its Docker data root; the migration needs ${mib(diskNeed)} with headroom` };
  }
  return undefined;
}
