/**
 * @module tools/workloads/catalog — the benchmark workloads (PF-Docker's Table 1: loop, stream,
 * multi-threaded compile; the demo's counter; and load, a known CPU and memory demand for the
 * scheduler): what each runs, its image, its heartbeat
 * log and how to parse it, its default environment; and the one call that puts a workload's
 * image on a host's engine, built locally without a registry.
 *
 * @example
 *   const stream = workloadSpec('stream');
 *   await ensureWorkloadImage(engine, 'stream');
 *   await engine.createContainer('s', { Image: stream.image, Env: [...stream.env, 'DIRTY_MBPS=50'] });
 */
import type { DockerEngine } from '../../adapters/docker/engine.ts';
import type { LocalImages } from '../../apps/agent/node-containers.ts';
import { busyboxRecipe } from './busybox-rootfs.ts';
import { compileRecipe } from './compile-image.ts';
import { parseBeats } from './heartbeat.ts';
import { parseLoadBeats } from './load-log.ts';
import { ensureImage, type ImageBuildOptions, type ImageSource, type RootfsRecipe } from './rootfs.ts';
import { servicesRecipe } from './services-image.ts';
import { parseStreamBeats } from './stream-log.ts';
import type { Workload, WorkloadName } from './workload-types.ts';

/** The demo's counter image. */
export const COUNTER_IMAGE = 'ferry/counter:2';
/** The stream workload's image. */
export const STREAM_IMAGE = 'ferry/stream:1';
/** The loop workload's image. */
export const LOOP_IMAGE = 'ferry/loop:1';
/** The compile workload's image. */
export const COMPILE_IMAGE = 'ferry/compile:1';
/** The load workload's image. */
export const LOAD_IMAGE = 'ferry/load:1';
/** The socket workload's image. */
export const SOCKETS_IMAGE = 'ferry/sockets:1';
/** The services workload's image (redis, lighttpd, dnsmasq). */
export const SERVICES_IMAGE = 'ferry/services:1';

/** Every workload, by name. */
export const WORKLOADS: Readonly<Record<WorkloadName, Readonly<Workload>>> = Object.freeze({
  counter: {
    name: 'counter', image: COUNTER_IMAGE, heartbeatPath: '/data/counter.log', beatsPerSecond: 10, parse: parseBeats, env: [],
    what: 'the demo counter: a count in memory, and BALLAST_MIB MiB of resident memory written once',
  },
  stream: {
    name: 'stream', image: STREAM_IMAGE, heartbeatPath: '/data/heartbeat.log', beatsPerSecond: 20, parse: parseStreamBeats,
    env: ['STREAM_MIB=256', 'DIRTY_MBPS=20'], verifyPath: '/data/verify.log',
    what: 'write-intensive: STREAM_MIB MiB of random pages, rewritten at DIRTY_MBPS MB/s, checksummed',
  },
  loop: {
    name: 'loop', image: LOOP_IMAGE, heartbeatPath: '/data/heartbeat.log', beatsPerSecond: 20, parse: parseBeats, env: [],
    what: 'low write load: an endless print loop',
  },
  compile: {
    name: 'compile', image: COMPILE_IMAGE, heartbeatPath: '/data/heartbeat.log', beatsPerSecond: 20, parse: parseBeats, env: ['JOBS=2'],
    what: 'parallel and write-intensive: make -jJOBS of zstd, cleaned and rebuilt forever',
  },
  load: {
    name: 'load', image: LOAD_IMAGE, heartbeatPath: '/data/load.log', beatsPerSecond: 1, parse: parseLoadBeats,
    env: ['CPU_MILLIS=200', 'MEM_MIB=64', 'DIRTY_MBPS=0'],
    what: 'a known demand: CPU_MILLIS millicores (or a PROFILE over time), MEM_MIB MiB resident, DIRTY_MBPS MB/s rewritten; logs want and got each second (parseLoadLog)',
  },
  sockets: {
    name: 'sockets', image: SOCKETS_IMAGE, heartbeatPath: '/data/heartbeat.log', beatsPerSecond: 10, parse: parseBeats,
    env: ['PORT=7000', 'UDP_PORT=7001', 'MEM_MIB=16'],
    what: 'a server holding a TCP listener (PORT), a UDP socket (UDP_PORT), a unix socket pair with a queued message and MEM_MIB MiB of memory; answers "check" over TCP with what survived',
  },
  services: {
    name: 'services', image: SERVICES_IMAGE, heartbeatPath: '/data/heartbeat.log', beatsPerSecond: 20, parse: parseBeats, env: [],
    what: 'real Debian servers for outside clients: redis-server on 6379, lighttpd on 80 (static files, keep-alive), dnsmasq on UDP 53 (services-spec.ts)',
  },
});

/** One workload's description. */
export function workloadSpec(name: WorkloadName): Readonly<Workload> {
  return WORKLOADS[name];
}

/** A static program of workloads/ on busybox, run as the image's command. */
function staticProgram(w: Readonly<Workload>): RootfsRecipe {
  return busyboxRecipe({ name: w.name, image: w.image, programs: [w.name], cmd: [`/bin/${w.name}`], env: w.env });
}

const RECIPES: Readonly<Record<WorkloadName, () => RootfsRecipe>> = {
  counter: () => staticProgram(WORKLOADS.counter),
  stream: () => staticProgram(WORKLOADS.stream),
  loop: () => staticProgram(WORKLOADS.loop),
  compile: () => compileRecipe(WORKLOADS.compile),
  load: () => staticProgram(WORKLOADS.load),
  sockets: () => staticProgram(WORKLOADS.sockets),
  services: () => servicesRecipe(WORKLOADS.services),
};

/** Builds (or takes from the cache) and imports a workload's image unless the engine has it. */
export function ensureWorkloadImage(engine: DockerEngine, name: WorkloadName, options: ImageBuildOptions = {}): Promise<ImageSource> {
  return ensureImage(engine, RECIPES[name](), options);
}

/** Puts a ferry workload's image on an engine (built locally, never pulled); false for any other image. */
export async function ensureWorkloadByImage(engine: DockerEngine, image: string): Promise<boolean> {
  const workload = Object.values(WORKLOADS).find((w) => w.image === image);
  if (!workload) return false;
  await ensureWorkloadImage(engine, workload.name);
  return true;
}

/** The workload images as an agent's local images: built on the node when a deploy names one (the agent's composition root hands them in). */
export const WORKLOAD_LOCAL_IMAGES: LocalImages = {
  images: Object.values(WORKLOADS).map((w) => w.image),
  ensure: ensureWorkloadByImage,
};
