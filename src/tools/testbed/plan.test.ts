/** @module tools/testbed/plan.test — names, addresses and directories of the test-bed plan. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { configFromEnv, parseConfig } from '../../core/config.ts';
import { cleanupPlan, clusterSubnetOf, MAX_HOSTS, nameTag, parseSmallDisk, planFromConfig, planTestbed } from './plan.ts';

const base = { hosts: 3, subnet: '10.213.0', stateDir: '/var/lib/ferry/testbed', bandwidthMbit: 1000, controlPort: 7070, dataPort: 7071 };

void test('the default subnet gets the plain names', () => {
  const p = planTestbed(base);
  assert.equal(p.tag, '');
  assert.equal(p.bridge, 'ferrybr0');
  assert.equal(p.bridgeCidr, '10.213.0.1/24');
  assert.equal(p.tokenFile, '/var/lib/ferry/testbed/token');
  assert.equal(p.clusterFile, '/var/lib/ferry/testbed/cluster.json');
  assert.deepEqual(p.hosts.map((h) => h.name), ['h1', 'h2', 'h3']);
  assert.deepEqual(p.hosts.map((h) => h.ip), ['10.213.0.11', '10.213.0.12', '10.213.0.13']);
  const h1 = p.hosts[0];
  assert.ok(h1);
  assert.equal(h1.netns, 'ferry-h1');
  assert.equal(h1.netnsPath, '/var/run/netns/ferry-h1');
  assert.equal(h1.vethRoot, 'fyh1a');
  assert.equal(h1.vethPeer, 'fyh1b');
  assert.equal(h1.ifname, 'eth0');
  assert.equal(h1.cidr, '10.213.0.11/24');
  assert.equal(h1.controlUrl, 'https://10.213.0.11:7070');
  assert.equal(h1.dataRoot, '/var/lib/ferry/testbed/h1/docker');
  assert.equal(h1.execRoot, '/run/ferry/h1');
  assert.equal(h1.dockerSocket, '/run/ferry/h1.sock');
  assert.equal(h1.containerdSocket, '/run/ferry/h1/containerd/containerd.sock');
  assert.equal(h1.dockerdPidFile, '/var/lib/ferry/testbed/h1/dockerd.pid');
  assert.equal(h1.agentPidFile, '/var/lib/ferry/testbed/h1/agent.pid');
  assert.equal(h1.logDir, '/var/lib/ferry/testbed/h1/logs');
});

void test('docker bridge subnets differ per host', () => {
  const p = planTestbed({ ...base, hosts: MAX_HOSTS });
  const bips = p.hosts.map((h) => h.dockerBip);
  assert.equal(new Set(bips).size, MAX_HOSTS);
  assert.equal(bips[0], '172.29.1.1/24');
});

void test('another subnet gets tagged names that do not collide, all within 15 characters', () => {
  assert.equal(nameTag('10.214.0'), '0ad600');
  const a = cleanupPlan('/a', '10.213.0');
  const b = cleanupPlan('/b', '10.214.0');
  const names = (p: typeof a): string[] => [p.bridge, ...p.hosts.flatMap((h) => [h.netns, h.vethRoot, h.vethPeer, h.execRoot, h.dockerSocket])];
  const overlap = names(a).filter((n) => names(b).includes(n));
  assert.deepEqual(overlap, []);
  for (const p of [a, b]) {
    for (const dev of [p.bridge, ...p.hosts.flatMap((h) => [h.vethRoot, h.vethPeer])]) assert.ok(dev.length <= 15, `${dev} is longer than IFNAMSIZ`);
  }
  assert.equal(b.hosts[15]?.vethRoot, 'fy0ad600h16a');
  assert.equal(b.hosts[0]?.netns, 'ferry-0ad600-h1');
});

void test('small disks attach to named hosts only', () => {
  const p = planTestbed({ ...base, smallDisk: { h2: 64 } });
  assert.deepEqual(p.hosts.map((h) => h.smallDiskMiB), [0, 64, 0]);
  assert.throws(() => planTestbed({ ...base, smallDisk: { h9: 64 } }), { code: 'FERRY_ERR_CONFIG' });
});

void test('bad subnets and host counts are refused', () => {
  assert.throws(() => planTestbed({ ...base, subnet: '10.300.0' }), { code: 'FERRY_ERR_CONFIG' });
  assert.throws(() => planTestbed({ ...base, hosts: 17 }), { code: 'FERRY_ERR_CONFIG' });
  assert.throws(() => planTestbed({ ...base, runDir: `/${'x'.repeat(90)}` }), /too long for a unix socket/);
});

void test('planFromConfig takes the testbed and agent sections, overrides win', () => {
  const config = parseConfig({ testbed: { hosts: 2, subnet: '10.214.0', stateDir: '/tmp/tb' }, agent: { controlPort: 9000 } });
  const p = planFromConfig(config, { bandwidthMbit: 50 });
  assert.equal(p.hosts.length, 2);
  assert.equal(p.bandwidthMbit, 50);
  assert.equal(p.hosts[1]?.controlUrl, 'https://10.214.0.12:9000');
  assert.equal(p.hosts[1]?.dataPort, 7071);
  assert.equal(planFromConfig(config, { hosts: 4 }).hosts.length, 4);
});

void test('a CPU cap gives every host its own cgroup parent and CFS quota; no cap leaves dockerd as it was', () => {
  const none = planTestbed({ ...base, machineCpus: 2, hostMemoryMiB: 1000 });
  assert.deepEqual(none.hosts.map((h) => [h.cgroupParent, h.cpuQuotaUs]), [['/ferry-h1', 0], ['/ferry-h2', 0], ['/ferry-h3', 0]]);
  assert.deepEqual(none.hosts[0]?.capacity, { cpuMillis: 2000, memoryMiB: 1000, networkMbps: 1000 });
  const capped = planTestbed({ ...base, subnet: '10.220.0', hostCpus: 0.3, machineCpus: 2, hostMemoryMiB: 2048 });
  const h2 = capped.hosts[1];
  assert.equal(h2?.cgroupParent, '/ferry-0adc00-h2');
  assert.equal(h2?.cpuQuotaUs, 30_000);
  assert.equal(h2?.cpuPeriodUs, 100_000);
  assert.deepEqual(h2?.capacity, { cpuMillis: 300, memoryMiB: 2048, networkMbps: 1000 });
  assert.equal(planTestbed({ ...base, hostCpus: 1.5 }).hosts[0]?.cpuQuotaUs, 150_000);
  assert.throws(() => planTestbed({ ...base, hostCpus: 0.004 }), { code: 'FERRY_ERR_CONFIG', message: /smallest CFS quota/ });
  assert.throws(() => planTestbed({ ...base, hostCpus: -1 }), { code: 'FERRY_ERR_CONFIG' });
});

void test('planFromConfig takes hostCpus and hostMemoryMiB, 0 meaning the machine', () => {
  const machine = { cpus: 2, memoryMiB: 24105 };
  const plain = planFromConfig(parseConfig({}), {}, machine).hosts[0];
  assert.deepEqual([plain?.cpuQuotaUs, plain?.capacity], [0, { cpuMillis: 2000, memoryMiB: 24105, networkMbps: 1000 }]);
  const capped = planFromConfig(parseConfig({ testbed: { hostCpus: 0.5, hostMemoryMiB: 512, bandwidthMbit: 100 } }), {}, machine).hosts[0];
  assert.deepEqual([capped?.cpuQuotaUs, capped?.capacity], [50_000, { cpuMillis: 500, memoryMiB: 512, networkMbps: 100 }]);
  const fromEnv = parseConfig(configFromEnv({ FERRY_TESTBED_HOST_CPUS: '0.3', FERRY_TESTBED_HOST_MEMORY_MI_B: '2048' }));
  assert.deepEqual([fromEnv.testbed.hostCpus, fromEnv.testbed.hostMemoryMiB], [0.3, 2048]);
  assert.deepEqual([parseConfig({}).testbed.hostCpus, parseConfig({}).testbed.hostMemoryMiB], [0, 0]);
});

void test('cleanupPlan covers every possible host', () => {
  assert.equal(cleanupPlan('/s', '10.213.0').hosts.length, MAX_HOSTS);
});

void test('parseSmallDisk reads HOST:MIB, falling back to the configured size', () => {
  assert.deepEqual(parseSmallDisk('h2:64', 0), { host: 'h2', mib: 64 });
  assert.deepEqual(parseSmallDisk('h3', 32), { host: 'h3', mib: 32 });
  assert.throws(() => parseSmallDisk('h3', 0), { code: 'FERRY_ERR_INVALID_INPUT' });
  assert.throws(() => parseSmallDisk('disk:64', 0), { code: 'FERRY_ERR_INVALID_INPUT' });
  assert.throws(() => parseSmallDisk('h2:0', 0), { code: 'FERRY_ERR_INVALID_INPUT' });
});

void test('the cluster network: its own /24, a slice per host that no other host hands out, the client host at .2', () => {
  const plan = planTestbed({ hosts: 16, subnet: '10.214.0', stateDir: '/tmp/x', bandwidthMbit: 100, controlPort: 7070, dataPort: 7071 });
  assert.deepEqual(plan.clusterNet, { name: 'ferry', subnet: '10.214.128.0/24', gateway: '10.214.128.1' });
  assert.equal(plan.client.ip, '10.214.128.2');
  assert.equal(plan.client.netns, 'ferry-0ad600-client');
  assert.deepEqual(plan.hosts.slice(0, 2).map((h) => h.clusterRange), ['10.214.128.16/28', '10.214.128.32/28']);
  assert.equal(plan.hosts[14]?.clusterRange, '10.214.128.240/28');
  assert.equal(plan.hosts[15]?.clusterRange, '10.214.128.8/29');
  assert.throws(() => clusterSubnetOf('10.1.200'), /third octet must be below 128/);
});
