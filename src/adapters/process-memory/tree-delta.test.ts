import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Stats } from 'node:fs';
import { TreeDelta } from './tree-delta.ts';

const st = (ino: number, size: number, mtimeMs = 1) => ({ ino, size, mtimeMs, ctimeMs: mtimeMs, mode: 0o100644 }) as Stats;

function walk(delta: TreeDelta, files: Record<string, Stats>, live = true, torn: string[] = []) {
  const r = delta.round(live);
  const sent = Object.entries(files).filter(([rel, s]) => r.select?.(rel, s)).map(([rel]) => rel);
  for (const t of torn) r.onTorn?.(t);
  return { sent, deleted: r.deleted(), selected: r.selected };
}

test('the first round sends everything; an unchanged tree sends nothing after', () => {
  const d = new TreeDelta();
  assert.deepEqual(walk(d, { a: st(1, 10), b: st(2, 20) }).sent, ['a', 'b']);
  assert.deepEqual(walk(d, { a: st(1, 10), b: st(2, 20) }), { sent: [], deleted: [], selected: 0 });
});

test('a changed file is sent again, a deleted one is reported once, a replaced one (new inode) is sent', () => {
  const d = new TreeDelta();
  walk(d, { a: st(1, 10), b: st(2, 20), c: st(3, 1) });
  const r = walk(d, { a: st(1, 11, 2), c: st(9, 1) });
  assert.deepEqual(r.sent, ['a', 'c']);
  assert.deepEqual(r.deleted, ['b']);
  assert.deepEqual(walk(d, { a: st(1, 11, 2), c: st(9, 1) }).deleted, []);
});

test('a file torn while read (it changed mid-send) is sent again next round', () => {
  const d = new TreeDelta();
  assert.deepEqual(walk(d, { log: st(1, 100) }, true, ['log']).sent, ['log']);
  assert.deepEqual(walk(d, { log: st(1, 100) }, false).sent, ['log']);
  assert.deepEqual(walk(d, { log: st(1, 100) }, false).sent, []);
});
