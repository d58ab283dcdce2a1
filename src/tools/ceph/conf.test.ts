/** @module tools/ceph/conf.test — the ceph.conf text: required settings present, nothing bound to 0.0.0.0. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cephConf, TUNING } from './conf.ts';
import { planCeph } from './plan.ts';

const plan = planCeph({ stateDir: '/var/lib/ferry/ceph', address: '10.212.0.1', rgwPort: 7480, osds: 3, osdSizeMiB: 1024, bucket: 'ferry', region: 'us-east-1' });
const FSID = '6f1c8a4e-2b7d-4c55-9d1e-0a3b5c7d9e11';
const text = cephConf(plan, FSID);

/** The settings of one section, as key → value. */
function sectionOf(name: string): Map<string, string> {
  const out = new Map<string, string>();
  let current = '';
  for (const line of text.split('\n')) {
    const head = /^\[(.+)\]$/.exec(line);
    if (head) current = head[1] ?? '';
    const kv = /^(\w+) = (.*)$/.exec(line);
    if (kv && current === name) out.set(kv[1] ?? '', kv[2] ?? '');
  }
  return out;
}

void test('auth is off everywhere and the monitor client mode is crc (radosgw needs it then)', () => {
  const g = sectionOf('global');
  for (const k of ['auth_cluster_required', 'auth_service_required', 'auth_client_required']) assert.equal(g.get(k), 'none', k);
  assert.equal(g.get('ms_mon_client_mode'), 'crc');
  assert.equal(g.get('fsid'), FSID);
});

void test('every daemon binds the cluster address; nothing binds 0.0.0.0', () => {
  const g = sectionOf('global');
  assert.equal(g.get('mon_host'), '[v2:10.212.0.1:3300,v1:10.212.0.1:6789]');
  assert.equal(g.get('public_addr'), '10.212.0.1');
  assert.equal(g.get('cluster_addr'), '10.212.0.1');
  assert.equal(g.get('public_network'), '10.212.0.1/32');
  assert.equal(g.get('ms_bind_ipv6'), 'false');
  assert.equal(sectionOf('client.rgw.ferry').get('rgw_frontends'), 'beast endpoint=10.212.0.1:7480');
  assert.doesNotMatch(text, /0\.0\.0\.0|::/);
});

void test('small single-machine pools: one replica allowed, min_size 1, placement across OSDs not hosts', () => {
  const g = sectionOf('global');
  assert.equal(g.get('osd_pool_default_size'), String(TUNING.replicas));
  assert.equal(g.get('osd_pool_default_min_size'), '1');
  assert.equal(g.get('mon_allow_pool_size_one'), 'true');
  assert.equal(g.get('mon_warn_on_pool_no_redundancy'), 'false');
  assert.equal(g.get('osd_crush_chooseleaf_type'), '0');
  assert.equal(g.get('osd_pool_default_pg_autoscale_mode'), 'off');
});

void test('start-up speed: short paxos interval, few OSD shards, no fsck at mkfs, no optional mgr modules', () => {
  assert.equal(sectionOf('mon').get('paxos_propose_interval'), String(TUNING.paxosProposeIntervalS));
  assert.equal(sectionOf('osd').get('osd_op_num_shards'), String(TUNING.osdShards));
  assert.equal(sectionOf('osd').get('bluestore_fsck_on_mkfs'), 'false');
  assert.equal(sectionOf('global').get('mgr_initial_modules'), '');
});

void test('bluestore cache fixed and small (osd_memory_target cannot go below 896 MiB)', () => {
  const o = sectionOf('osd');
  assert.equal(o.get('bluestore_cache_autotune'), 'false');
  assert.equal(o.get('bluestore_cache_size'), String(TUNING.bluestoreCacheMiB * 1024 * 1024));
  assert.equal(o.get('bluestore_block_size'), String(1024 * 1024 * 1024));
  assert.equal(o.get('osd_memory_target'), undefined);
});

void test('every path is under the state dir; nothing under /etc/ceph or /var/log/ceph', () => {
  for (const [k, v] of [...sectionOf('global'), ...sectionOf('mon'), ...sectionOf('client.rgw.ferry')]) {
    if (v.startsWith('/')) assert.ok(v.startsWith('/var/lib/ferry/ceph/'), `${k} = ${v}`);
  }
  assert.doesNotMatch(text, /\/etc\/ceph|\/var\/log\/ceph|\/var\/lib\/ceph/);
  assert.equal(sectionOf('client').get('admin_socket'), '');
  assert.equal(sectionOf('client.rgw.ferry').get('admin_socket'), '$run_dir/$name.asok');
});
