import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isCode } from '../../../test/support/errors.ts';
import { engineConformance } from './engine.conformance.ts';
import { FakeEngine } from './fake-engine.ts';

engineConformance('Engine conformance: FakeEngine', () => Promise.resolve({ engine: new FakeEngine({ images: ['ferry/loop:1'] }), image: 'ferry/loop:1', cleanup: () => Promise.resolve() }));

// What needs CRIU on a real engine (checkpoints that hold something) is the fake's own promise, checked here.
test('a checkpoint with exit stops the container, and a start from it runs it again; a missing one is FERRY_ERR_RESTORE', async () => {
  const engine = new FakeEngine({ images: ['ferry/loop:1'] });
  const id = await engine.createContainer('c1', { Image: 'ferry/loop:1' });
  await engine.startContainer(id);
  await engine.pause(id);
  await engine.createCheckpoint(id, 'cp1', false);
  assert.equal((await engine.inspectContainer(id)).State.Status, 'paused', 'exit: false leaves it as it was');
  await assert.rejects(engine.createCheckpoint(id, 'cp1', false), isCode('FERRY_ERR_CHECKPOINT', /already exists/));
  await engine.unpause(id);
  await engine.createCheckpoint(id, 'cp2', true);
  assert.equal((await engine.inspectContainer(id)).State.Status, 'exited');
  await assert.rejects(engine.startContainer(id, 'cp9'), isCode('FERRY_ERR_RESTORE', /cp9/));
  await engine.startContainer(id, 'cp2');
  assert.equal((await engine.inspectContainer(id)).State.Status, 'running');
  await engine.deleteCheckpoint(id, 'cp1');
  await assert.rejects(engine.deleteCheckpoint(id, 'cp1'), isCode('FERRY_ERR_CHECKPOINT'));
});

test('an image exported by one fake engine loads into another, with its id and tag', async () => {
  const source = new FakeEngine({ images: ['ferry/loop:1'] });
  const destination = new FakeEngine();
  assert.equal(await destination.findImage('ferry/loop:1'), undefined);
  await destination.loadImage(await source.exportImage('ferry/loop:1'));
  assert.deepEqual(await destination.findImage('ferry/loop:1'), await source.findImage('ferry/loop:1'));
});

test('a kept address and MAC from a create body are the container\'s on its network', async () => {
  const engine = new FakeEngine({ images: ['ferry/loop:1'] });
  await engine.createNetwork({ Name: 'ferry', Driver: 'macvlan', IPAM: { Config: [{ Subnet: '10.9.0.0/24', Gateway: '10.9.0.1', IPRange: '10.9.0.64/26' }] } });
  const id = await engine.createContainer('kept', {
    Image: 'ferry/loop:1', MacAddress: '02:42:0a:09:00:05', HostConfig: { NetworkMode: 'ferry' },
    NetworkingConfig: { EndpointsConfig: { ferry: { IPAMConfig: { IPv4Address: '10.9.0.5' } } } },
  });
  await engine.startContainer(id);
  assert.deepEqual((await engine.findNetwork('ferry'))?.Containers?.[id], { Name: 'kept', MacAddress: '02:42:0a:09:00:05', IPv4Address: '10.9.0.5/24' });
  const picked = await engine.createContainer('picked', { Image: 'ferry/loop:1', HostConfig: { NetworkMode: 'ferry' } });
  await engine.startContainer(picked);
  assert.equal((await engine.inspectContainer(picked)).NetworkSettings?.Networks?.['ferry']?.IPAddress, '10.9.0.64', 'the lowest free address of the range');
});
