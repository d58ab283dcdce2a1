/** @module tools/bench/baselines/rsync-daemon.test — the daemon's configuration and command line, the push, and the port choice. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PORT_RANGE, pickPort, rsyncdCommand, rsyncdConfig, rsyncPushCommand } from './rsync-daemon.ts';

void test('the daemon serves one writable module, bound to the test-bed address, to the test-bed subnet only', () => {
  const conf = rsyncdConfig({ workDir: '/s/h2/w', moduleDir: '/s/h2/w/stage', address: '10.217.0.12', port: 23456, allow: '10.217.0.0/24' });
  assert.match(conf, /^address = 10\.217\.0\.12$/m);
  assert.match(conf, /^port = 23456$/m);
  assert.match(conf, /^log file = \/s\/h2\/w\/rsyncd\.log$/m);
  assert.match(conf, /^\[stage\]$/m);
  assert.match(conf, /^ {2}path = \/s\/h2\/w\/stage$/m);
  assert.match(conf, /^ {2}read only = no$/m);
  assert.match(conf, /^ {2}hosts allow = 10\.217\.0\.0\/24$/m);
  assert.match(conf, /^ {2}hosts deny = \*$/m);
  assert.doesNotMatch(conf, /auth users/, 'no auth: the address and the allow list are the fence');
});

void test('daemon in the destination namespace, in the foreground; push from the source namespace keeping xattrs and owners', () => {
  assert.deepEqual(rsyncdCommand('/var/run/netns/ferry-h2', '/w/rsyncd.conf', '10.217.0.12', 23456), {
    file: 'nsenter',
    args: ['--net=/var/run/netns/ferry-h2', 'rsync', '--daemon', '--no-detach', '--config=/w/rsyncd.conf', '--address=10.217.0.12', '--port=23456'],
  });
  assert.deepEqual(rsyncPushCommand('/var/run/netns/ferry-h1', '/d/upper/', 'rsync://10.217.0.12:23456/stage/upper/'), {
    file: 'nsenter',
    args: ['--net=/var/run/netns/ferry-h1', 'rsync', '-aHAX', '--numeric-ids', '/d/upper/', 'rsync://10.217.0.12:23456/stage/upper/'],
  });
});

void test('ports are chosen in range and never one in use', () => {
  assert.equal(pickPort(new Set(), () => 0), PORT_RANGE.min);
  assert.equal(pickPort(new Set([PORT_RANGE.min, PORT_RANGE.min + 1]), () => 0), PORT_RANGE.min + 2);
  assert.equal(pickPort(new Set([PORT_RANGE.max - 1]), () => 0.99999999), PORT_RANGE.min, 'wraps around');
  for (let i = 0; i < 100; i++) {
    const p = pickPort(new Set([7070, 7071]));
    assert.ok(p >= PORT_RANGE.min && p < PORT_RANGE.max);
  }
});
