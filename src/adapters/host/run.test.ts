import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { run } from './run.ts';
import { alive } from '../../../test/support/processes.ts';


test('a program that ends by itself: code, output, no failure', async () => {
  const r = await run('sh', ['-c', 'echo out; echo err >&2; exit 3']);
  assert.equal(r.code, 3);
  assert.equal(r.stdout, 'out\n');
  assert.equal(r.stderr, 'err\n');
  assert.equal(r.failure, undefined);
  assert.equal(r.timedOut, undefined);
});

test('a deadline kills the whole process group: the sleeping child of a shell dies with it', async () => {
  const started = Date.now();
  // The shell prints its child's PID, then waits for it; the child sleeps far past the deadline.
  const r = await run('sh', ['-c', 'sleep 60 & echo $!; wait'], { timeoutMs: 300 });
  const took = Date.now() - started;
  assert.equal(r.timedOut, true);
  assert.match(r.failure ?? '', /timed out after 300 ms/);
  assert.ok(took < 2500, `the deadline held (${took} ms)`);
  const child = Number(r.stdout.trim());
  assert.ok(child > 0, `the shell named its child (${r.stdout})`);
  for (let i = 0; i < 20 && alive(child); i++) await sleep(50);
  assert.equal(alive(child), false, `the sleeping child ${child} is gone`);
});

test('a child that holds the pipes outside the group cannot stretch the deadline', async () => {
  const started = Date.now();
  // setsid puts the sleeper in a group of its own; it keeps stdout open.
  const r = await run('sh', ['-c', 'setsid sleep 5 & wait'], { timeoutMs: 200 });
  assert.equal(r.timedOut, true);
  assert.ok(Date.now() - started < 4000, 'resolved after the grace, not when the escaped sleeper ends');
});

test('a program that cannot start is a failure, not a throw', async () => {
  const r = await run('/nonexistent/ferry-no-such-program', []);
  assert.notEqual(r.code, 0);
  assert.match(r.failure ?? '', /ENOENT/);
});
