/**
 * @module tools/workloads/services-image — the services workload's image: a minimal Debian with
 * redis-server, lighttpd and dnsmasq (from dnsmasq-base: the binary without Debian's init
 * scripts), lighttpd's configuration (workloads/services-lighttpd.conf), its two static files,
 * workloads/services.sh as the entry and the static `loop` as the heartbeat.
 */
import { chmod, copyFile, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { WORKLOAD_SOURCES, compileStatic } from './busybox-rootfs.ts';
import type { Workload } from './workload-types.ts';
import { debootstrap, localMirror } from './debian-rootfs.ts';
import { imageChanges, type RootfsRecipe } from './rootfs.ts';
import { LARGE_BYTES, LARGE_PATH, SMALL_BODY, SMALL_PATH, WWW_ROOT, largeBody } from './services-spec.ts';

/** The Debian release the image is made of. */
export const SERVICES_SUITE = 'bookworm';
/** The Debian packages of the servers. */
export const SERVICES_PACKAGES: readonly string[] = ['redis-server', 'lighttpd', 'dnsmasq-base'];
/** The image's entry script, in the workload sources. */
export const SERVICES_SCRIPT = path.join(WORKLOAD_SOURCES, 'services.sh');
/** lighttpd's configuration, in the workload sources. */
export const SERVICES_LIGHTTPD_CONF = path.join(WORKLOAD_SOURCES, 'services-lighttpd.conf');
const ENTRY = '/usr/local/bin/services';
const BEAT = '/usr/local/bin/loop';
const CONF = '/etc/lighttpd/ferry.conf';

/** The recipe of the services workload's image. */
export function servicesRecipe(w: Pick<Workload, 'name' | 'image' | 'env'>): RootfsRecipe {
  return {
    name: w.name,
    image: w.image,
    changes: imageChanges({ cmd: [ENTRY], env: w.env, workdir: '/data' }),
    inputFiles: [SERVICES_SCRIPT, SERVICES_LIGHTTPD_CONF, path.join(WORKLOAD_SOURCES, 'loop.c')],
    facts: [SERVICES_SUITE, ...SERVICES_PACKAGES, ENTRY, BEAT, CONF, WWW_ROOT, SMALL_PATH, SMALL_BODY, LARGE_PATH, String(LARGE_BYTES)],
    populate: async (root, ctx) => {
      await debootstrap(root, SERVICES_PACKAGES, { suite: SERVICES_SUITE, mirror: await localMirror(SERVICES_SUITE), log: ctx.log });
      const www = path.join(root, WWW_ROOT);
      await mkdir(www, { recursive: true });
      await writeFile(path.join(www, SMALL_PATH), SMALL_BODY);
      await writeFile(path.join(www, LARGE_PATH), largeBody());
      await mkdir(path.join(root, 'data'), { recursive: true });
      await mkdir(path.dirname(path.join(root, CONF)), { recursive: true });
      await copyFile(SERVICES_LIGHTTPD_CONF, path.join(root, CONF));
      await compileStatic('loop', path.join(root, BEAT));
      await copyFile(SERVICES_SCRIPT, path.join(root, ENTRY));
      await chmod(path.join(root, ENTRY), 0o755);
    },
  };
}
