/**
 * @module migration/thin-restore — `docker start --checkpoint` with CRIU's images left where
 * ferry keeps them. Docker 20.10 imports a checkpoint directory into containerd's content
 * store (tar, digest, write, read, untar) before runc sees it: 23 s for 1.1 GiB here. Thin,
 * Docker's checkpoint directory holds only what runc itself reads (descriptors.json) and the
 * machine's runc CRIU config says `images-dir`, so Docker copies kilobytes (4.1 s measured).
 */
import { copyFile, mkdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Config } from '../core/config.ts';
import { FerryError } from '../core/errors.ts';
import type { DockerEngine } from '../docker/engine.ts';
import { runcCriuConfigOf, withRuncCriuConfig } from '../host/runc-criu-config.ts';

/** What a thin restore needs: the created container, its checkpoint's name, and the images. */
export interface ThinRestore {
  engine: DockerEngine;
  config: Config;
  /** Docker's data root (its checkpoint directories are under containers/ID/checkpoints). */
  dataRoot: string;
  containerId: string;
  checkpoint: string;
  /** The directory holding CRIU's images (and runc's descriptors.json). */
  imagesDir: string;
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
  await withRuncCriuConfig(runcCriuConfigOf(o.config), [`images-dir ${o.imagesDir}`], () => o.engine.startContainer(o.containerId, o.checkpoint));
}
