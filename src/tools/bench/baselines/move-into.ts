/**
 * @module tools/bench/baselines/move-into — puts what rsync staged on the destination into the
 * directories Docker made for the new container: a rename per entry (keeps overlay xattrs and
 * whiteouts as they are), or a local `rsync -aHAX` when the two are on different file systems.
 */
import { mkdir, readdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { FerryError } from '../../../core/errors.ts';
import { runOrThrow } from '../../../adapters/host/run.ts';
import { RSYNC_FLAGS } from './rsync-daemon.ts';

/** Moves every entry of `from` into `to` (created if missing), replacing entries of the same name; `from` is left empty. */
export async function moveInto(from: string, to: string): Promise<void> {
  try {
    await moveEntries(from, to);
  } catch (err) {
    if (err instanceof FerryError) throw err;
    throw new FerryError('FERRY_ERR_TRANSFER_IO', `cannot move ${from} into ${to}: ${(err as Error).message}`, { cause: err });
  }
}

async function moveEntries(from: string, to: string): Promise<void> {
  await mkdir(to, { recursive: true });
  for (const entry of await readdir(from)) {
    const target = path.join(to, entry);
    await rm(target, { recursive: true, force: true });
    try {
      await rename(path.join(from, entry), target);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EXDEV') throw err;
      await copyAcross(from, to);
      return;
    }
  }
}

/** A local copy that keeps hard links, ACLs, xattrs, devices and owners, for moves across file systems. */
async function copyAcross(from: string, to: string): Promise<void> {
  await runOrThrow('FERRY_ERR_TRANSFER_IO', 'rsync', [...RSYNC_FLAGS, `${from}/`, `${to}/`], `check the disk under ${to}`, { timeoutMs: 30 * 60_000 });
  await rm(from, { recursive: true, force: true });
  await mkdir(from);
}
