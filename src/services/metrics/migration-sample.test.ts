import { test } from 'node:test';
import assert from 'node:assert/strict';
import { migrationSample } from './migration-sample.ts';
import { precopyMove, prestoreMove, rolledBackMove } from './reports.test-data.ts';

test('a pre-copy move: seconds, rounds, stop rule, lazy window, carried connections and the client gap', () => {
  assert.deepEqual(migrationSample(precopyMove()), {
    strategy: 'precopy', outcome: 'migrated', directBytes: 40e6, storeBytes: 0, precopyRounds: 3,
    totalSeconds: 9, frozenSeconds: 2.5, stopRule: 'dirty-set-converged', lazyWindowSeconds: 1.8, clientGapSeconds: 2.7,
    connections: { fate: 'carried', inside: 2, outside: 3 },
  });
});

test('a pre-storage move counts the pages and the image it uploaded as bytes through the store', () => {
  const s = migrationSample(prestoreMove());
  assert.equal(s.storeBytes, 100e6);
  assert.equal(s.directBytes, 40e6);
  assert.equal(s.precopyRounds, 0);
  assert.equal(s.stopRule, undefined);
});

test('a move rolled back before the freeze has no frozen time, and its connections stayed on the source', () => {
  const s = migrationSample(rolledBackMove());
  assert.equal(s.outcome, 'rolled-back');
  assert.equal(s.totalSeconds, 0.4);
  assert.ok(!('frozenSeconds' in s));
  assert.equal(s.connections, undefined);
});

test('connections a --drop-connections move closed are counted as closed', () => {
  const r = precopyMove();
  if (r.network) r.network.tcp = 'close';
  assert.deepEqual(migrationSample(r).connections, { fate: 'closed', inside: 2, outside: 3 });
});
