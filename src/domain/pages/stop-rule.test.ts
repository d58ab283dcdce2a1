import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decideStop, DEFAULT_STOP_POLICY, type RoundStats, type StopDecision } from './stop-rule.ts';

const MB = 1e6;
const round = (dirtyMB: number, sentMB: number, bwMBps = 100, deferredMB = 0): RoundStats => ({ dirtyBytes: dirtyMB * MB, sentBytes: sentMB * MB, deferredBytes: deferredMB * MB, bandwidthBps: bwMBps * MB });
const rule = (d: StopDecision) => (d.stop ? d.rule : 'go on');

test('no round yet: go on', () => {
  assert.equal(rule(decideStop([], 0, 100 * MB)), 'go on');
});

test('the final round fits the 300 ms budget at the measured bandwidth', () => {
  assert.equal(rule(decideStop([round(500, 1000)], 25 * MB, 1000 * MB)), 'fits-downtime-budget', '25 MB at 100 MB/s = 250 ms');
  assert.equal(rule(decideStop([round(500, 1000)], 40 * MB, 1000 * MB)), 'go on', '40 MB at 100 MB/s = 400 ms');
  const d = decideStop([round(500, 1000)], 25 * MB, 1000 * MB);
  assert.ok(d.stop && /250 ms/.test(d.detail));
});

test('a quiet round measures no bandwidth; the last measured one counts', () => {
  assert.equal(rule(decideStop([round(100, 100, 50), round(1, 0, 0)], 10 * MB, 1000 * MB)), 'fits-downtime-budget');
});

test('nothing dirty: stops at once on the budget rule', () => {
  assert.equal(rule(decideStop([round(0, 1000)], 0, 1000 * MB)), 'fits-downtime-budget');
});

test('the dirty set growing by more than 10 % stops (P.Haul)', () => {
  assert.equal(rule(decideStop([round(100, 1000), round(111, 100)], 500 * MB, 1000 * MB)), 'dirty-set-growing');
  const noConverge = { ...DEFAULT_STOP_POLICY, shrinkMargin: 0 };
  assert.equal(rule(decideStop([round(100, 1000), round(110, 100)], 500 * MB, 1000 * MB, noConverge)), 'go on', 'exactly 10 % is not over');
});

test('every page dirty every round: the cap on rounds ends it', () => {
  const rounds = Array.from({ length: DEFAULT_STOP_POLICY.maxRounds }, () => round(1000, 100));
  const p = { ...DEFAULT_STOP_POLICY, shrinkMargin: 0 };
  assert.equal(rule(decideStop(rounds.slice(0, 7), 1000 * MB, 10_000 * MB, p)), 'go on');
  assert.equal(rule(decideStop(rounds, 1000 * MB, 10_000 * MB, p)), 'too-many-rounds');
});

test('bytes sent reaching 3x the footprint ends it', () => {
  const p = { ...DEFAULT_STOP_POLICY, shrinkMargin: 0 };
  assert.equal(rule(decideStop([round(500, 1000), round(500, 1000), round(500, 1000)], 500 * MB, 1000 * MB, p)), 'too-many-bytes');
  assert.equal(rule(decideStop([round(500, 1000), round(500, 999)], 500 * MB, 1000 * MB, p)), 'go on');
});

test('each part is configurable', () => {
  const p = { ...DEFAULT_STOP_POLICY, downtimeBudgetMs: 1000, maxRounds: 2, shrinkMargin: 0 };
  assert.equal(rule(decideStop([round(500, 1000)], 90 * MB, 1000 * MB, p)), 'fits-downtime-budget');
  assert.equal(rule(decideStop([round(500, 10), round(500, 10)], 500 * MB, 1000 * MB, p)), 'too-many-rounds');
});

test('the dirty set that stops shrinking by the margin ends the rounds (converged)', () => {
  // 1 GiB at 50 MB/s: round 2 halves the set, round 3 floors at what a scan lets the writer dirty.
  assert.equal(rule(decideStop([round(1000, 1000), round(400, 400)], 400 * MB, 1000 * MB)), 'go on', 'shrank 60 %');
  const d = decideStop([round(1000, 1000), round(400, 400), round(370, 370)], 370 * MB, 1000 * MB);
  assert.equal(rule(d), 'dirty-set-converged', 'shrank 7.5 %, under 10 %');
  assert.ok(d.stop && /7 % smaller \(under the 10 % margin\)/.test(d.detail), d.stop ? d.detail : '');
  assert.equal(rule(decideStop([round(1000, 1000), round(400, 400), round(350, 350)], 350 * MB, 1000 * MB)), 'go on', 'shrank 12.5 %');
  assert.equal(rule(decideStop([round(100, 1000), round(111, 100)], 500 * MB, 1000 * MB)), 'dirty-set-growing', 'growth is named as such');
  assert.equal(rule(decideStop([round(1000, 1000), round(400, 400), round(370, 370)], 370 * MB, 1000 * MB, { ...DEFAULT_STOP_POLICY, shrinkMargin: 0 })), 'go on', '0 turns it off');
});
