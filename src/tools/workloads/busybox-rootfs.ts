/**
 * @module tools/workloads/busybox-rootfs — the small images: Debian's static busybox (a shell for
 * inspection) plus static C programs from `workloads/`, compiled with the host's gcc. No
 * C library in the image, so nothing to fetch.
 */
import { chmod, copyFile, mkdir, symlink } from 'node:fs/promises';
import path from 'node:path';
import { FerryError } from '../../core/errors.ts';
import { run } from '../../adapters/host/run.ts';
import { imageChanges, type RootfsRecipe } from './rootfs.ts';
import { repoRoot } from '../../core/paths.ts';

/** The workload programs' sources. */
export const WORKLOAD_SOURCES = path.join(repoRoot(), 'workloads');

const BUSYBOX = '/bin/busybox';
const APPLETS = ['sh', 'sleep', 'echo', 'cat', 'mkdir', 'tail', 'ls', 'ps', 'true'];

/** Compiles `workloads/<program>.c` statically into `out`. */
export async function compileStatic(program: string, out: string): Promise<void> {
  const cc = await run('gcc', ['-O2', '-static', '-o', out, path.join(WORKLOAD_SOURCES, `${program}.c`)]);
  if (cc.code !== 0 || cc.failure) {
    throw new FerryError('FERRY_ERR_PREREQUISITE', `cannot compile the ${program} workload (gcc -static): ${(cc.failure ?? cc.stderr).trim()}; gcc and libc6-dev are needed`);
  }
}

/** What a busybox image holds and runs. */
export interface BusyboxImage {
  name: string;
  image: string;
  /** Programs of `workloads/` (without `.c`), installed as /bin/<program>. */
  programs: readonly string[];
  /** The image's CMD. */
  cmd: readonly string[];
  /** The image's ENV, as `NAME=value` entries. */
  env: readonly string[];
}

/** A recipe for busybox plus static programs, with empty /data for the workload's logs. */
export function busyboxRecipe(spec: BusyboxImage): RootfsRecipe {
  return {
    name: spec.name,
    image: spec.image,
    changes: imageChanges(spec),
    inputFiles: [BUSYBOX, ...spec.programs.map((p) => path.join(WORKLOAD_SOURCES, `${p}.c`))],
    facts: ['busybox', ...APPLETS, ...spec.programs],
    populate: async (root) => {
      await mkdir(path.join(root, 'bin'), { recursive: true });
      await mkdir(path.join(root, 'tmp'));
      await chmod(path.join(root, 'tmp'), 0o1777);
      for (const d of ['data', 'proc', 'sys', 'dev', 'etc']) await mkdir(path.join(root, d));
      await copyFile(BUSYBOX, path.join(root, 'bin', 'busybox'));
      for (const a of APPLETS) await symlink('busybox', path.join(root, 'bin', a));
      for (const p of spec.programs) await compileStatic(p, path.join(root, 'bin', p));
    },
  };
}
