/** @module tools/testbed/commands.test — the command lines of the test bed and the recognizers of its processes. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { agentCommand, agentHostFlags, dockerdCommand, hasArgPair, hostNetCommands, powerHookArgv, recognize, repoPaths, smallDiskMount, tbfBurstBytes, tbfCommand } from './commands.ts';
import { planTestbed } from './plan.ts';

const plan = planTestbed({ hosts: 2, subnet: '10.213.0', stateDir: '/s', bandwidthMbit: 100, controlPort: 7070, dataPort: 7071, smallDisk: { h2: 64 }, machineCpus: 2, hostMemoryMiB: 4096 });
const [h1, h2] = plan.hosts;
if (!h1 || !h2) throw new Error('plan has two hosts');
const capped = planTestbed({ hosts: 2, subnet: '10.220.0', stateDir: '/c', bandwidthMbit: 100, controlPort: 7070, dataPort: 7071, hostCpus: 0.3, hostMemoryMiB: 2048 });
const [c1] = capped.hosts;
if (!c1) throw new Error('capped plan has hosts');

void test('tbf burst is 10 ms of traffic, at least 64 KiB', () => {
  assert.equal(tbfBurstBytes(1000), 1_250_000);
  assert.equal(tbfBurstBytes(100), 125_000);
  assert.equal(tbfBurstBytes(10), 65_536);
});

void test('tbf commands shape a device, in a namespace when asked', () => {
  assert.deepEqual(tbfCommand('fyh1a', 100), { file: 'tc', args: ['qdisc', 'replace', 'dev', 'fyh1a', 'root', 'tbf', 'rate', '100mbit', 'burst', '125000', 'latency', '50ms'] });
  assert.deepEqual(tbfCommand('eth0', 100, 'ferry-h1').args.slice(0, 3), ['-n', 'ferry-h1', 'qdisc']);
});

void test('host network: netns, veth pair moved and renamed eth0, address, route to the object store, bridge', () => {
  const lines = hostNetCommands(h1, plan.bridge, { bridgeIp: '10.213.0.1', storageAddress: plan.storageAddress }).map((c) => `${c.file} ${c.args.join(' ')}`);
  assert.deepEqual(lines, [
    'ip netns add ferry-h1',
    'ip -n ferry-h1 link set lo up',
    'ip link add name fyh1a type veth peer name fyh1b',
    'ip link set fyh1b netns ferry-h1',
    'ip -n ferry-h1 link set fyh1b name eth0',
    'ip -n ferry-h1 addr add 10.213.0.11/24 dev eth0',
    'ip -n ferry-h1 link set eth0 up',
    'ip -n ferry-h1 route add 10.212.0.1/32 via 10.213.0.1',
    'ip link set fyh1a master ferrybr0',
    'ip link set fyh1a up',
  ]);
});

void test('small-disk tmpfs mount of the data root', () => {
  assert.deepEqual(smallDiskMount(h2).args, ['-t', 'tmpfs', '-o', 'size=64m,mode=0711', 'ferry-testbed-h2', '/s/h2/docker']);
});

void test('dockerd runs through nsenter --net with its own roots, socket, pidfile, bip and --experimental', () => {
  const c = dockerdCommand(h1);
  assert.equal(c.file, 'nsenter');
  assert.equal(c.args[0], '--net=/var/run/netns/ferry-h1');
  assert.equal(c.args[1], 'dockerd');
  for (const [flag, value] of [['--data-root', '/s/h1/docker'], ['--exec-root', '/run/ferry/h1'], ['-H', 'unix:///run/ferry/h1.sock'], ['--pidfile', '/s/h1/dockerd.pid'], ['--bip', '172.29.1.1/24']] as const) {
    assert.ok(hasArgPair(c.args, flag, value), `${flag} ${value}`);
  }
  assert.ok(c.args.includes('--experimental'));
  assert.ok(!c.args.includes('--cgroup-parent'), 'no cgroup parent without a CPU cap');
});

void test('a capped host\'s dockerd puts its containers under the host\'s own cgroup parent', () => {
  assert.ok(hasArgPair(dockerdCommand(c1).args, '--cgroup-parent', '/ferry-0adc00-h1'));
});

void test('the agent command carries exactly the agreed flags, every host flag included', () => {
  const hook = ['/repo/node_modules/node/bin/node', '--disable-warning=ExperimentalWarning', '/repo/src/cmd/ferry/main.ts', 'testbed', 'power', '--state-dir', '/s', '--subnet', '10.213.0', 'h2'];
  const c = agentCommand(plan, h2, repoPaths('/repo'));
  assert.equal(c.file, 'nsenter');
  assert.deepEqual(c.args, ['--net=/var/run/netns/ferry-h2', '/repo/node_modules/node/bin/node', '--disable-warning=ExperimentalWarning', '/repo/src/cmd/ferry/main.ts', 'agent',
    '--name', 'h2', '--listen', '10.213.0.12', '--control-port', '7070', '--data-port', '7071',
    '--docker-socket', '/run/ferry/h2.sock', '--runc-root', '/run/ferry/h2/runtime-runc/moby', '--state-dir', '/s/h2/agent', '--token-file', '/s/token', '--pki-dir', '/s/pki',
    '--power-hook', JSON.stringify(hook), '--capacity-cpu-millis', '2000', '--capacity-memory-mib', '4096', '--capacity-network-mbps', '100']);
});

void test('the host flags: power hook, capacity, and the cgroup parent only when capped', () => {
  const hook = ['/repo/node_modules/node/bin/node', '--disable-warning=ExperimentalWarning', '/repo/src/cmd/ferry/main.ts', 'testbed', 'power', '--state-dir', '/s', '--subnet', '10.213.0', 'h2'];
  assert.deepEqual(powerHookArgv(plan, h2, repoPaths('/repo')), hook);
  assert.deepEqual(agentHostFlags(plan, h2, repoPaths('/repo')), [
    ['--power-hook', JSON.stringify(hook)], ['--capacity-cpu-millis', '2000'], ['--capacity-memory-mib', '4096'], ['--capacity-network-mbps', '100'],
  ]);
  assert.ok(!agentCommand(plan, h2, repoPaths('/repo')).args.includes('--cgroup-parent'), 'no cgroup parent without a CPU cap');
  const cappedFlags = agentHostFlags(capped, c1, repoPaths('/repo'));
  assert.deepEqual(cappedFlags.map(([flag]) => flag), ['--power-hook', '--capacity-cpu-millis', '--capacity-memory-mib', '--capacity-network-mbps', '--cgroup-parent']);
  const args = agentCommand(capped, c1, repoPaths('/repo')).args;
  assert.deepEqual(args.slice(-cappedFlags.length * 2), cappedFlags.flat(), 'every host flag, last, in order');
  for (const [flag, value] of [['--capacity-cpu-millis', '300'], ['--capacity-memory-mib', '2048'], ['--capacity-network-mbps', '100'], ['--cgroup-parent', '/ferry-0adc00-h1']] as const) {
    assert.ok(hasArgPair(args, flag, value), `${flag} ${value}`);
  }
  assert.deepEqual((JSON.parse(args[args.indexOf('--power-hook') + 1] ?? '[]') as string[]).slice(-6), ['power', '--state-dir', '/c', '--subnet', '10.220.0', 'h1']);
});

void test('processes are recognized by exact arguments only', () => {
  const dockerd = ['dockerd', ...dockerdCommand(h1).args.slice(2)];
  assert.ok(recognize.dockerd(h1, dockerd));
  assert.ok(!recognize.dockerd(h2, dockerd));
  assert.ok(!recognize.dockerd(h1, ['dockerd', '--exec-root', '/run/ferry/h10']));
  assert.ok(recognize.containerd(h1, ['containerd', '--config', '/run/ferry/h1/containerd/containerd.toml', '--log-level', 'info']));
  const shim = ['/usr/bin/containerd-shim-runc-v2', '-namespace', 'moby', '-id', 'abc', '-address', '/run/ferry/h1/containerd/containerd.sock'];
  assert.ok(recognize.shim(h1, shim));
  assert.ok(!recognize.shim(h1, ['/usr/bin/containerd-shim-runc-v2', '-namespace', 'moby', '-id', 'abc', '-address', '/run/containerd/containerd.sock']));
  const agent = ['/repo/node_modules/node/bin/node', '--disable-warning=ExperimentalWarning', '/repo/src/cmd/ferry/main.ts', ...agentCommand(plan, h1, repoPaths('/repo')).args.slice(4)];
  assert.ok(recognize.agent(h1, agent));
  assert.ok(!recognize.agent(h2, agent));
  assert.ok(hasArgPair(['--pidfile=/x'], '--pidfile', '/x'));
});
