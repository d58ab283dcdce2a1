import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { StateStore } from './state-store.ts';

const cap = { cpuMillis: 1000, memoryMiB: 2048, networkMbps: 1000 };

/** A store in a fresh directory, reopened to prove what survives a restart. */
function withStore(fn: (open: () => StateStore) => void): void {
  const dir = mkdtempSync(path.join(tmpdir(), 'ferry-state-'));
  try {
    fn(() => new StateStore(path.join(dir, 'c.db')));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('nodes, containers, migrations, events and kv survive a reopen', () => {
  withStore((open) => {
    const a = open();
    a.upsertNode({ name: 'h1', controlUrl: 'http://10.0.0.1:7070', dataHost: '10.0.0.1', capacity: cap, zone: 'A', rack: 'r1' }, 1);
    a.setNodeState('h1', 'draining');
    a.putContainer({ name: 'c1', app: 'web', appType: 'balanced', node: 'h1', image: 'ferry/load:1', request: { cpuMillis: 200, memoryMiB: 64, networkMbps: 0 }, status: 'running', createdAt: 2 });
    const id = a.addMigration({ container: 'c1', from: 'h1', to: 'h2', reason: 'under-used', startedAt: 3 });
    a.updateMigration(id, { agentId: 'm-1', state: 'running' });
    a.addEvent({ at: 4, kind: 'drain', subject: 'h1', reason: 'under-used', detail: 'x', numbers: { wi: 0.1 } });
    a.set('memory', { x: 1 });
    a.close();
    const b = open();
    assert.equal(b.node('h1')?.state, 'draining');
    // Re-registration keeps the state the controller decided.
    b.upsertNode({ name: 'h1', controlUrl: 'http://10.0.0.1:7070', dataHost: '10.0.0.1', capacity: cap, zone: 'A', rack: 'r1' }, 9);
    assert.equal(b.node('h1')?.state, 'draining');
    assert.equal(b.node('h1')?.registeredAt, 1);
    assert.deepEqual(b.migrations(true).map((m) => [m.id, m.agentId, m.state]), [[id, 'm-1', 'running']]);
    assert.equal(b.events(0)[0]?.numbers['wi'], 0.1);
    assert.deepEqual(b.get('memory'), { x: 1 });
    b.updateMigration(id, { state: 'migrated', endedAt: 5 });
    assert.equal(b.migrations(true).length, 0);
    b.close();
  });
});

test('samples keep the newest and come back oldest first; clearing starts a new series', () => {
  withStore((open) => {
    const s = open();
    const row = (seq: number) => ({ node: 'h1', seq, at: seq * 1000, load: { cpuMillis: seq, memoryMiB: 1, networkMbps: 0 }, containers: [] });
    s.addSamples([row(1), row(2), row(3)]);
    s.addSamples([row(3), row(4)]); // seq 3 again is ignored
    assert.deepEqual(s.lastSamples('h1', 2).map((r) => r.seq), [3, 4]);
    s.clearSamples('h1');
    assert.equal(s.lastSamples('h1', 5).length, 0);
    s.close();
  });
});
