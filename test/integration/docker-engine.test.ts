/**
 * @module test/integration/docker-engine.test — the Engine conformance suite against the real
 * `DockerEngine`: the dockerd of a one-host test bed without agents (subnet 10.239.0, so its
 * namespaces, bridge and cgroups carry their own name tag) answers the same checks as
 * `FakeEngine` in src/adapters/docker/fake-engine.test.ts. The suite removes its containers and
 * volumes; the test bed's `down` removes the rest (its network, dockerd, namespaces). Needs root.
 */
import { test } from 'node:test';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseConfig } from '../../src/core/config.ts';
import { DockerEngine } from '../../src/adapters/docker/engine.ts';
import { engineConformance } from '../../src/adapters/docker/engine.conformance.ts';
import { testbedDown, testbedUp } from '../../src/tools/testbed/index.ts';
import { LOOP_IMAGE, ensureWorkloadImage } from '../../src/tools/workloads/catalog.ts';
import { keepLogsOnFailure } from '../support/kept-logs.ts';

const isRoot = process.getuid?.() === 0;
const stateDir = path.join(tmpdir(), `ferry-it-docker-engine-${process.pid}`);
const config = parseConfig({ testbed: { stateDir, subnet: '10.239.0', hosts: 2 } });
// testbed.hosts is at least 2; up() plans one host (an override). A failed check keeps the test bed's logs (its dockerd's above all) before `cleanup` tears it down.
const logs = keepLogsOnFailure(import.meta.filename, config);

/** Keeps the logs of a failed check, then takes the test bed down and removes its state dir. */
const down = async (): Promise<void> => {
  await logs.keep();
  await testbedDown({ config, log: () => undefined });
  rmSync(stateDir, { recursive: true, force: true });
};

if (isRoot) {
  engineConformance('Engine conformance: DockerEngine on a real dockerd', async () => {
    try {
      const cluster = await logs.watch(testbedUp({ config, hosts: 1, agents: false, log: () => undefined }));
      const engine = new DockerEngine(cluster.hosts[0]?.dockerSocket ?? '', config.deadlines);
      await logs.watch(ensureWorkloadImage(engine, 'loop'));
      return { engine, image: LOOP_IMAGE, cleanup: down };
    } catch (err) {
      await down();
      throw err;
    }
  }, { timeoutMs: 180_000 });
} else {
  void test.skip('Engine conformance: DockerEngine on a real dockerd (needs root)');
}
