/**
 * @module adapters/host/checkpointer.conformance — the one conformance suite of `Checkpointer`: what
 * the migration services rely on of CRIU, runc, nft and arping, checked the same way against
 * `FakeCheckpointer` (unit test beside it) and `HostCheckpointer` on a test bed's dockerd
 * (test/integration/checkpointer.test.ts), so the fake cannot drift from the real thing.
 *
 * @example
 *   checkpointerConformance('fake', async () => ({ checkpointer, engine, image: 'ferry/loop:1', scratch: dir, cleanup: async () => {} }));
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { cp, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { isCode } from '../../../test/support/errors.ts';
import type { Engine } from '../docker/engine-port.ts';
import type { Checkpointer } from './checkpointer-port.ts';

/** One implementation under test, with the engine whose containers it works on. */
export interface CheckpointerUnderTest {
  checkpointer: Checkpointer;
  engine: Engine;
  /** An image the engine holds whose command keeps running (ferry/loop:1). */
  image: string;
  /** A directory of the suite's own (no white space), for images and logs. */
  scratch: string;
  /** Releases what `make` set up (the suite removes its own containers first). */
  cleanup(): Promise<void>;
}

/** Above any pid_max (2^22): never a process. */
const NO_PROCESS = 4_194_305;

/** Registers the suite under `title`. */
export function checkpointerConformance(title: string, make: () => Promise<CheckpointerUnderTest>, options: { timeoutMs?: number } = {}): void {
  const opts = { timeout: options.timeoutMs ?? 60_000 };
  let t: CheckpointerUnderTest;
  let k: Checkpointer;
  let e: Engine;
  const created = new Set<string>();

  /** Creates a suite container (removed at the end) on the default bridge. */
  async function create(name: string): Promise<string> {
    const id = await e.createContainer(name, { Image: t.image, Labels: { 'ferry.conformance': 'checkpointer' }, HostConfig: { NetworkMode: 'bridge' } });
    created.add(id);
    return id;
  }

  /** Creates and starts a suite container; returns its id and init's pid. */
  async function running(name: string): Promise<{ id: string; pid: number }> {
    const id = await create(name);
    await e.startContainer(id);
    return { id, pid: (await e.inspectContainer(id)).State.Pid };
  }

  /** A fresh directory under the scratch directory. */
  async function dir(name: string): Promise<string> {
    const d = path.join(t.scratch, name);
    await mkdir(d, { recursive: true });
    return d;
  }

  describe(title, () => {
    before(async () => {
      t = await make();
      k = t.checkpointer;
      e = t.engine;
    }, opts);
    after(async () => {
      for (const id of created) await e?.removeContainer(id, { volumes: true });
      await t?.cleanup();
    }, opts);

    it('reads a running container\'s processes, its init first; none for a pid that is gone; the agent\'s own facts', opts, async () => {
      const { pid } = await running('ckpt-procs');
      const seen = await k.processes(pid);
      assert.equal(seen.processes[0]?.pid, pid);
      assert.match(seen.processes[0]?.ns.net ?? '', /^net:\[\d+\]$/);
      assert.ok(Array.isArray(seen.tcp));
      assert.deepEqual(await k.processes(NO_PROCESS), { processes: [], tcp: [] });
      const me = await k.agentFacts();
      assert.equal(me.pid, process.pid);
      assert.equal(me.status.uids.length >= 3, true);
    });

    it('describes this host\'s CPU and accepts its own description', opts, async () => {
      const cpu = await k.cpuinfo();
      assert.match(cpu, /^[A-Za-z0-9+/]+=*$/);
      assert.equal(await k.checkCpuinfo(cpu), undefined);
    });

    it('dumps a running container into a directory, leaving it running', opts, async () => {
      const { id, pid } = await running('ckpt-live');
      assert.equal(await k.canDump(id), true);
      const images = await dir('live-images');
      await k.dump({ containerId: id, imageDir: images, workDir: await dir('live-work'), tcp: 'established' });
      assert.ok(existsSync(path.join(images, 'descriptors.json')), 'runc writes descriptors.json with every dump');
      assert.ok(existsSync(path.join(images, 'inventory.img')));
      const after = (await e.inspectContainer(id)).State;
      assert.deepEqual([after.Status, after.Pid], ['running', pid]);
    });

    it('dumps a paused container and leaves it paused; thaw runs it again', opts, async () => {
      const { id, pid } = await running('ckpt-paused');
      await e.pause(id);
      await k.dump({ containerId: id, imageDir: await dir('paused-images'), workDir: await dir('paused-work'), tcp: 'close' });
      assert.equal((await e.inspectContainer(id)).State.Status, 'paused');
      assert.equal(typeof (await k.thaw(id)), 'boolean');
      assert.deepEqual(await e.inspectContainer(id).then((c) => [c.State.Status, c.State.Pid]), ['running', pid]);
      await assert.rejects(k.thaw(id), isCode('FERRY_ERR_DOCKER', /not paused/));
    });

    it('refuses a dump of an unknown container with FERRY_ERR_CHECKPOINT; neither it nor a created one can be dumped through runc', opts, async () => {
      const unknown = 'f'.repeat(64);
      assert.equal(await k.canDump(unknown), false);
      assert.equal(await k.canDump(await create('ckpt-created')), false);
      await assert.rejects(k.dump({ containerId: unknown, imageDir: await dir('unknown-images'), workDir: await dir('unknown-work'), tcp: 'established' }), isCode('FERRY_ERR_CHECKPOINT', /does not exist/));
    });

    it('dumps through the engine, leaving the container running; FERRY_ERR_DOCKER for an unknown one', opts, async () => {
      const { id } = await running('ckpt-engine');
      await k.dumpThroughEngine(id, 'ckpt-conf', 'established');
      assert.equal((await e.inspectContainer(id)).State.Status, 'running');
      await e.deleteCheckpoint(id, 'ckpt-conf');
      await assert.rejects(k.dumpThroughEngine('ckpt-absent', 'ckpt-conf', 'established'), isCode('FERRY_ERR_DOCKER', /No such container/));
    });

    it('locks then unlocks a container\'s network namespace, both idempotent; FERRY_ERR_NET_LOCK for a pid without a process', opts, async () => {
      const { id, pid } = await running('ckpt-lock');
      await e.pause(id);
      assert.equal(await k.networkLocked(pid), false);
      await k.lockNetwork(pid);
      await k.lockNetwork(pid);
      assert.equal(await k.networkLocked(pid), true);
      await k.unlockNetwork(pid);
      assert.equal(await k.networkLocked(pid), false);
      await k.unlockNetwork(pid);
      await e.unpause(id);
      await assert.rejects(k.lockNetwork(0), isCode('FERRY_ERR_NET_LOCK', /without a process/));
      await assert.rejects(k.lockNetwork(NO_PROCESS), isCode('FERRY_ERR_NET_LOCK'));
      await assert.rejects(k.unlockNetwork(NO_PROCESS), isCode('FERRY_ERR_NET_LOCK'));
      assert.equal(await k.networkLocked(NO_PROCESS), false);
    });

    it('restores a created twin from a container\'s dump, which then runs; FERRY_ERR_RESTORE without descriptors.json', opts, async () => {
      const { id } = await running('ckpt-origin');
      await e.pause(id);
      const images = await dir('twin-images');
      await k.dump({ containerId: id, imageDir: images, workDir: await dir('twin-work'), tcp: 'established' });
      const upper = (await e.inspectContainer(id)).GraphDriver.Data['UpperDir'] ?? '';
      const twin = await create('ckpt-twin');
      // The writable layer goes with the dump, as in a migration (CRIU reopens the files the processes hold); a fake engine's layers are not on disk.
      if (existsSync(upper)) await cp(upper, (await e.inspectContainer(twin)).GraphDriver.Data['UpperDir'] ?? '', { recursive: true });
      await e.removeContainer(id);
      await k.restore({ containerId: twin, checkpoint: 'ckpt-twin', imagesDir: images, logFile: path.join(t.scratch, 'logs', 'twin-restore.log') });
      const state = (await e.inspectContainer(twin)).State;
      assert.deepEqual([state.Status, state.Running], ['running', true]);
      const empty = await dir('empty-images');
      await assert.rejects(k.restore({ containerId: await create('ckpt-twin-2'), checkpoint: 'ckpt-twin-2', imagesDir: empty, logFile: path.join(t.scratch, 'logs', 'twin-2.log') }), isCode('FERRY_ERR_RESTORE', /descriptors\.json/));
    });

    it('announces an address the container holds; FERRY_ERR_ADDRESS for one it does not', opts, async () => {
      const { id, pid } = await running('ckpt-announce');
      const ip = (await e.inspectContainer(id)).NetworkSettings?.Networks?.['bridge']?.IPAddress ?? '';
      assert.match(ip, /^\d+\.\d+\.\d+\.\d+$/);
      assert.match(await k.announce(pid, ip), new RegExp(`^gratuitous ARP for ${ip.replaceAll('.', '\\.')} on eth0$`));
      await assert.rejects(k.announce(pid, '10.255.255.254'), isCode('FERRY_ERR_ADDRESS', /no interface with address 10\.255\.255\.254/));
    });
  });
}
