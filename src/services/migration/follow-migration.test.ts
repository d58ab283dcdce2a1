import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FerryError } from '../../core/errors.ts';
import type { MigrationEvent } from './source-types.ts';
import type { MigrationReport } from '../../domain/migration/report.ts';
import { followMigration, type FollowPort } from './follow-migration.ts';
import { isCode } from '../../../test/support/errors.ts';

const report = (outcome: MigrationReport['outcome']) => ({ outcome }) as MigrationReport;
const phase = (p: string): MigrationEvent => ({ type: 'phase', phase: p, at: 0 }) as MigrationEvent;
const silent = () => new FerryError('FERRY_ERR_PEER_TIMEOUT', 'sent nothing for 30000 ms');

/** A fake source agent: each stream opening plays the next script (events, then an error or the end). */
function fakeAgent(scripts: Array<{ events: MigrationEvent[]; then?: FerryError }>, o: { alive?: boolean[]; record?: () => { phase: string; report: MigrationReport } } = {}) {
  const alive = [...(o.alive ?? [])];
  const calls = { streams: 0, health: 0, records: 0 };
  const port: FollowPort = {
    async *stream<T>(): AsyncIterable<T> {
      const script = scripts[calls.streams++];
      if (!script) throw new Error('no more scripts');
      for (const ev of script.events) yield await Promise.resolve(ev as T);
      if (script.then) throw script.then;
    },
    call<T>(): Promise<T> {
      calls.records++;
      return Promise.resolve((o.record?.() ?? { phase: 'stop', report: report('running') }) as T);
    },
    alive(): Promise<boolean> {
      calls.health++;
      return Promise.resolve(alive.length ? (alive.shift() as boolean) : true);
    },
  };
  return { port, calls };
}

const fast = { from: 'h1', healthPauseMs: 1, reopenPauseMs: 1 };

test('a silent stream of a live agent is re-opened; the repeated phase is not shown again', async () => {
  const end: MigrationEvent = { type: 'end', report: report('migrated') };
  const { port, calls } = fakeAgent([
    { events: [phase('preflight'), phase('stop')], then: silent() },
    { events: [phase('stop'), { type: 'heartbeat', phase: 'stop', phaseMs: 40_000, at: 0 }, phase('transfer'), end] },
  ]);
  const shown: MigrationEvent[] = [];
  const got = await followMigration(port, 'm-1', (ev) => shown.push(ev), fast);
  assert.equal(got.outcome, 'migrated');
  assert.deepEqual(shown.map((e) => (e.type === 'phase' ? e.phase : e.type)), ['preflight', 'stop', 'heartbeat', 'transfer', 'end']);
  assert.equal(calls.streams, 2);
  assert.equal(calls.health, 1, 'the agent was asked whether it runs before anything was blamed');
});

test('a migration that ended while the stream was down is read from its record', async () => {
  const { port } = fakeAgent([{ events: [phase('stop')], then: silent() }], { record: () => ({ phase: 'rolled-back', report: report('rolled-back') }) });
  const shown: MigrationEvent[] = [];
  assert.equal((await followMigration(port, 'm-1', (ev) => shown.push(ev), fast)).outcome, 'rolled-back');
  assert.equal(shown.at(-1)?.type, 'end');
});

test('only an agent that does not answer /v1/health is lost', async () => {
  const broken = new FerryError('FERRY_ERR_AGENT_UNREACHABLE', 'agent at http://x did not answer GET /v1/migrations/m-1/events: terminated');
  const { port, calls } = fakeAgent([{ events: [phase('transfer')], then: broken }], { alive: [false, false, false] });
  await assert.rejects(followMigration(port, 'm-1', () => undefined, fast), isCode('FERRY_ERR_AGENT_UNREACHABLE', /lost the source agent h1 during migration m-1: it does not answer \/v1\/health \(.*terminated\)/));
  assert.equal(calls.health, 3);
  assert.equal(calls.records, 0);
});

test('an agent that answers /v1/health once of three probes is not lost', async () => {
  const { port } = fakeAgent([{ events: [phase('stop')], then: silent() }, { events: [{ type: 'end', report: report('migrated') }] }], { alive: [false, true] });
  assert.equal((await followMigration(port, 'm-1', () => undefined, fast)).outcome, 'migrated');
});

test('a stream that keeps breaking with nothing new ends as FERRY_ERR_PEER_TIMEOUT, not as a lost agent', async () => {
  const scripts = Array.from({ length: 10 }, () => ({ events: [phase('stop')], then: silent() }));
  await assert.rejects(followMigration(fakeAgent(scripts).port, 'm-1', () => undefined, { ...fast, maxReopens: 2 }), isCode('FERRY_ERR_PEER_TIMEOUT', /answers \/v1\/health, but its event stream of migration m-1 \(now in stop\) broke 3 times/));
});

test('an error the agent answers with is passed on as it is', async () => {
  const { port } = fakeAgent([{ events: [], then: new FerryError('FERRY_ERR_UNKNOWN_MIGRATION', 'no migration m-1 on this host') }]);
  await assert.rejects(followMigration(port, 'm-1', () => undefined, fast), isCode('FERRY_ERR_UNKNOWN_MIGRATION'));
});
