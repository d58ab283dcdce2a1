/**
 * @module tools/bench/baselines/podman — the `podman` baseline: the same workload run by podman on
 * the source host, `podman container checkpoint --export` (zstd), the archive rsynced over the
 * test-bed network, `podman container restore --import` on the destination. Each host's podman
 * has storage of its own (podman-cli.ts); the image comes from the source's dockerd, loaded
 * into both before the clock starts.
 *
 * @example
 *   const r = await runPodman({ cluster, from: 'h1', to: 'h2', image: 'ferry/counter:2',
 *     name: 'bl-counter', env: ['BALLAST_MIB=32'], heartbeatPath: '/data/counter.log', warmupMs: 2000 });
 */
import { createWriteStream } from 'node:fs';
import { access, mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { FerryError } from '../../../core/errors.ts';
import type { DockerEngine } from '../../../adapters/docker/engine.ts';
import { unmountUnder } from '../../testbed/index.ts';
import { readHeartbeat } from './heartbeat.ts';
import { baselineHosts, subnetCidr, type BaselineHost } from './hosts.ts';
import { txBytes } from './netns.ts';
import { PhaseClock } from './phase-clock.ts';
import { containersConf, parseLoadedImage, Podman, runArgs } from './podman-cli.ts';
import { rsyncPush, startRsyncDaemon } from './rsync-daemon.ts';
import { withTeardown, type Teardown } from './teardown.ts';
import { HEARTBEAT_SETTLE_MS, type BaselineInput, type BaselineResult } from './types.ts';

export { podmanVersion } from './podman-cli.ts';

/** Label on the podman workload. */
export const PODMAN_LABEL = { 'ferry.bench': 'podman' } as const;

/** Runs the workload under podman on `from`, moves it to `to` by checkpoint export, rsync and import, and removes everything again. */
export async function runPodman(input: BaselineInput): Promise<BaselineResult> {
  const { src, dst } = baselineHosts(input);
  return withTeardown((teardown) => migrateOnce(input, src, dst, teardown));
}

async function migrateOnce(input: BaselineInput, src: BaselineHost, dst: BaselineHost, teardown: Teardown): Promise<BaselineResult> {
  const from = await openStorage(src, teardown);
  const to = await openStorage(dst, teardown);
  const image = await loadImage(src.engine, input.image, from, to);
  await from.run(runArgs({ name: input.name, image, env: input.env, labels: PODMAN_LABEL }));
  await sleep(input.warmupMs);

  const archive = `${input.name}.tar.zst`;
  const daemon = await startRsyncDaemon(dst.plan, { workDir: path.join(to.paths.base, 'rsyncd'), moduleDir: to.paths.xferDir }, subnetCidr(input.cluster));
  teardown.add(`rsync daemon ${daemon.pid}`, () => daemon.stop());

  const clock = new PhaseClock();
  const sentBefore = await txBytes(src.plan.netns, src.plan.ifname);
  const start = clock.mark();
  const exported = path.join(from.paths.xferDir, archive);
  await clock.time('checkpoint', () => from.run(['container', 'checkpoint', `--export=${exported}`, '--compress', 'zstd', input.name], 'FERRY_ERR_CHECKPOINT'));
  await clock.time('copy', () => rsyncPush(src.plan.netnsPath, exported, daemon.url(archive)));
  await clock.time('restore', () => to.run(['container', 'restore', `--import=${path.join(to.paths.xferDir, archive)}`], 'FERRY_ERR_RESTORE'));
  const totalMs = clock.since(start);
  const wireBytes = (await txBytes(src.plan.netns, src.plan.ifname)) - sentBefore;

  await sleep(HEARTBEAT_SETTLE_MS);
  const heartbeat = await readPodmanHeartbeat(to, input.name, input.heartbeatPath);
  return { totalMs, frozenMs: totalMs, wireBytes, phases: clock.phases, heartbeat: heartbeat.text, ...(heartbeat.problem ? { problem: heartbeat.problem } : {}) };
}

/** Makes a host's podman storage (sweeping what a crashed run left) and registers its removal. */
async function openStorage(side: BaselineHost, teardown: Teardown): Promise<Podman> {
  const podman = await Podman.of(side.plan);
  const p = podman.paths;
  await removeStorage(podman);
  teardown.add(`podman storage of ${side.host.name} (${p.base}, ${p.runroot})`, () => removeStorage(podman));
  for (const dir of [p.root, p.runroot, p.tmpDir, p.networkDir, p.xferDir]) await mkdir(dir, { recursive: true, mode: 0o700 });
  await writeFile(p.confFile, containersConf(p));
  return podman;
}

/** Removes a host's podman containers (killed at once), mounts and directories; nothing there is not ours. */
async function removeStorage(podman: Podman): Promise<void> {
  const p = podman.paths;
  if (!(await exists(p.confFile))) return;
  await podman.try(['rm', '--all', '--force', '--time', '0']);
  await unmountUnder([p.base, p.runroot]);
  await rm(p.base, { recursive: true, force: true });
  await rm(p.runroot, { recursive: true, force: true });
}

const exists = (file: string): Promise<boolean> => access(file).then(() => true, () => false);

/** Loads the source dockerd's image into both podmans (before the clock); returns the name podman gave it. */
async function loadImage(engine: DockerEngine, ref: string, ...podmans: Podman[]): Promise<string> {
  if (!(await engine.findImage(ref))) throw new FerryError('FERRY_ERR_DOCKER', `image ${ref} is not on the source host (${engine.socketPath})`);
  const first = podmans[0] as Podman;
  const tar = path.join(first.paths.base, 'image.tar');
  await pipeline(await engine.exportImage(ref), createWriteStream(tar, { mode: 0o600 }));
  let name = '';
  for (const podman of podmans) name = parseLoadedImage(await podman.run(['load', '--input', tar]));
  await rm(tar, { force: true });
  return name;
}

/** The heartbeat log through the restored container's mounted root file system. */
async function readPodmanHeartbeat(podman: Podman, name: string, inside: string): Promise<{ text: string; problem?: string }> {
  const rootfs = (await podman.run(['mount', name])).trim();
  try {
    return await readHeartbeat(rootfs, inside);
  } finally {
    await podman.try(['unmount', name]);
  }
}
