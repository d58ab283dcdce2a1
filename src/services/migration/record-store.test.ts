import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { RecordStore } from './record-store.ts';

test('records survive a reopen and unfinished ones are found by phase', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ferry-records-'));
  try {
    const file = path.join(dir, 'agent.db');
    let store = new RecordStore(file);
    store.put({ id: 'm1', role: 'source', container: 'c', phase: 'transfer', data: { frozen: true }, createdAt: 1 });
    store.put({ id: 'm2', role: 'source', container: 'd', phase: 'done', data: {}, createdAt: 2 });
    store.put({ id: 'm1', role: 'destination', container: 'c', phase: 'created', data: {}, createdAt: 1 });
    store.close();
    store = new RecordStore(file);
    assert.deepEqual(store.get('m1', 'source')?.data, { frozen: true });
    assert.deepEqual(store.unfinished('source', ['done', 'rolled-back']).map((r) => r.id), ['m1']);
    assert.equal(store.list('destination').length, 1);
    store.put({ id: 'm1', role: 'source', container: 'c', phase: 'rolled-back', data: {}, createdAt: 1 });
    assert.equal(store.unfinished('source', ['done', 'rolled-back']).length, 0);
    store.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
