/** @module tools/testbed/cluster.test — cluster.json content from a plan, its validation, and the plan back from it. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clusterFromPlan, findHost, parseCluster, planOfCluster } from './cluster.ts';
import { planTestbed } from './plan.ts';

const plan = planTestbed({ hosts: 2, subnet: '10.214.0', stateDir: '/tmp/tb', bandwidthMbit: 100, controlPort: 7070, dataPort: 7071, smallDisk: { h2: 64 }, machineCpus: 2, hostMemoryMiB: 24105 });
const pids = new Map([['h1', { dockerd: 100, agent: 200 }], ['h2', { dockerd: 101, agent: null }]]);
const cluster = clusterFromPlan(plan, pids, true, new Date('2026-01-02T03:04:05Z'));

void test('cluster.json carries the agreed fields', () => {
  assert.equal(cluster.tokenFile, '/tmp/tb/token');
  assert.equal(cluster.createdAt, '2026-01-02T03:04:05.000Z');
  assert.equal(cluster.bandwidthMbit, 100);
  const h1 = cluster.hosts[0];
  assert.deepEqual(h1, {
    name: 'h1', ip: '10.214.0.11', netns: 'ferry-0ad600-h1', veth: 'fy0ad600h1a', controlUrl: 'https://10.214.0.11:7070', controlPort: 7070, dataPort: 7071,
    dockerSocket: '/run/ferry/0ad600-h1.sock', dataRoot: '/tmp/tb/h1/docker', execRoot: '/run/ferry/0ad600-h1', logDir: '/tmp/tb/h1/logs',
    smallDiskMiB: 0, pids: { dockerd: 100, agent: 200 },
    capacity: { cpuMillis: 2000, memoryMiB: 24105, networkMbps: 100 }, power: 'on',
  });
  assert.equal(cluster.hosts[1]?.smallDiskMiB, 64);
});

void test('a capped test bed records each host\'s cgroup parent and capacity, and rebuilds the same plan', () => {
  const cappedPlan = planTestbed({ hosts: 2, subnet: '10.220.0', stateDir: '/tmp/c', bandwidthMbit: 100, controlPort: 7070, dataPort: 7071, hostCpus: 0.3, machineCpus: 2, hostMemoryMiB: 2048 });
  const capped = clusterFromPlan(cappedPlan, new Map(), true, new Date(0));
  assert.deepEqual(capped.hosts.map((h) => [h.cgroupParent, h.capacity]), [
    ['/ferry-0adc00-h1', { cpuMillis: 300, memoryMiB: 2048, networkMbps: 100 }],
    ['/ferry-0adc00-h2', { cpuMillis: 300, memoryMiB: 2048, networkMbps: 100 }],
  ]);
  assert.deepEqual(planOfCluster(parseCluster(JSON.parse(JSON.stringify(capped)))), cappedPlan);
});

void test('a cluster.json of an older test bed (no capacity, cgroup or power) still reads', () => {
  const old = { ...cluster, hosts: cluster.hosts.map(({ capacity: _c, power: _p, ...rest }) => rest) };
  const back = parseCluster(JSON.parse(JSON.stringify(old)));
  assert.equal(back.hosts[0]?.capacity, undefined);
  assert.equal(planOfCluster(back).hosts[0]?.cpuQuotaUs, 0);
});

void test('it survives a JSON round trip and rebuilds the same plan', () => {
  const back = parseCluster(JSON.parse(JSON.stringify(cluster)));
  assert.deepEqual(back, cluster);
  assert.deepEqual(planOfCluster(back), plan);
});

void test('malformed content is refused with the key named', () => {
  assert.throws(() => parseCluster({ ...cluster, hosts: [] }), { code: 'FERRY_ERR_TESTBED', message: /hosts/ });
  assert.throws(() => parseCluster({ ...cluster, hosts: [{ ...cluster.hosts[0], pids: { dockerd: 'x', agent: null } }] }), /hosts\.0\.pids\.dockerd/);
});

void test('findHost names the hosts there are', () => {
  assert.equal(findHost(cluster, 'h2').ip, '10.214.0.12');
  assert.throws(() => findHost(cluster, 'h9'), { code: 'FERRY_ERR_UNKNOWN_HOST', message: /hosts: h1, h2/ });
});
