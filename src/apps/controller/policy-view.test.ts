/** @module apps/controller/policy-view.test — the policy page's data. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfig } from '../../core/config.ts';
import { policyView } from './policy-view.ts';

test('every policy is listed as data, the active one named; thresholds and app types come from the parameters', () => {
  const params = parseConfig({}).scheduler;
  const v = policyView('spread', params);
  assert.equal(v.active, 'spread');
  assert.deepEqual(v.policies.map((p) => p.name), ['elastic', 'spread', 'binpack', 'kube']);
  const elastic = v.policies[0];
  assert.deepEqual(elastic?.filters, ['node-awake', 'fits-resources', 'colour-room']);
  assert.deepEqual(elastic?.scorers.map((s) => s.weight), [3, 1]);
  assert.equal(elastic?.rebalances, true);
  assert.equal(v.policies[1]?.rebalances, false);
  assert.equal(v.thresholds['greenBelow'], params.greenBelow);
  assert.equal(v.thresholds['appTypes'], undefined);
  assert.deepEqual(v.appTypes['balanced'], params.appTypes['balanced']);
  assert.equal(v.defaultAppType, 'balanced');
});
