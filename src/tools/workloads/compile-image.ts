/**
 * @module tools/workloads/compile-image — the compile workload's image: a minimal Debian with gcc
 * and make, the upstream sources of zstd (Debian's libzstd source package: real, self-contained
 * C with a plain Makefile; `make -j2 zstd-release` takes 13-19 s on two cores), workloads/compile.sh as
 * the entry, and the static `loop` as its separate heartbeat process.
 */
import { chmod, copyFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { WORKLOAD_SOURCES, compileStatic } from './busybox-rootfs.ts';
import type { Workload } from './workload-types.ts';
import { debootstrap, fetchUpstreamSource, localMirror } from './debian-rootfs.ts';
import { imageChanges, type RootfsRecipe } from './rootfs.ts';

/** The Debian release the image is made of. */
export const COMPILE_SUITE = 'bookworm';
/** The packages of the tool chain. */
const TOOLCHAIN = ['gcc', 'make', 'libc6-dev'];
/** The source package whose upstream code is built. */
const CODE_BASE = 'libzstd';
/** Where the code base lives in the image (workloads/compile.sh builds there). */
const SOURCE_DIR = '/src/workload';
const ENTRY = '/usr/local/bin/compile-loop';
const BEAT = '/usr/local/bin/loop';

/** The recipe of the compile workload's image. */
export function compileRecipe(w: Pick<Workload, 'name' | 'image' | 'env'>): RootfsRecipe {
  return {
    name: w.name,
    image: w.image,
    changes: imageChanges({ cmd: [ENTRY], env: w.env, workdir: SOURCE_DIR }),
    inputFiles: [path.join(WORKLOAD_SOURCES, 'compile.sh'), path.join(WORKLOAD_SOURCES, 'loop.c')],
    facts: [COMPILE_SUITE, ...TOOLCHAIN, CODE_BASE, SOURCE_DIR, ENTRY, BEAT],
    populate: async (root, ctx) => {
      const from = { suite: COMPILE_SUITE, mirror: await localMirror(COMPILE_SUITE), log: ctx.log };
      await debootstrap(root, TOOLCHAIN, from);
      await fetchUpstreamSource(CODE_BASE, path.join(root, SOURCE_DIR), ctx.scratch, from);
      await mkdir(path.join(root, 'data'), { recursive: true });
      await compileStatic('loop', path.join(root, BEAT));
      await copyFile(path.join(WORKLOAD_SOURCES, 'compile.sh'), path.join(root, ENTRY));
      await chmod(path.join(root, ENTRY), 0o755);
    },
  };
}
