/**
 * @module adapters/host/thin-restore — `docker start --checkpoint` with CRIU's images left where
 * ferry keeps them. Docker 20.10 imports a checkpoint directory into containerd's content
 * store (tar, digest, write, read, untar) before runc sees it: 23 s for 1.1 GiB here. Thin,
 * Docker's checkpoint directory holds only what runc itself reads (descriptors.json) and the
 * machine's runc CRIU config says `images-dir`, so Docker copies kilobytes (4.1 s measured).
 */
import { copyFile, mkdir, readFile, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Config } from '../../core/config.ts';
import { FerryError } from '../../core/errors.ts';
import type { Engine } from '../docker/engine-port.ts';
import { criuLogCause } from './criu-log.ts';
import { runcCriuConfigOf, withRuncCriuConfig } from './runc-criu-config.ts';
import type { RestoreRequest } from './checkpointer-port.ts';

/** What a thin restore needs: the port's request (the created container, its checkpoint's name, the images) and the engine it runs on. */
export interface ThinRestore extends RestoreRequest {
  engine: Engine;
  config: Config;
  /** Docker's data root (its checkpoint directories are under containers/ID/checkpoints). */
  dataRoot: string;
}

/** Restores a created container from CRIU images in `imagesDir`; Docker manages it afterwards as its own. */
export async function thinRestore(o: ThinRestore): Promise<void> {
  if (/\s/.test(o.imagesDir)) throw new FerryError('FERRY_ERR_CONFIG', `the images directory ${o.imagesDir} holds white space, which CRIU's config file cannot carry; choose agent.imagesDir (or a state directory) without it`);
  const descriptors = path.join(o.imagesDir, 'descriptors.json');
  if (!(await stat(descriptors).then((st) => st.isFile(), () => false))) {
    throw new FerryError('FERRY_ERR_RESTORE', `the checkpoint in ${o.imagesDir} has no descriptors.json (runc writes it with every dump); the dump did not arrive whole`);
  }
  const dockerDir = path.join(o.dataRoot, 'containers', o.containerId, 'checkpoints', o.checkpoint);
  await mkdir(dockerDir, { recursive: true, mode: 0o700 });
  await copyFile(descriptors, path.join(dockerDir, 'descriptors.json'));
  for (const p of [o.logFile, o.lazyWorkDir ?? '']) if (/\s/.test(p)) throw new FerryError('FERRY_ERR_CONFIG', `the path ${p} holds white space, which CRIU's config file cannot carry`);
  // Connections dumped with their state come back established; a dump that closed them must be restored with tcp-close.
  const tcp = o.tcp === 'close' ? 'tcp-close' : 'tcp-established';
  const options = [`images-dir ${o.imagesDir}`, `log-file ${o.logFile}`, tcp, ...(o.lazyWorkDir ? ['lazy-pages', `work-dir ${o.lazyWorkDir}`] : [])];
  await mkdir(path.dirname(o.logFile), { recursive: true, mode: 0o700 });
  try {
    await withRuncCriuConfig(runcCriuConfigOf(o.config), options, () => o.engine.startContainer(o.containerId, o.checkpoint));
  } catch (err) {
    if (err instanceof FerryError && /TIMEOUT|CRIU_CONFIG/.test(err.code)) throw err;
    const cause = criuLogCause(await readFile(o.logFile, 'utf8').catch(() => ''));
    throw new FerryError('FERRY_ERR_RESTORE', `docker start --checkpoint failed: ${(err as Error).message}${cause ? `; CRIU says: ${cause}` : ''} (CRIU restore log ${o.logFile})`, { cause: err });
  }
  await rm(o.logFile, { force: true });
}
