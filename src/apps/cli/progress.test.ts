import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { MigrationEvent } from '../../services/migration/source.ts';
import type { MigrationReport } from '../../domain/migration/report.ts';
import { ProgressView, elapsedLine } from './progress.ts';

/** A stream that keeps what is written; `isTTY` as asked. */
function sink(isTTY: boolean): { out: NodeJS.WriteStream; text: () => string } {
  let text = '';
  const out = { isTTY, write: (s: string) => { text += s; return true; } } as unknown as NodeJS.WriteStream;
  return { out, text: () => text };
}

const phase = (p: string): MigrationEvent => ({ type: 'phase', phase: p, at: 0 }) as MigrationEvent;

test('the elapsed line names the step and whole seconds', () => {
  assert.equal(elapsedLine('stop', 12_900), '  stop: 12 s');
});

test('not a TTY: a long step prints its name and elapsed seconds every 10 s', () => {
  let now = 1_000_000;
  const { out, text } = sink(false);
  const view = new ProgressView(out, { now: () => now, tickMs: 0 });
  view.show(phase('stop'));
  for (let s = 1; s <= 25; s++) {
    now += 1000;
    view.tick();
  }
  assert.equal(text(), '→ stop\n  stop: 10 s\n  stop: 20 s\n');
  now += 1000;
  view.show(phase('transfer'));
  assert.match(text(), /  stop {9}done in 26000 ms\n→ transfer\n$/);
});

test('a heartbeat from the agent sets the clock: a re-opened stream still counts from the start of the step', () => {
  let now = 1_000_000;
  const { out, text } = sink(false);
  const view = new ProgressView(out, { now: () => now, tickMs: 0 });
  view.show(phase('stop'));
  now += 10_000;
  view.show({ type: 'heartbeat', phase: 'stop', phaseMs: 95_000, at: now });
  assert.match(text(), /  stop: 95 s\n$/);
});

test('a TTY redraws the step and its seconds in place, and clears the line at the end', () => {
  let now = 1_000_000;
  const { out, text } = sink(true);
  const view = new ProgressView(out, { now: () => now, tickMs: 0 });
  view.show(phase('stop'));
  now += 1000;
  view.tick();
  now += 1000;
  view.tick();
  assert.ok(text().endsWith('\r\x1b[K  stop: 1 s\r\x1b[K  stop: 2 s'), JSON.stringify(text()));
  view.show({ type: 'end', report: { outcome: 'rolled-back' } as MigrationReport });
  assert.ok(text().endsWith('\r\x1b[K'));
});

test('with the agent\'s estimate, a progress line says how long the first copy has left', () => {
  let now = 1_000_000;
  const { out, text } = sink(false);
  const view = new ProgressView(out, { now: () => now, tickMs: 0 });
  view.show(phase('precopy'));
  view.show({ type: 'estimate', bytes: 100 * 1048576, at: now });
  for (let s = 1; s <= 4; s++) {
    now += 1000;
    view.show({ type: 'progress', root: 'memory', rawBytes: s * 10 * 1048576, wireBytes: s * 5 * 1048576, at: now });
  }
  assert.match(text(), /memory: 40\.0 MiB sent \(20\.0 MiB on the wire\), 10\.0 MiB\/s, about 6 s left of the first copy\n$/);
});
