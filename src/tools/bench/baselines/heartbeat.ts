/** @module tools/bench/baselines/heartbeat — reads a workload's heartbeat log through the root file system of its container. */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { FerryError } from '../../../core/errors.ts';

/** The host path of `inside` (an absolute path in the container) under the container's root `rootfs`. */
export function pathInRootfs(rootfs: string, inside: string): string {
  if (!path.posix.isAbsolute(inside) || inside.split('/').includes('..') || inside.includes('\0')) {
    throw new FerryError('FERRY_ERR_INVALID_INPUT', `heartbeatPath ${JSON.stringify(inside)} must be an absolute path inside the container`);
  }
  return path.join(rootfs, path.posix.normalize(inside));
}

/** The heartbeat log's text, or '' with the reason when it cannot be read. */
export async function readHeartbeat(rootfs: string, inside: string): Promise<{ text: string; problem?: string }> {
  const file = pathInRootfs(rootfs, inside);
  try {
    const text = await readFile(file, 'utf8');
    return text.trim() === '' ? { text, problem: `the heartbeat log ${inside} is empty on the destination` } : { text };
  } catch (err) {
    return { text: '', problem: `cannot read the heartbeat log ${inside} on the destination (${file}): ${(err as Error).message}` };
  }
}
