/**
 * @module test/integration/checkpointer.test — the Checkpointer conformance suite against the real
 * `HostCheckpointer` (runc, CRIU 4 from the doctor's prefix, nft, arping) on the dockerd of a
 * one-host test bed without agents (subnet 10.240.0, its own name tag): it answers the same
 * checks as `FakeCheckpointer` in src/adapters/host/fake-checkpointer.test.ts. The suite removes
 * its containers; the test bed's `down` removes the rest. Needs root.
 */
import { test } from 'node:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseConfig } from '../../src/core/config.ts';
import { DockerEngine } from '../../src/adapters/docker/engine.ts';
import { HostCheckpointer } from '../../src/adapters/host/host-checkpointer.ts';
import { checkpointerConformance } from '../../src/adapters/host/checkpointer.conformance.ts';
import { criuBinDir } from '../../src/tools/doctor/index.ts';
import { testbedDown, testbedUp } from '../../src/tools/testbed/index.ts';
import { LOOP_IMAGE, ensureWorkloadImage } from '../../src/tools/workloads/catalog.ts';
import { keepLogsOnFailure } from '../support/kept-logs.ts';

const isRoot = process.getuid?.() === 0;
const stateDir = path.join(tmpdir(), `ferry-it-checkpointer-${process.pid}`);
const input = { testbed: { stateDir, subnet: '10.240.0', hosts: 2 } };
const config = parseConfig(input);
// testbed.hosts is at least 2; up() plans one host (an override). A failed check keeps the test bed's logs before `cleanup` tears it down.
const logs = keepLogsOnFailure(import.meta.filename, config);

if (isRoot) {
  const scratch = mkdtempSync(path.join(tmpdir(), 'ferry-it-checkpointer-scratch-'));
  /** Keeps the logs of a failed check, then takes the test bed down and removes its state and scratch dirs. */
  const down = async (): Promise<void> => {
    await logs.keep();
    await testbedDown({ config, log: () => undefined });
    rmSync(stateDir, { recursive: true, force: true });
    rmSync(scratch, { recursive: true, force: true });
  };
  checkpointerConformance('Checkpointer conformance: HostCheckpointer on a real dockerd, runc and CRIU', async () => {
    try {
      const cluster = await logs.watch(testbedUp({ config, hosts: 1, agents: false, log: () => undefined }));
      const host = cluster.hosts[0];
      if (!host) throw new Error('the test bed has no host');
      // As an agent of the test bed runs: CRIU 4 first on PATH, runc's root under the host's exec root.
      process.env['PATH'] = `${await criuBinDir(config)}:${process.env['PATH'] ?? '/usr/sbin:/usr/bin:/sbin:/bin'}`;
      const hostConfig = parseConfig({ ...input, agent: { runcRoot: `${host.execRoot}/runtime-runc/moby` } });
      const engine = new DockerEngine(host.dockerSocket, config.deadlines);
      await logs.watch(ensureWorkloadImage(engine, 'loop'));
      const checkpointer = new HostCheckpointer({ engine, config: hostConfig, dataRoot: (await engine.info()).DockerRootDir });
      return { checkpointer, engine, image: LOOP_IMAGE, scratch, cleanup: down };
    } catch (err) {
      await down();
      throw err;
    }
  }, { timeoutMs: 180_000 });
} else {
  void test.skip('Checkpointer conformance: HostCheckpointer on a real dockerd, runc and CRIU (needs root)');
}
