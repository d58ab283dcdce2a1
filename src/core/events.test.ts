import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { channels, liveMigrationEvents, publishMigrationEvent } from './events.ts';
import { repoRoot } from './paths.ts';

test('the registry names each channel once, as ferry:<area>:<what>, with what it carries and who publishes it', () => {
  const entries = Object.values(channels);
  assert.equal(new Set(entries.map((c) => c.name)).size, entries.length);
  for (const c of entries) {
    assert.match(c.name, /^ferry:[a-z]+(:[a-z]+)?$/);
    assert.ok(c.carries && c.publishers && c.subscribers, c.name);
  }
});

test('no file outside core/channel.ts opens a diagnostics channel: every one is in the registry', () => {
  const repo = repoRoot();
  const found = readdirSync(path.join(repo, 'src'), { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.test.ts'))
    .map((e) => path.relative(repo, path.join(e.parentPath, e.name)).split(path.sep).join('/'))
    .filter((file) => file !== 'src/core/channel.ts' && /from '(node:)?diagnostics_channel'/.test(readFileSync(path.join(repo, file), 'utf8')));
  assert.deepEqual(found, []);
});

test('a migration\'s live events: only its own, in order, from the call on, even before the first read', async () => {
  const ac = new AbortController();
  publishMigrationEvent('m-a', { type: 'phase', phase: 'before' });
  const live = liveMigrationEvents<{ type: string; n?: number }>('m-a', ac.signal);
  publishMigrationEvent('m-a', { type: 'progress', n: 1 });
  publishMigrationEvent('m-b', { type: 'progress', n: 99 });
  setImmediate(() => {
    publishMigrationEvent('m-a', { type: 'progress', n: 2 });
    publishMigrationEvent('m-a', { type: 'end' });
  });
  const seen: Array<{ type: string; n?: number }> = [];
  for await (const e of live) {
    seen.push(e);
    if (e.type === 'end') break;
  }
  assert.deepEqual(seen, [{ type: 'progress', n: 1 }, { type: 'progress', n: 2 }, { type: 'end' }]);
  assert.equal(channels.migrationEvent.hasSubscribers, false, 'leaving the loop unsubscribes');
});

test('aborting ends a waiting stream and unsubscribes one that was never read', async () => {
  const ac = new AbortController();
  const live = liveMigrationEvents('m-c', ac.signal);
  const never = liveMigrationEvents('m-d', ac.signal);
  assert.equal(channels.migrationEvent.hasSubscribers, true);
  setImmediate(() => ac.abort());
  const seen: unknown[] = [];
  for await (const e of live) seen.push(e);
  assert.deepEqual(seen, []);
  assert.equal(channels.migrationEvent.hasSubscribers, false);
  void never;
});
