/**
 * @module test/integration/node-port.test — the NodePort conformance suite against the real
 * `AgentNode`: h1's agent on a 2-host test bed (subnet 10.224.0, network namespaces, one
 * dockerd each, agents sampling every second and powered by the test bed's own hook, which
 * stops and starts the host's dockerd) answers the same checks as the simulator's
 * `SimNodePort` in src/tools/sim/sim-node-port.test.ts. Everything started here is removed by the
 * test bed's `down`, by name and PID. Needs root.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { AgentNode } from '../../src/apps/controller/agent-node.ts';
import { nodePortConformance } from '../../src/apps/controller/node-port.conformance.ts';
import { parseConfig } from '../../src/core/config.ts';
import { DockerEngine } from '../../src/adapters/docker/engine.ts';
import { bedCredentials, testbedDown, testbedUp } from '../../src/tools/testbed/index.ts';
import { ensureWorkloadImage } from '../../src/tools/workloads/catalog.ts';
import { keepLogsOnFailure } from '../support/kept-logs.ts';

const isRoot = process.getuid?.() === 0;
const stateDir = path.join(tmpdir(), `ferry-it-node-port-${process.pid}`);
const config = parseConfig({ testbed: { stateDir, subnet: '10.224.0', hosts: 2 } });
// A failed check keeps the test bed's logs (agents, dockerds, CRIU) before `close` tears it down.
const logs = keepLogsOnFailure(import.meta.filename, config);
// The agents the test bed starts inherit this: a sample a second, so the checks wait seconds, not minutes.
process.env['FERRY_SCHEDULER_SAMPLE_EVERY_MS'] = '1000';

async function down(): Promise<void> {
  await logs.keep();
  await testbedDown({ config, log: () => undefined });
  rmSync(stateDir, { recursive: true, force: true });
}

if (!isRoot) void test.skip('NodePort conformance: AgentNode on a real test bed (needs root)');
else {
  nodePortConformance('AgentNode on a real test bed', {
    open: async () => {
      const cluster = await logs.watch(testbedUp({ config, log: () => undefined }));
      const [h1, h2] = cluster.hosts;
      assert.ok(h1 && h2 && h1.capacity && h2.capacity, 'two hosts with their capacity in cluster.json');
      await ensureWorkloadImage(new DockerEngine(h1.dockerSocket), 'loop');
      return {
        port: new AgentNode({ controlUrl: h1.controlUrl }, await bedCredentials(cluster)),
        name: h1.name,
        capacity: h1.capacity,
        other: { name: h2.name, controlUrl: h2.controlUrl, dataHost: h2.ip, capacity: h2.capacity, state: 'active', zone: '', rack: '', registeredAt: 0, lastSeen: 0 },
        runnable: { name: 'np-c1', image: 'ferry/loop:1', env: [], labels: { 'ferry.app': 'np' }, cpuMillis: 100, memoryMiB: 32 },
        pass: (ms) => sleep(ms),
      };
    },
    close: down,
    timeoutMs: 120_000,
  });
}
