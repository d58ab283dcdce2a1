/** @module apps/controller/dashboard-feed.test — the feed with a fake controller and agent: nodes, the log's backlog, a migration followed to its end. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FollowPort } from '../../services/migration/follow-migration.ts';
import type { MigrationEvent } from '../../services/migration/source-types.ts';
import { finishReport, newReport } from '../../domain/migration/report.ts';
import { dashboardFeed } from './dashboard-feed.ts';
import type { FeedMessage, MapNode } from './dashboard-messages.ts';
import type { EventRow } from './records.ts';
import { parseConfig } from '../../core/config.ts';
import { policyView } from './policy-view.ts';

const node: MapNode = { name: 'h1', state: 'active', colour: 'blue', wi: 0.4, parts: { memory: 0.1, cpu: 0.2, network: 0.1 }, usage: { memory: 0, cpu: 0, network: 0 }, capacity: { cpuMillis: 1000, memoryMiB: 1024, networkMbps: 1000 }, containers: 1, containerNames: ['c'] };
const events: EventRow[] = [1, 2, 3].map((id) => ({ id, at: id, kind: 'register', subject: `h${id}`, reason: 'registered', detail: '', numbers: {} }));

/** An agent with one running migration whose events go preflight → stage → done. */
function fakeAgent(): FollowPort {
  const report = newReport({ migrationId: 'm1', container: 'c', from: 'h1', to: 'h2', strategy: 'precopy' }, 0);
  report.frozenMs = 7;
  finishReport(report, 'migrated', 10);
  const evs: MigrationEvent[] = [{ type: 'phase', phase: 'preflight', at: 1 }, { type: 'phase', phase: 'stage', at: 2 }, { type: 'phase', phase: 'done', at: 3 }, { type: 'end', report }];
  return {
    call: <T>() => Promise.resolve([{ id: 'm1', container: 'c', phase: 'preflight', to: 'h2', outcome: 'running', updatedAt: 1 }] as T),
    stream: async function* <T>() { for (const e of evs) yield await Promise.resolve(e as T); },
    alive: () => Promise.resolve(true),
  };
}

test('sends the backlog, the nodes and a migration phase by phase', async () => {
  const feed = dashboardFeed({ nodes: () => [node], policy: () => policyView('elastic', parseConfig({}).scheduler), events: (after) => events.filter((e) => e.id > after), agents: () => [{ name: 'h1', client: fakeAgent() }] }, { everyMs: 20, backlog: 2 });
  const got: FeedMessage[] = [];
  for await (const m of feed) {
    got.push(m.data as FeedMessage);
    const last = m.data as FeedMessage;
    if (last.type === 'migration' && last.migration.outcome !== 'running') break;
  }
  assert.deepEqual(got.filter((m) => m.type === 'event').map((m) => m.type === 'event' && m.event.id), [2, 3], 'the last `backlog` events');
  assert.equal(got.filter((m) => m.type === 'nodes').length, 1, 'unchanged nodes are sent once');
  assert.deepEqual(got.flatMap((m) => (m.type === 'policy' ? [m.policy.active] : [])), ['elastic'], 'an unchanged policy is sent once');
  const phases = got.flatMap((m) => (m.type === 'migration' ? [m.migration.phase] : []));
  assert.deepEqual(phases, ['preflight', 'stage', 'done', 'migrated']);
  const last = got.at(-1);
  assert.equal(last?.type === 'migration' && last.migration.frozenMs, 7);
});

test('an agent that does not answer holds back nothing: the other agent\'s migration arrives phase by phase', { timeout: 10_000 }, async () => {
  const silent: FollowPort = { call: () => new Promise(() => undefined), stream: async function* () { /* nothing */ }, alive: () => Promise.resolve(false) };
  const feed = dashboardFeed({ nodes: () => [node], policy: () => policyView('elastic', parseConfig({}).scheduler), events: () => [], agents: () => [{ name: 'h2', client: silent }, { name: 'h1', client: fakeAgent() }] }, { everyMs: 20, backlog: 2 });
  const phases: string[] = [];
  for await (const m of feed) {
    const msg = m.data as FeedMessage;
    if (msg.type !== 'migration') continue;
    phases.push(msg.migration.phase);
    if (msg.migration.outcome !== 'running') break;
  }
  assert.deepEqual(phases, ['preflight', 'stage', 'done', 'migrated']);
});

test('a closed connection stops following its migrations: the agent\'s event stream is closed', { timeout: 15_000 }, async () => {
  let streamClosed = false;
  let beats = 0;
  const endless: FollowPort = {
    call: <T>() => Promise.resolve([{ id: 'm1', container: 'c', phase: 'precopy', to: 'h2', outcome: 'running', updatedAt: 1 }] as T),
    // Heartbeats for up to 10 s (so that a regression fails rather than hangs).
    stream: async function* <T>() {
      try {
        for (let at = 0; at < 1000; at++, beats++) {
          await new Promise((r) => setTimeout(r, 10));
          yield { type: 'heartbeat', phase: 'precopy', at } as T;
        }
      } finally {
        streamClosed = true;
      }
    },
    alive: () => Promise.resolve(true),
  };
  const feed = dashboardFeed({ nodes: () => [node], policy: () => policyView('elastic', parseConfig({}).scheduler), events: () => [], agents: () => [{ name: 'h1', client: endless }] }, { everyMs: 20, backlog: 2 });
  for await (const m of feed) if ((m.data as FeedMessage).type === 'migration') break;
  while (!streamClosed) await new Promise((r) => setTimeout(r, 10));
  assert.ok(beats < 100, `the stream was closed after ${beats} heartbeats (10 ms apart), not at once`);
});
