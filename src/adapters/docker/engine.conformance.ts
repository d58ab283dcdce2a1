/**
 * @module adapters/docker/engine.conformance — the one conformance suite of `Engine`: what product code
 * relies on of a Docker engine, checked the same way against `FakeEngine` (unit test beside
 * it) and `DockerEngine` on a real dockerd (test/integration/docker-engine.test.ts), so the
 * fake cannot drift from the real thing. Nothing here needs CRIU: checkpoints are checked only
 * where the engine refuses before CRIU runs.
 *
 * @example
 *   engineConformance('FakeEngine', async () => ({ engine: new FakeEngine({ images: ['x:1'] }), image: 'x:1', cleanup: async () => {} }));
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { codeOf, isCode } from '../../../test/support/errors.ts';
import type { Engine } from './engine-port.ts';

/** One implementation under test: an engine that holds `image` and can create networks (as the test bed does). */
export interface EngineUnderTest {
  engine: Engine & { createNetwork(body: Record<string, unknown>): Promise<string> };
  /** An image the engine holds whose command keeps running. */
  image: string;
  /** Releases what `make` set up (the suite removes its own containers and volumes first). */
  cleanup(): Promise<void>;
}

/** A subnet of the suite's own network: on a real engine it lives in the test bed host's namespace. */
const SUBNET = '172.30.239';

