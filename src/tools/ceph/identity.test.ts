/** @module tools/ceph/identity.test — a cluster's identity is made once, grows with OSDs and never changes address. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { planWithIdentity, reconcileIdentity } from './identity.ts';
import { planCeph } from './plan.ts';

const plan = planCeph({ stateDir: '/var/lib/ferry/ceph', address: '10.212.0.1', rgwPort: 7480, osds: 2, osdSizeMiB: 1024, bucket: 'ferry', region: 'us-east-1' });
const uuids = (): (() => string) => {
  let n = 0;
  return () => `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`;
};

void test('a fresh identity: fsid and one uuid per OSD', () => {
  const id = reconcileIdentity(null, plan, uuids(), new Date('2026-01-02T03:04:05Z'));
  assert.equal(id.fsid, '00000000-0000-4000-8000-000000000001');
  assert.deepEqual(id.osds.map((o) => o.id), [0, 1]);
  assert.equal(id.address, '10.212.0.1');
  assert.equal(id.createdAt, '2026-01-02T03:04:05.000Z');
});

void test('an existing identity is kept, and only gains OSDs', () => {
  const first = reconcileIdentity(null, plan, uuids());
  assert.deepEqual(reconcileIdentity(first, plan, uuids()), first);
  const grown = reconcileIdentity(first, planCeph({ ...plan, osds: 3 }), () => '00000000-0000-4000-8000-00000000000f');
  assert.equal(grown.fsid, first.fsid);
  assert.deepEqual(grown.osds.map((o) => o.uuid), [...first.osds.map((o) => o.uuid), '00000000-0000-4000-8000-00000000000f']);
  assert.deepEqual(reconcileIdentity(grown, plan, uuids()), grown, 'a smaller storage.osds keeps the OSDs made');
  assert.equal(planWithIdentity(plan, grown).daemons.filter((d) => d.kind === 'osd').length, 3);
  assert.equal(planWithIdentity(plan, null), plan);
});

void test('the address cannot change under an existing monitor', () => {
  const first = reconcileIdentity(null, plan, uuids());
  assert.throws(() => reconcileIdentity(first, planCeph({ ...plan, address: '10.212.0.2' })), { code: 'FERRY_ERR_CONFIG', message: /was made for 10\.212\.0\.1/ });
});
