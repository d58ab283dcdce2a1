import { test } from 'node:test';
import assert from 'node:assert/strict';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { RestoreRequest } from '../../adapters/host/checkpointer-port.ts';
import { destinationAbortable } from '../../domain/migration/phases.ts';
import { checkpointName } from './destination-types.ts';
import { destinationBed, BED_IMAGE, KEPT, type DestinationBed } from './destination-bed.ts';

/** Whether a path exists. */
const exists = (p: string) => stat(p).then(() => true, () => false);

/** Preflight, prepare and create of container `app` on a fresh bed; returns the bed and the new container's id. */
async function created(options: { keep?: boolean; tcp?: 'established' | 'close' } = {}): Promise<{ bed: DestinationBed; containerId: string }> {
  const bed = await destinationBed();
  await bed.destination.preflight(await bed.preflightRequest(options.keep));
  await bed.destination.prepare(await bed.prepareRequest(options));
  const { containerId } = await bed.destination.create(bed.id);
  return { bed, containerId };
}

/** Where the bed's Docker would keep the checkpoint of migration `id` of container `containerId`. */
const checkpointDir = (bed: DestinationBed, containerId: string) => path.join(bed.dataRoot, 'containers', containerId, 'checkpoints', checkpointName(bed.id));

test('preflight, prepare, create, data, restore, verify, commit: each phase is written before the next step, the container keeps its address, the restore takes the tcp mode asked', async () => {
  const { bed, containerId } = await created({ keep: true, tcp: 'close' });
  await bed.sendCheckpoint();
  const restored = await bed.destination.restore(bed.id);
  const verified = await bed.destination.verify(bed.id);
  const committed = await bed.destination.commit(bed.id);
  assert.deepEqual(bed.journal, [
    'checkpointer.checkCpuinfo', 'phase:prepared',
    'engine.createVolume', 'engine.createContainer', 'phase:created',
    // `received` is on disk before CRIU runs, so a restart mid-restore aborts what it made.
    'phase:received', 'checkpointer.restore', 'engine.startContainer', 'checkpointer.announce', 'phase:restored',
    'phase:committed', 'engine.deleteCheckpoint',
  ]);
  const inspect = await bed.engine.inspectContainer(containerId);
  assert.deepEqual([inspect.Name, inspect.Config.Image, inspect.Config.Labels?.['app'], inspect.Config.Labels?.['ferry.migration']], ['/app', BED_IMAGE, 'loop', bed.id]);
  const endpoint = inspect.NetworkSettings?.Networks?.[KEPT.network];
  assert.deepEqual([endpoint?.IPAddress, endpoint?.MacAddress], [KEPT.ip, KEPT.mac]);
  assert.equal(inspect.Mounts[0]?.Name, 'data');
  const restore = bed.checkpointer.calls.find((c) => c.method === 'restore')?.args[0] as RestoreRequest;
  assert.deepEqual([restore.containerId, restore.checkpoint, restore.imagesDir, restore.tcp, restore.lazyWorkDir], [containerId, checkpointName(bed.id), path.join(bed.imagesDir, bed.id), 'close', undefined]);
  assert.equal(restored.restoredBy, 'thin');
  assert.deepEqual([verified.running, verified.pid, verified.announce], [true, inspect.State.Pid, `gratuitous ARP for ${KEPT.ip} on eth0`]);
  assert.deepEqual([committed.phase, committed.word], ['committed', 'committed']);
  assert.equal(await exists(path.join(bed.imagesDir, bed.id)), false, 'the images are gone after commit');
  assert.equal((await bed.destination.abort(bed.id, 'too late')).phase, 'committed', 'abort after commit changes nothing');
  await bed.close();
});

test('the restore takes tcp established when nothing else was asked', async () => {
  const { bed } = await created();
  await bed.sendCheckpoint();
  await bed.destination.restore(bed.id);
  assert.equal((bed.checkpointer.calls.find((c) => c.method === 'restore')?.args[0] as RestoreRequest).tcp, 'established');
  assert.equal(bed.checkpointer.methods().includes('announce'), false, 'no kept address, nothing announced');
  await bed.close();
});

test('abort after create writes aborting first, then removes the container, its volume and its checkpoint, and ends aborted', async () => {
  const { bed, containerId } = await created();
  await bed.sendCheckpoint();
  assert.equal(await exists(checkpointDir(bed, containerId)), true);
  const status = await bed.destination.abort(bed.id, 'the source rolled back');
  assert.deepEqual(bed.journal.slice(-4), ['phase:aborting', 'engine.removeContainer', 'engine.removeVolume', 'phase:aborted']);
  assert.deepEqual([status.phase, status.word], ['aborted', 'aborted']);
  assert.equal(await bed.engine.findContainer(containerId), undefined);
  assert.equal(await bed.engine.findVolume('data'), undefined);
  assert.deepEqual([await exists(checkpointDir(bed, containerId)), await exists(path.join(bed.imagesDir, bed.id))], [false, false]);
  assert.deepEqual((await bed.destination.abort(bed.id, 'again')).phase, 'aborted', 'abort is idempotent');
  assert.equal(bed.journal.at(-1), 'phase:aborted');
  await bed.close();
});

test('a restore that fails leaves the destination received (may run) and abortable; abort then removes what was made', async () => {
  const { bed, containerId } = await created();
  await bed.sendCheckpoint();
  bed.checkpointer.failNext('restore');
  await assert.rejects(bed.destination.restore(bed.id), { code: 'FERRY_ERR_RESTORE' });
  // `received`: the source must take it as a copy that may run, and it stays abortable (by the source, or the lease).
  assert.deepEqual([bed.destination.status(bed.id).phase, bed.destination.status(bed.id).word, destinationAbortable('received')], ['received', 'may-run', true]);
  assert.equal((await bed.destination.commit(bed.id)).phase, 'received', 'a copy that never restored is not committed');
  const status = await bed.destination.abort(bed.id, 'the restore failed');
  assert.deepEqual(bed.journal.slice(bed.journal.indexOf('phase:received')), ['phase:received', 'checkpointer.restore', 'phase:aborting', 'engine.removeContainer', 'engine.removeVolume', 'phase:aborted']);
  assert.equal(status.phase, 'aborted');
  assert.equal(await bed.engine.findContainer(containerId), undefined);
  assert.deepEqual([await exists(checkpointDir(bed, containerId)), await exists(path.join(bed.imagesDir, bed.id))], [false, false]);
  await bed.close();
});

test('preflight refuses an address already in use on this host (FERRY_ERR_ADDRESS) and changes nothing', async () => {
  const bed = await destinationBed();
  const holder = await bed.engine.createContainer('other', { Image: BED_IMAGE, HostConfig: { NetworkMode: KEPT.network }, NetworkingConfig: { EndpointsConfig: { [KEPT.network]: { IPAMConfig: { IPv4Address: KEPT.ip } } } } });
  await bed.engine.startContainer(holder);
  const before = await bed.engine.listContainers(true);
  await assert.rejects(bed.destination.preflight(await bed.preflightRequest(true)), (err: Error & { code?: string }) => err.code === 'FERRY_ERR_ADDRESS' && err.message.includes(KEPT.ip) && err.message.includes('other'));
  assert.deepEqual(bed.journal, ['checkpointer.checkCpuinfo'], 'nothing created, no record written');
  assert.deepEqual(await bed.engine.listContainers(true), before);
  assert.equal(bed.records.get(bed.id, 'destination'), undefined);
  assert.equal(bed.destination.status(bed.id).phase, null);
  await bed.close();
});
