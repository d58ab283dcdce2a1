import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nodePortConformance } from '../../apps/controller/node-port.conformance.ts';
import { elastic } from '../../domain/scheduler/index.ts';
import { SimAgents } from './sim-node-port.ts';
import { Simulation } from './simulation.ts';
import { simContainer, simHost, simSetup } from './test-support.ts';

/** Two hosts, h1 and h2, and one container the workload knows; the clock moves only when told. */
function driven(): { sim: Simulation; agents: SimAgents } {
  const sim = new Simulation(simSetup(elastic, [simHost('h1'), simHost('h2')], [simContainer('np-c1', [300])], { driven: true }));
  return { sim, agents: new SimAgents(sim) };
}

nodePortConformance('SimNodePort over a driven simulation', {
  open: () => {
    const { sim, agents } = driven();
    return Promise.resolve({
      port: agents.port('h1'),
      name: 'h1',
      capacity: simHost('h1').capacity,
      other: { name: 'h2', controlUrl: '', dataHost: '', capacity: simHost('h2').capacity, state: 'active', zone: 'a', rack: 'r1', registeredAt: 0, lastSeen: 0 },
      runnable: { name: 'np-c1', image: 'sim', env: [], labels: { 'ferry.app': 'np' }, cpuMillis: 300, memoryMiB: 100 },
      pass: (ms: number) => Promise.resolve(sim.advanceTo(sim.clock + ms)),
    });
  },
});

test('a container outside the simulated workload cannot be run; a driven simulation does not place, tick or decide by itself', async () => {
  const { sim, agents } = driven();
  await assert.rejects(agents.port('h1').run({ name: 'stranger', image: 'sim', env: [], labels: {}, cpuMillis: 1, memoryMiB: 1 }), /not in the simulated workload/);
  sim.advanceTo(600_000);
  assert.equal(sim.container('np-c1'), undefined, 'nothing arrives by itself');
  assert.throws(() => sim.advanceTo(0), /cannot go to 0/);
  const undriven = new Simulation(simSetup(elastic, [simHost('h1')], []));
  assert.throws(() => undriven.advanceTo(1), /driven: true/);
});

test('a migration runs on the simulated clock: running until its end, then done with the frozen time as its report says', async () => {
  const { sim, agents } = driven();
  const h1 = agents.port('h1');
  await h1.run({ name: 'np-c1', image: 'sim', env: [], labels: {}, cpuMillis: 300, memoryMiB: 100 });
  sim.advanceTo(10_000);
  const id = await h1.migrate('np-c1', { name: 'h2' } as Parameters<typeof h1.migrate>[1], 'precopy');
  assert.equal(await agents.port('h2').migration(id).catch((e: Error) => e.message), `no migration ${id} on this host`);
  sim.advanceTo(109_999);
  assert.equal((await h1.migration(id)).phase, 'running');
  assert.deepEqual((await h1.containers()).map((c) => c.name), ['np-c1'], 'on the source until the end');
  sim.advanceTo(110_000);
  const done = await h1.migration(id);
  assert.deepEqual([done.phase, done.report?.frozenMs, done.report?.totalMs], ['done', 10_000, 100_000]);
  assert.deepEqual((await agents.port('h2').containers()).map((c) => c.name), ['np-c1']);
  assert.deepEqual(await h1.containers(), []);
});
