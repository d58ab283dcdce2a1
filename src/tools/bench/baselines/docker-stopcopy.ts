/**
 * @module tools/bench/baselines/docker-stopcopy — `baseline-stopcopy`, the naive path P.Haul's patent
 * starts from: `docker checkpoint create` through the Engine API (dumps and stops the
 * container), rsync of the checkpoint and the writable layer over the test-bed network, a
 * container of the same configuration created on the destination, the files put in place,
 * and `docker start --checkpoint`. Everything from the checkpoint on is frozen time.
 *
 * @example
 *   const r = await runDockerStopCopy({ cluster, from: 'h1', to: 'h2', image: 'ferry/counter:2',
 *     name: 'bl-counter', env: ['BALLAST_MIB=32'], heartbeatPath: '/data/counter.log', warmupMs: 2000 });
 */
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { FerryError } from '../../../core/errors.ts';
import { containerSpec } from '../../../adapters/docker/container-spec.ts';
import type { DockerEngine } from '../../../adapters/docker/engine.ts';
import { measureNeeds } from '../../../services/migration/needs.ts';
import { readHeartbeat } from './heartbeat.ts';
import { assertNameFree, baselineHosts, subnetCidr, type BaselineHost } from './hosts.ts';
import { moveInto } from './move-into.ts';
import { txBytes } from './netns.ts';
import { PhaseClock } from './phase-clock.ts';
import { rsyncPush, startRsyncDaemon } from './rsync-daemon.ts';
import { joinProblems, withTeardown, type Teardown } from './teardown.ts';
import { HEARTBEAT_SETTLE_MS, type BaselineInput, type BaselineResult } from './types.ts';

/** The checkpoint's name on both hosts. */
export const STOPCOPY_CHECKPOINT = 'ferry-baseline';
/** Label on every container this baseline creates. */
export const STOPCOPY_LABEL = { 'ferry.bench': 'baseline-stopcopy' } as const;

/** Runs the workload on `from`, moves it to `to` by checkpoint, rsync and restore, and removes everything again. */
export async function runDockerStopCopy(input: BaselineInput): Promise<BaselineResult> {
  const { src, dst } = baselineHosts(input);
  await assertNameFree(input.name, src.engine, dst.engine);
  return withTeardown((teardown) => migrateOnce(input, src, dst, teardown));
}

async function migrateOnce(input: BaselineInput, src: BaselineHost, dst: BaselineHost, teardown: Teardown): Promise<BaselineResult> {
  await ensureImage(src.engine, dst.engine, input.image);
  const id = await startWorkload(src.engine, input, teardown);
  await sleep(input.warmupMs);
  const inspect = await src.engine.inspectContainer(id);
  const spec = containerSpec(inspect, { allowBind: false });
  const needs = await measureNeeds(inspect, spec);

  const work = path.join(dst.plan.dir, `baseline-stopcopy-${input.name}`);
  teardown.add(`work dir ${work}`, () => rm(work, { recursive: true, force: true }));
  const stage = path.join(work, 'stage');
  const daemon = await startRsyncDaemon(dst.plan, { workDir: work, moduleDir: stage }, subnetCidr(input.cluster));
  teardown.add(`rsync daemon ${daemon.pid}`, () => daemon.stop());

  const clock = new PhaseClock();
  const sentBefore = await txBytes(src.plan.netns, src.plan.ifname);
  const start = clock.mark();
  await clock.time('checkpoint', () => src.engine.createCheckpoint(id, STOPCOPY_CHECKPOINT, true));
  await clock.time('copy', async () => {
    await rsyncPush(src.plan.netnsPath, `${checkpointDir(src, id)}/`, daemon.url('checkpoint/'));
    await rsyncPush(src.plan.netnsPath, `${spec.upperDir}/`, daemon.url('upper/'));
  });
  const newId = await clock.time('create', async () => {
    const created = await dst.engine.createContainer(input.name, spec.createBody);
    teardown.add(`container ${input.name} on ${dst.host.name}`, () => dst.engine.removeContainer(created));
    const upper = (await dst.engine.inspectContainer(created)).GraphDriver.Data['UpperDir'];
    if (!upper) throw new FerryError('FERRY_ERR_DOCKER', `the new container on ${dst.host.name} has no overlay upper directory`);
    await moveInto(path.join(stage, 'checkpoint'), checkpointDir(dst, created));
    await moveInto(path.join(stage, 'upper'), upper);
    return created;
  });
  await clock.time('restore', () => dst.engine.startContainer(newId, STOPCOPY_CHECKPOINT));
  const totalMs = clock.since(start);
  const wireBytes = (await txBytes(src.plan.netns, src.plan.ifname)) - sentBefore;

  await sleep(HEARTBEAT_SETTLE_MS);
  const restored = await dst.engine.inspectContainer(newId);
  const heartbeat = await readHeartbeat(restored.GraphDriver.Data['MergedDir'] ?? '', input.heartbeatPath);
  const notRunning = restored.State.Running ? undefined : `the restored container is ${restored.State.Status} on ${dst.host.name}`;
  const problem = joinProblems(notRunning, heartbeat.problem);
  return {
    totalMs, frozenMs: totalMs, wireBytes, phases: clock.phases, heartbeat: heartbeat.text,
    footprintBytes: needs.memoryBytes + (inspect.SizeRw ?? 0),
    ...(problem ? { problem } : {}),
  };
}

/** Docker's own directory for a checkpoint of a container on a host. */
function checkpointDir(side: BaselineHost, containerId: string): string {
  return path.join(side.host.dataRoot, 'containers', containerId, 'checkpoints', STOPCOPY_CHECKPOINT);
}

/** Copies the image from source to destination (`docker save` into `docker load`) when the destination lacks it. */
export async function ensureImage(src: DockerEngine, dst: DockerEngine, ref: string): Promise<void> {
  if (await dst.findImage(ref)) return;
  if (!(await src.findImage(ref))) throw new FerryError('FERRY_ERR_DOCKER', `image ${ref} is not on the source host (${src.socketPath})`);
  await dst.loadImage(await src.exportImage(ref));
}

/** Creates and starts the workload on the source; its removal is registered first, so it goes last. */
async function startWorkload(engine: DockerEngine, input: BaselineInput, teardown: Teardown): Promise<string> {
  const id = await engine.createContainer(input.name, { Image: input.image, Env: input.env, Labels: { ...STOPCOPY_LABEL } });
  teardown.add(`container ${input.name} on the source`, () => engine.removeContainer(id));
  await engine.startContainer(id);
  return id;
}
