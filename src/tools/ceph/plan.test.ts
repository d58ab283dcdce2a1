/** @module tools/ceph/plan.test — paths, daemons, command lines and validation of the Ceph plan. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfig } from '../../core/config.ts';
import { isDaemon, osdBlock, osdData, planCeph, planFromConfig, type CephPlanInput } from './plan.ts';

const base: CephPlanInput = { stateDir: '/var/lib/ferry/ceph', address: '10.212.0.1', rgwPort: 7480, osds: 3, osdSizeMiB: 1024, bucket: 'ferry', region: 'us-east-1' };

void test('everything lives under the state dir', () => {
  const p = planCeph(base);
  assert.equal(p.confFile, '/var/lib/ferry/ceph/ceph.conf');
  assert.equal(p.identityFile, '/var/lib/ferry/ceph/cluster.json');
  assert.equal(p.credentialsFile, '/var/lib/ferry/ceph/s3.json');
  assert.equal(p.monData, '/var/lib/ferry/ceph/mon/a');
  assert.equal(p.mgrData, '/var/lib/ferry/ceph/mgr/x');
  assert.equal(osdData(p, 2), '/var/lib/ferry/ceph/osd/2');
  assert.equal(osdBlock(p, 2), '/var/lib/ferry/ceph/osd/2/block');
  for (const d of p.daemons) {
    for (const f of [d.pidFile, d.logFile, d.outFile, d.adminSocket]) assert.ok(f.startsWith('/var/lib/ferry/ceph/'), f);
  }
});

void test('one monitor, one manager, N OSDs and radosgw, in start order, each in the foreground with the cluster conf', () => {
  const p = planCeph(base);
  assert.deepEqual(p.daemons.map((d) => d.name), ['mon.a', 'mgr.x', 'osd.0', 'osd.1', 'osd.2', 'client.rgw.ferry']);
  assert.deepEqual(p.daemons[0]?.command, { file: 'ceph-mon', args: ['-f', '-c', '/var/lib/ferry/ceph/ceph.conf', '-i', 'a'] });
  assert.deepEqual(p.daemons[5]?.command, { file: 'radosgw', args: ['-f', '-c', '/var/lib/ferry/ceph/ceph.conf', '-n', 'client.rgw.ferry'] });
  assert.equal(p.daemons[3]?.pidFile, '/var/lib/ferry/ceph/run/osd.1.pid');
  assert.equal(p.daemons[3]?.logFile, '/var/lib/ferry/ceph/log/osd.1.log');
});

void test('addresses: the monitor and the S3 endpoint on the configured address', () => {
  const p = planCeph({ ...base, address: '10.212.0.9', rgwPort: 7489 });
  assert.equal(p.monAddrs, '[v2:10.212.0.9:3300,v1:10.212.0.9:6789]');
  assert.equal(p.endpoint, 'http://10.212.0.9:7489');
});

void test('a daemon is recognized by program, conf and id only', () => {
  const p = planCeph(base);
  const osd1 = p.daemons[3];
  assert.ok(osd1);
  assert.equal(isDaemon(osd1, ['/usr/bin/ceph-osd', '-f', '-c', p.confFile, '-i', '1']), true);
  assert.equal(isDaemon(osd1, ['ceph-osd', '-f', '-c', p.confFile, '-i', '10']), false);
  assert.equal(isDaemon(osd1, ['ceph-osd', '-f', '-c', '/etc/ceph/ceph.conf', '-i', '1']), false);
  assert.equal(isDaemon(osd1, ['ceph-mon', '-f', '-c', p.confFile, '-i', '1']), false);
  const otherOsd1 = planCeph({ ...base, stateDir: '/var/lib/ferry/ceph-test' }).daemons[3];
  assert.ok(otherOsd1);
  assert.equal(isDaemon(osd1, [otherOsd1.command.file, ...otherOsd1.command.args]), false, 'the same OSD of another cluster');
});

void test('bad state dirs, addresses and ports are refused', () => {
  assert.throws(() => planCeph({ ...base, stateDir: 'relative/dir' }), { code: 'FERRY_ERR_CONFIG' });
  assert.throws(() => planCeph({ ...base, stateDir: '/var/lib/my ceph' }), { code: 'FERRY_ERR_CONFIG' });
  assert.throws(() => planCeph({ ...base, stateDir: '/' }), { code: 'FERRY_ERR_CONFIG' });
  assert.throws(() => planCeph({ ...base, stateDir: `/${'x'.repeat(90)}` }), /too long for a unix socket/);
  for (const address of ['0.0.0.0', '127.0.0.1', '255.255.255.255', '10.212.0.256']) {
    assert.throws(() => planCeph({ ...base, address }), { code: 'FERRY_ERR_CONFIG' }, address);
  }
  for (const rgwPort of [3300, 6789, 6800, 7000]) assert.throws(() => planCeph({ ...base, rgwPort }), { code: 'FERRY_ERR_CONFIG' });
});

void test('planFromConfig reads the storage and store sections', () => {
  const p = planFromConfig(parseConfig({ storage: { stateDir: '/tmp/c/', osds: 1 }, store: { bucket: 'other' } }));
  assert.equal(p.stateDir, '/tmp/c');
  assert.equal(p.osds, 1);
  assert.equal(p.bucket, 'other');
  assert.equal(p.endpoint, 'http://10.212.0.1:7480');
  assert.equal(p.daemons.length, 4);
});
