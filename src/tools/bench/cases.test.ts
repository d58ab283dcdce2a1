import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findRow, linksOf, rowLabel, rowsOfCase } from './cases.ts';
import { FIXTURE, HEADLINE } from './fixture.test-data.ts';

test('a row is plain only when it is a ferry row marked tls=false; baselines and old rows count as TLS', () => {
  assert.deepEqual(FIXTURE.rows.filter((r) => linksOf(r) === 'plain').map(rowLabel), ['stop-copy, TLS off', 'precopy, TLS off']);
  const baseline = findRow(FIXTURE.rows, HEADLINE, 'baseline-stopcopy');
  assert.ok(baseline && linksOf(baseline) === 'tls' && rowLabel(baseline) === 'baseline-stopcopy');
});

test('findRow gives the TLS row unless asked for its twin', () => {
  assert.equal(findRow(FIXTURE.rows, HEADLINE, 'precopy')?.totalMs, 7_600);
  assert.equal(findRow(FIXTURE.rows, HEADLINE, 'precopy', 'plain')?.totalMs, 7_200);
  assert.equal(findRow(FIXTURE.rows, HEADLINE, 'podman', 'plain'), undefined);
});

test('a twin follows its row in a case\'s table', () => {
  assert.deepEqual(rowsOfCase(FIXTURE.rows, HEADLINE).map(rowLabel), ['baseline-stopcopy', 'podman', 'stop-copy', 'stop-copy, TLS off', 'precopy-nodefer', 'precopy', 'precopy, TLS off', 'bound']);
});
