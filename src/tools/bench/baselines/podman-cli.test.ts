/** @module tools/bench/baselines/podman-cli.test — podman's per-host paths, configuration and command lines, and its outputs. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FerryError } from '../../../core/errors.ts';
import { planTestbed } from '../../testbed/index.ts';
import { containersConf, parseLoadedImage, parsePodmanVersion, podmanCommand, podmanPaths, runArgs } from './podman-cli.ts';

const plan = planTestbed({ hosts: 2, subnet: '10.217.0', stateDir: '/var/lib/ferry/tb', bandwidthMbit: 1000, controlPort: 7070, dataPort: 7071 });
const h2 = plan.hosts[1]!;

void test('each host keeps its podman under its own test-bed directories', () => {
  const p = podmanPaths(h2);
  assert.equal(p.base, '/var/lib/ferry/tb/h2/podman');
  assert.equal(p.root, '/var/lib/ferry/tb/h2/podman/root');
  assert.equal(p.runroot, '/run/ferry/0ad900-h2/podman');
  assert.equal(p.netnsPath, '/var/run/netns/ferry-0ad900-h2');
  assert.notEqual(podmanPaths(plan.hosts[0]!).tmpDir, p.tmpDir, 'lock files are per host');
});

void test('containers.conf: file locks in the host temp dir, cgroupfs, file events, runc', () => {
  const conf = containersConf(podmanPaths(h2));
  assert.match(conf, /^lock_type = "file"$/m);
  assert.match(conf, /^tmp_dir = "\/var\/lib\/ferry\/tb\/h2\/podman\/tmp"$/m);
  assert.match(conf, /^cgroup_manager = "cgroupfs"$/m);
  assert.match(conf, /^events_logger = "file"$/m);
  assert.match(conf, /^runtime = "runc"$/m);
  assert.match(conf, /^network_config_dir = "\/var\/lib\/ferry\/tb\/h2\/podman\/networks"$/m);
});

void test('podman runs in the host namespace on the host storage', () => {
  const cmd = podmanCommand(podmanPaths(h2), ['ps']);
  assert.equal(cmd.file, 'nsenter');
  assert.deepEqual(cmd.args.slice(0, 2), ['--net=/var/run/netns/ferry-0ad900-h2', 'podman']);
  const flag = (f: string): string | undefined => cmd.args[cmd.args.indexOf(f) + 1];
  assert.equal(flag('--root'), '/var/lib/ferry/tb/h2/podman/root');
  assert.equal(flag('--runroot'), '/run/ferry/0ad900-h2/podman');
  assert.equal(flag('--runtime'), 'runc');
  assert.equal(flag('--cgroup-manager'), 'cgroupfs');
  assert.equal(flag('--events-backend'), 'file');
  assert.equal(cmd.args.at(-1), 'ps');
});

void test('the workload runs detached with runc, the hard ulimits, its env and labels', () => {
  assert.deepEqual(runArgs({ name: 'w', image: 'localhost/ferry/counter:2', env: ['BALLAST_MIB=32'], labels: { 'ferry.bench': 'podman' } }), [
    'run', '-d', '--name', 'w', '--runtime', 'runc', '--ulimit', 'nofile=1024:1024', '--ulimit', 'nproc=1024:1024',
    '--env', 'BALLAST_MIB=32', '--label', 'ferry.bench=podman', 'localhost/ferry/counter:2',
  ]);
});

void test('podman version and loaded image names', () => {
  assert.equal(parsePodmanVersion('podman version 4.3.1\n'), '4.3.1');
  assert.throws(() => parsePodmanVersion(''), (e: FerryError) => e.code === 'FERRY_ERR_PREREQUISITE');
  assert.equal(parseLoadedImage('Loaded image: localhost/ferry/counter:2\n'), 'localhost/ferry/counter:2');
  assert.equal(parseLoadedImage('Getting image source signatures\nLoaded image(s): localhost/a:1,localhost/b:2\n'), 'localhost/a:1');
  assert.throws(() => parseLoadedImage('nothing'), (e: FerryError) => e.code === 'FERRY_ERR_TESTBED');
});
