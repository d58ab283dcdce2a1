import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PowerSwitch, readPowerState, type PowerDeps } from './power.ts';
import type { RunResult } from '../../adapters/host/run.ts';
import { isCode } from '../../../test/support/errors.ts';

/** A power switch over a fake engine and hook; `calls` records what happened, in order. */
function rig(o: { hook?: string[] | null; busy?: string; hookFails?: boolean; initial?: 'awake' | 'sleeping' } = {}) {
  const dir = mkdtempSync(path.join(tmpdir(), 'ferry-power-'));
  const calls: string[] = [];
  let engineUp = o.initial !== 'sleeping';
  const deps: PowerDeps = {
    file: path.join(dir, 'power.json'),
    hook: o.hook === null ? undefined : (o.hook ?? ['/hook', 'h1']),
    ping: () => Promise.resolve(engineUp),
    busy: () => Promise.resolve(o.busy),
    down: () => { calls.push('down'); return Promise.resolve(); },
    up: () => { calls.push('up'); return Promise.resolve(); },
    runHook: (argv): Promise<RunResult> => {
      calls.push(argv.join(' '));
      if (o.hookFails) return Promise.resolve({ code: 3, stdout: '', stderr: 'no such host\n' });
      engineUp = argv.at(-1) === 'on';
      return Promise.resolve({ code: 0, stdout: '', stderr: '' });
    },
  };
  const power = new PowerSwitch(deps, o.initial ?? 'awake');
  return { power, calls, file: deps.file, done: () => rmSync(dir, { recursive: true, force: true }) };
}

test('sleep stops the services, then runs the hook with off, and persists; wake reverses it; both idempotent', async () => {
  const r = rig();
  assert.equal(await r.power.sleep(), 'sleeping');
  assert.equal(await r.power.sleep(), 'sleeping');
  assert.deepEqual(r.calls, ['down', '/hook h1 off'], 'the second sleep did nothing');
  assert.equal(await readPowerState(r.file), 'sleeping');
  assert.equal(r.power.awake, false);
  assert.equal(await r.power.wake(), 'awake');
  assert.equal(await r.power.wake(), 'awake');
  assert.deepEqual(r.calls, ['down', '/hook h1 off', '/hook h1 on', 'up']);
  assert.equal((JSON.parse(readFileSync(r.file, 'utf8')) as { state: string }).state, 'awake');
  r.done();
});

test('sleep is refused while busy, while engine requests run, and without a hook — changing nothing', async () => {
  const busy = rig({ busy: 'its engine has 1 container(s) (web)' });
  await assert.rejects(busy.power.sleep(), isCode('FERRY_ERR_NODE_BUSY', /1 container\(s\) \(web\)/));
  assert.deepEqual(busy.calls, []);
  assert.equal(busy.power.awake, true, 'still serving');
  busy.done();

  const inflight = rig();
  const leave = inflight.power.enter();
  await assert.rejects(inflight.power.sleep(), isCode('FERRY_ERR_NODE_BUSY', /request\(s\) to its engine/));
  leave();
  leave(); // leaving twice counts once
  assert.equal(await inflight.power.sleep(), 'sleeping');
  inflight.done();

  const none = rig({ hook: null });
  await assert.rejects(none.power.sleep(), isCode('FERRY_ERR_CONFIG', /no power hook.*--power-hook/));
  assert.equal(await readPowerState(none.file), 'awake', 'nothing persisted');
  none.done();
});

test('a failing hook leaves the node awake with its services restarted', async () => {
  const r = rig({ hookFails: true });
  await assert.rejects(r.power.sleep(), isCode('FERRY_ERR_DOCKER', /power hook \["\/hook","h1","off"\] failed \(exit 3\): no such host/));
  assert.deepEqual(r.calls, ['down', '/hook h1 off', 'up']);
  assert.equal(r.power.state, 'awake');
  assert.equal(await readPowerState(r.file), 'awake', 'the state file says awake again');
  assert.equal(r.power.awake, true);
  r.done();
});

test('the gate refuses engine work while asleep and while a transition runs', async () => {
  const r = rig({ initial: 'sleeping' });
  assert.throws(() => r.power.enter(), isCode('FERRY_ERR_NODE_ASLEEP', /asleep/));
  const waking = r.power.wake();
  assert.throws(() => r.power.enter(), isCode('FERRY_ERR_NODE_ASLEEP'), 'not before the services are up');
  await waking;
  r.power.enter()();
  r.done();
});

test('no state file, or a corrupt one, reads as awake', async () => {
  assert.equal(await readPowerState('/nonexistent/power.json'), 'awake');
  const r = rig();
  writeFileSync(r.file, '{"state": "sleep');
  assert.equal(await readPowerState(r.file), 'awake');
  r.done();
});