/** Registers the suite under `title`. */
export function engineConformance(title: string, make: () => Promise<EngineUnderTest>, options: { timeoutMs?: number } = {}): void {
  const opts = { timeout: options.timeoutMs ?? 60_000 };
  let t: EngineUnderTest;
  let e: EngineUnderTest['engine'];
  const created = new Set<string>();
  const volumes = new Set<string>();

  /** Creates a suite container (removed at the end) from the image, with labels and extra body fields. */
  async function create(name: string, extra: Record<string, unknown> = {}): Promise<string> {
    const id = await e.createContainer(name, { Image: t.image, Labels: { 'ferry.conformance': 'yes' }, HostConfig: { NetworkMode: 'bridge' }, ...extra });
    created.add(id);
    return id;
  }

  describe(title, () => {
    before(async () => {
      t = await make();
      e = t.engine;
    }, opts);
    after(async () => {
      for (const id of created) await e?.removeContainer(id, { volumes: true });
      for (const v of volumes) await e?.removeVolume(v);
      await t?.cleanup();
    }, opts);

    it('answers ping and tells its data root', opts, async () => {
      assert.equal(await e.ping(), true);
      const info = await e.info();
      assert.match(info.DockerRootDir, /^\//);
      assert.ok(info.ServerVersion.length > 0);
      assert.equal(typeof e.socketPath, 'string');
    });

    it('finds an image by reference and by id, and no image by an unknown reference', opts, async () => {
      const byRef = await e.findImage(t.image);
      assert.ok(byRef, `the engine holds ${t.image}`);
      assert.match(byRef.Id, /^sha256:[0-9a-f]{64}$/);
      assert.ok(byRef.RepoTags?.includes(t.image));
      assert.equal((await e.findImage(byRef.Id))?.Id, byRef.Id);
      assert.equal(await e.findImage('ferry/conformance-absent:1'), undefined);
    });

    it('takes a container through created, running, paused, running, exited and removed', opts, async () => {
      const id = await create('conf-life');
      const state = async () => (await e.inspectContainer(id)).State;
      const listed = async (all: boolean) => (await e.listContainers(all)).find((c) => c.Id === id)?.State;
      assert.deepEqual(await state().then((s) => [s.Status, s.Running, s.Paused, s.Pid]), ['created', false, false, 0]);
      assert.equal(await listed(false), undefined, 'a created container is not in the default list');
      assert.equal(await listed(true), 'created');
      await e.startContainer(id);
      const running = await state();
      assert.deepEqual([running.Status, running.Running, running.Paused], ['running', true, false]);
      assert.ok(running.Pid > 0);
      assert.notEqual(running.StartedAt, '0001-01-01T00:00:00Z');
      assert.equal(await listed(false), 'running');
      await e.pause(id);
      assert.deepEqual(await state().then((s) => [s.Status, s.Running, s.Paused]), ['paused', true, true]);
      assert.equal(await listed(false), 'paused', 'a paused container is in the default list');
      await e.unpause(id);
      assert.deepEqual(await state().then((s) => [s.Status, s.Running, s.Paused]), ['running', true, false]);
      await e.stopContainer(id, 1);
      assert.deepEqual(await state().then((s) => [s.Status, s.Running, s.Pid]), ['exited', false, 0]);
      assert.equal(await listed(false), undefined);
      assert.equal(await listed(true), 'exited');
      await e.startContainer(id);
      assert.equal((await state()).Status, 'running', 'an exited container starts again');
      await e.removeContainer(id);
      assert.equal(await e.findContainer(id), undefined);
      assert.equal(await listed(true), undefined);
    });

    it('inspects a container by name, id and id prefix alike', opts, async () => {
      const id = await create('conf-names', { Env: ['A=1'], Labels: { 'ferry.conformance': 'yes', 'ferry.app': 'names' } });
      const image = await e.findImage(t.image);
      for (const key of ['conf-names', id, id.slice(0, 12)]) {
        const c = await e.inspectContainer(key);
        assert.equal(c.Id, id, key);
        assert.equal(c.Name, '/conf-names');
        assert.equal(c.Image, image?.Id);
        assert.equal(c.Config.Image, t.image);
        assert.equal(c.Config.Labels?.['ferry.app'], 'names');
        assert.ok(c.Config.Env?.includes('A=1'));
        assert.equal(c.HostConfig.NetworkMode, 'bridge');
        assert.equal(c.GraphDriver.Name, 'overlay2');
      }
      assert.equal((await e.findContainer('conf-names'))?.Id, id);
    });

    it('lists containers with their names and labels, so a label picks them out', opts, async () => {
      const a = await create('conf-label-a', { Labels: { 'ferry.conformance': 'yes', 'ferry.pick': 'a' } });
      const b = await create('conf-label-b', { Labels: { 'ferry.conformance': 'yes', 'ferry.pick': 'b' } });
      await e.startContainer(b);
      const all = await e.listContainers(true);
      const picked = all.filter((c) => c.Labels?.['ferry.pick'] !== undefined).map((c) => [c.Names, c.Labels?.['ferry.pick'], c.State, c.Image]);
      assert.deepEqual(picked.sort(), [[['/conf-label-a'], 'a', 'created', t.image], [['/conf-label-b'], 'b', 'running', t.image]]);
      assert.deepEqual((await e.listContainers()).filter((c) => c.Labels?.['ferry.pick']).map((c) => c.Id), [b]);
      await e.removeContainer(a);
      await e.removeContainer(b);
    });

    it('refuses a name in use, an unknown image and a malformed name with FERRY_ERR_DOCKER', opts, async () => {
      await create('conf-taken');
      await assert.rejects(create('conf-taken'), isCode('FERRY_ERR_DOCKER', /already in use/));
      await assert.rejects(create('conf-noimage', { Image: 'ferry/conformance-absent:1' }), isCode('FERRY_ERR_DOCKER', /No such image/));
      await assert.rejects(create('conf bad name'), isCode('FERRY_ERR_DOCKER'));
    });

    it('answers an unknown container: inspect FERRY_ERR_UNKNOWN_CONTAINER, find undefined, state calls FERRY_ERR_DOCKER, stop and remove nothing', opts, async () => {
      await assert.rejects(e.inspectContainer('conf-absent'), isCode('FERRY_ERR_UNKNOWN_CONTAINER', /conf-absent/));
      assert.equal(await e.findContainer('conf-absent'), undefined);
      for (const call of [() => e.startContainer('conf-absent'), () => e.pause('conf-absent'), () => e.unpause('conf-absent'), () => e.createCheckpoint('conf-absent', 'cp', false)]) {
        await assert.rejects(call(), isCode('FERRY_ERR_DOCKER', /No such container/));
      }
      await e.stopContainer('conf-absent', 1);
      await e.removeContainer('conf-absent');
      await e.deleteCheckpoint('conf-absent', 'cp');
    });

    it('refuses a state change that does not fit the state with FERRY_ERR_DOCKER', opts, async () => {
      const id = await create('conf-states');
      const refusal = async (p: Promise<unknown>) => codeOf(p);
      assert.equal(await refusal(e.pause(id)), 'FERRY_ERR_DOCKER', 'pause of a created container');
      await assert.rejects(e.unpause(id), isCode('FERRY_ERR_DOCKER', /not paused/));
      assert.equal(await refusal(e.createCheckpoint(id, 'cp', false)), 'FERRY_ERR_DOCKER', 'checkpoint of a created container');
      await e.startContainer(id);
      await assert.rejects(e.unpause(id), isCode('FERRY_ERR_DOCKER', /not paused/), 'unpause of a running container');
      assert.equal(await refusal(e.startContainer(id)), 'FERRY_ERR_DOCKER', 'start of a running container');
      await e.pause(id);
      assert.equal(await refusal(e.pause(id)), 'FERRY_ERR_DOCKER', 'pause of a paused container');
      assert.equal(await refusal(e.startContainer(id)), 'FERRY_ERR_DOCKER', 'start of a paused container');
      await e.unpause(id);
      await e.stopContainer(id, 1);
      await e.stopContainer(id, 1);
      assert.equal(await refusal(e.pause(id)), 'FERRY_ERR_DOCKER', 'pause of an exited container');
      assert.equal(await refusal(e.deleteCheckpoint(id, 'conf-never-made')), 'FERRY_ERR_CHECKPOINT', 'delete of a checkpoint the container never had');
      await e.removeContainer(id);
      await e.removeContainer(id);
    });

    it('keeps a named volume with its labels, mounts it, and refuses to remove it while a container uses it', opts, async () => {
      volumes.add('conf-vol');
      const v = await e.createVolume('conf-vol', { 'ferry.conformance': 'yes' });
      assert.deepEqual([v.Name, v.Driver, v.Labels?.['ferry.conformance']], ['conf-vol', 'local', 'yes']);
      assert.match(v.Mountpoint, /^\//);
      assert.equal((await e.createVolume('conf-vol')).Mountpoint, v.Mountpoint, 'creating it again returns the same volume');
      assert.equal((await e.findVolume('conf-vol'))?.Mountpoint, v.Mountpoint);
      assert.equal(await e.findVolume('conf-vol-absent'), undefined);
      const id = await create('conf-volume-user', { HostConfig: { NetworkMode: 'bridge', Mounts: [{ Type: 'volume', Source: 'conf-vol', Target: '/data', ReadOnly: false }] } });
      const m = (await e.inspectContainer(id)).Mounts.find((x) => x.Destination === '/data');
      assert.deepEqual(m && [m.Type, m.Name, m.Source, m.RW, m.Driver], ['volume', 'conf-vol', v.Mountpoint, true, 'local']);
      await assert.rejects(e.removeVolume('conf-vol'), isCode('FERRY_ERR_DOCKER', /in use/));
      await e.removeContainer(id, { volumes: true });
      assert.ok(await e.findVolume('conf-vol'), 'a named volume outlives its container');
      await e.removeVolume('conf-vol');
      assert.equal(await e.findVolume('conf-vol'), undefined);
      await e.removeVolume('conf-vol');
    });

    it('finds networks, and shows the running containers on one with their addresses', opts, async () => {
      assert.equal((await e.findNetwork('bridge'))?.Name, 'bridge');
      assert.equal(await e.findNetwork('conf-net-absent'), undefined);
      const body = { Name: 'conf-net', Driver: 'bridge', CheckDuplicate: true, IPAM: { Driver: 'default', Config: [{ Subnet: `${SUBNET}.0/24`, Gateway: `${SUBNET}.1`, IPRange: `${SUBNET}.0/25` }] } };
      const netId = await e.createNetwork(body);
      await assert.rejects(e.createNetwork(body), isCode('FERRY_ERR_DOCKER'));
      const net = await e.findNetwork('conf-net');
      assert.deepEqual([net?.Id, net?.Name, net?.Driver, net?.IPAM.Config?.[0]?.Subnet, Object.keys(net?.Containers ?? {})], [netId, 'conf-net', 'bridge', `${SUBNET}.0/24`, []]);
      const on = (ip?: string) => ({ HostConfig: { NetworkMode: 'conf-net' }, ...(ip ? { NetworkingConfig: { EndpointsConfig: { 'conf-net': { IPAMConfig: { IPv4Address: ip } } } } } : {}) });
      const fixed = await create('conf-net-fixed', on(`${SUBNET}.10`));
      const picked = await create('conf-net-picked', on());
      const clash = await create('conf-net-clash', on(`${SUBNET}.10`));
      assert.equal((await e.inspectContainer(fixed)).NetworkSettings?.Networks?.['conf-net']?.IPAddress, '', 'no address before it starts');
      await e.startContainer(fixed);
      await e.startContainer(picked);
      await assert.rejects(e.startContainer(clash), isCode('FERRY_ERR_DOCKER', /in use/i));
      const ep = (await e.inspectContainer(fixed)).NetworkSettings?.Networks?.['conf-net'];
      assert.equal(ep?.IPAddress, `${SUBNET}.10`);
      assert.match(ep?.MacAddress ?? '', /^([0-9a-f]{2}:){5}[0-9a-f]{2}$/);
      const attached = (await e.findNetwork('conf-net'))?.Containers ?? {};
      const listed = attached[fixed];
      assert.deepEqual(listed && [listed.Name, listed.MacAddress, listed.IPv4Address], ['conf-net-fixed', ep?.MacAddress, `${SUBNET}.10/24`]);
      const pickedIp = attached[picked]?.IPv4Address.split('/')[0] ?? '';
      assert.match(pickedIp, new RegExp(`^${SUBNET.replaceAll('.', '\\.')}\\.(\\d+)$`));
      assert.ok(Number(pickedIp.split('.')[3]) < 128 && pickedIp !== `${SUBNET}.10` && pickedIp !== `${SUBNET}.1`, `${pickedIp} is a free address of the range`);
      await e.stopContainer(fixed, 1);
      assert.equal((await e.findNetwork('conf-net'))?.Containers?.[fixed], undefined, 'a stopped container leaves the network\'s list');
      await e.startContainer(clash);
      assert.equal((await e.findNetwork('conf-net'))?.Containers?.[clash]?.IPv4Address, `${SUBNET}.10/24`, 'its address is free again');
      for (const id of [fixed, picked, clash]) await e.removeContainer(id);
    });

    it('exports an image as a stream that loads again, and refuses to load what is not an image', opts, async () => {
      const before = await e.findImage(t.image);
      const tar = await e.exportImage(t.image);
      await e.loadImage(tar);
      assert.equal((await e.findImage(t.image))?.Id, before?.Id);
      await assert.rejects(e.exportImage('ferry/conformance-absent:1'), isCode('FERRY_ERR_DOCKER'));
      await assert.rejects(e.loadImage(Readable.from([Buffer.from('not a tar')])), isCode('FERRY_ERR_DOCKER'));
    });
  });
}
