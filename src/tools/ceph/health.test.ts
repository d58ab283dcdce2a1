/** @module tools/ceph/health.test — reading `ceph status --format json` (Pacific's flat and Octopus's nested osdmap). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clusterServes, describeHealth, parseClusterHealth, stuckOsds } from './health.ts';

const pacific = JSON.stringify({
  fsid: 'x',
  health: { status: 'HEALTH_WARN', checks: { MON_DISK_LOW: { severity: 'HEALTH_WARN', summary: { message: 'mon a is low on available space', count: 1 }, muted: false } }, mutes: [] },
  osdmap: { epoch: 20, num_osds: 3, num_up_osds: 3, osd_up_since: 1, num_in_osds: 3, osd_in_since: 1, num_remapped_pgs: 0 },
  mgrmap: { available: true, num_standbys: 0 },
});

void test('Pacific status: health, checks and OSD counts', () => {
  const h = parseClusterHealth(pacific);
  assert.deepEqual(h, { status: 'HEALTH_WARN', checks: ['MON_DISK_LOW: mon a is low on available space'], osds: { total: 3, up: 3, in: 3 }, mgrAvailable: true });
  assert.equal(clusterServes(h, 3), true);
  assert.equal(describeHealth(h), 'HEALTH_WARN, 3/3 OSDs up, 3 in (MON_DISK_LOW: mon a is low on available space)');
});

void test('Octopus nests the OSD counts', () => {
  const h = parseClusterHealth(JSON.stringify({ health: { status: 'HEALTH_OK' }, osdmap: { osdmap: { num_osds: 2, num_up_osds: 1, num_in_osds: 2 } } }));
  assert.deepEqual(h?.osds, { total: 2, up: 1, in: 2 });
  assert.equal(clusterServes(h, 2), false, 'one OSD is down');
});

void test('the cluster serves only with OK or WARN and every expected OSD up and in', () => {
  const h = parseClusterHealth(pacific);
  assert.ok(h);
  assert.equal(clusterServes({ ...h, status: 'HEALTH_ERR' }, 3), false);
  assert.equal(clusterServes(h, 4), false, 'an OSD never registered');
  assert.equal(clusterServes({ ...h, osds: { total: 3, up: 3, in: 2 } }, 3), false);
  assert.equal(clusterServes(null, 3), false);
});

void test('not a status', () => {
  assert.equal(parseClusterHealth('error connecting'), null);
  assert.equal(parseClusterHealth('{}'), null);
  assert.equal(describeHealth(null), 'unknown (the monitor does not answer)');
});

void test('an OSD whose oldest slow op is blocked long enough is stuck; a young slow op or another check is not', () => {
  const h = parseClusterHealth(pacific);
  assert.ok(h);
  const slow = (msg: string): typeof h => ({ ...h, checks: ['MON_DISK_LOW: mon a is low on available space', `SLOW_OPS: ${msg}`] });
  assert.deepEqual(stuckOsds(slow('1 slow ops, oldest one blocked for 34 sec, osd.2 has slow ops'), 30), [2]);
  assert.deepEqual(stuckOsds(slow('3 slow ops, oldest one blocked for 61 sec, daemons [osd.0,osd.2] have slow ops.'), 30), [0, 2]);
  assert.deepEqual(stuckOsds(slow('1 slow ops, oldest one blocked for 12 sec, osd.2 has slow ops'), 30), []);
  assert.deepEqual(stuckOsds(h, 30), []);
  assert.deepEqual(stuckOsds(null, 30), []);
});
