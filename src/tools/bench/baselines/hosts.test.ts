/** @module tools/bench/baselines/hosts.test — a run's input is checked before anything is made; hosts resolve to their plans. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FerryError } from '../../../core/errors.ts';
import { clusterFromPlan, planTestbed } from '../../testbed/index.ts';
import { baselineHosts, subnetCidr } from './hosts.ts';
import type { BaselineInput } from './types.ts';

const plan = planTestbed({ hosts: 2, subnet: '10.217.0', stateDir: '/var/lib/ferry/tb', bandwidthMbit: 1000, controlPort: 7070, dataPort: 7071 });
const cluster = clusterFromPlan(plan, new Map(), false, new Date(0));
const input: BaselineInput = { cluster, from: 'h1', to: 'h2', image: 'ferry/counter:2', name: 'bl-counter', env: [], heartbeatPath: '/data/counter.log', warmupMs: 0 };
const code = (c: string) => (e: FerryError): boolean => e.code === c;

void test('source and destination resolve to their records, plans and engines', () => {
  const { src, dst } = baselineHosts(input);
  assert.equal(src.host.ip, '10.217.0.11');
  assert.equal(src.plan.netnsPath, '/var/run/netns/ferry-0ad900-h1');
  assert.equal(src.plan.ifname, 'eth0');
  assert.equal(dst.engine.socketPath, '/run/ferry/0ad900-h2.sock');
  assert.equal(subnetCidr(cluster), '10.217.0.0/24');
});

void test('unusable input is refused before anything is made', () => {
  assert.throws(() => baselineHosts({ ...input, to: 'h1' }), code('FERRY_ERR_SAME_HOST'));
  assert.throws(() => baselineHosts({ ...input, to: 'h9' }), code('FERRY_ERR_UNKNOWN_HOST'));
  assert.throws(() => baselineHosts({ ...input, name: '../x' }), code('FERRY_ERR_INVALID_INPUT'));
  assert.throws(() => baselineHosts({ ...input, heartbeatPath: 'data/counter.log' }), code('FERRY_ERR_INVALID_INPUT'));
  assert.throws(() => baselineHosts({ ...input, warmupMs: -1 }), code('FERRY_ERR_INVALID_INPUT'));
});
