import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { configFromEnv, parseConfig } from '../../core/config.ts';
import { FerryError } from '../../core/errors.ts';
import { ControllerService } from './service.ts';
import { StateStore } from './state-store.ts';
import type { NodePort } from './node-port.ts';

/** A controller over a real SQLite store whose nodes must never be called: bad input is refused before any agent is asked. */
function withController(fn: (c: ControllerService, store: StateStore) => Promise<void>, config = parseConfig({})): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'ferry-ctl-'));
  const store = new StateStore(path.join(dir, 'c.db'));
  for (const name of ['h1', 'h2']) store.upsertNode({ name, controlUrl: `http://${name}:7070`, dataHost: name, capacity: { cpuMillis: 1000, memoryMiB: 2048, networkMbps: 1000 }, zone: '', rack: '' }, 0);
  const portOf = (): NodePort => { throw new Error('no agent call was expected'); };
  const c = new ControllerService({ store, config, portOf, now: () => 1000 });
  return fn(c, store).finally(() => { store.close(); rmSync(dir, { recursive: true, force: true }); });
}

/** Asserts a FerryError code and that the message says something specific. */
async function refused(p: Promise<unknown>, code: string, says: RegExp): Promise<void> {
  await assert.rejects(p, (err: unknown) => err instanceof FerryError && err.code === code && says.test(err.message));
}

test('an unknown application type is refused, naming the known ones, and nothing changes', () => withController(async (c, store) => {
  await refused(c.run({ image: 'ferry/load:1', appType: 'gpu-heavy', cpuMillis: 100, memoryMiB: 64 }), 'FERRY_ERR_UNKNOWN_APP_TYPE', /gpu-heavy.*cpu-intensive/s);
  assert.equal(store.containers().length, 0);
  assert.equal(store.events().length, 0);
}));

test('more memory than any node has is unschedulable, with each node\'s reason', () => withController(async (c, store) => {
  await refused(c.run({ image: 'ferry/load:1', cpuMillis: 100, memoryMiB: 4096 }), 'FERRY_ERR_UNSCHEDULABLE', /memory.*h1.*h2|memory.*h2.*h1/s);
  assert.equal(store.containers().length, 0);
}));

test('weights that do not sum to 1 are refused and the types stay as they were', () => withController(async (c) => {
  const before = c.appTypes();
  await refused(c.defineAppType('db', { memory: 0.5, cpu: 0.5, network: 0.5 }), 'FERRY_ERR_BAD_WEIGHTS', /1\.5/);
  await refused(c.defineAppType('db', { memory: -0.2, cpu: 0.7, network: 0.5 }), 'FERRY_ERR_BAD_WEIGHTS', /-0\.2/);
  assert.deepEqual(c.appTypes(), before);
  await c.defineAppType('db', { memory: 0.6, cpu: 0.2, network: 0.2 });
  assert.deepEqual(c.appTypes()['db'], { memory: 0.6, cpu: 0.2, network: 0.2 });
}));

test('a configuration with bad weights does not start', () => {
  const config = parseConfig({ scheduler: { appTypes: { odd: { memory: 0.9, cpu: 0.9, network: 0 } }, defaultAppType: 'odd' } });
  assert.throws(() => new ControllerService({ store: {} as StateStore, config, portOf: () => { throw new Error('x'); } }), (e: unknown) => e instanceof FerryError && e.code === 'FERRY_ERR_BAD_WEIGHTS');
});

test('an unknown policy is refused and the policy stays', () => withController(async (c) => {
  await refused(c.setPolicy('random'), 'FERRY_ERR_INVALID_INPUT', /elastic/);
  assert.equal(c.policy(), 'elastic');
  await c.setPolicy('spread');
  assert.equal(c.policy(), 'spread');
}));

test('removing a container the controller never deployed names the fix', () => withController(async (c) => {
  await refused(c.remove('ghost'), 'FERRY_ERR_UNKNOWN_CONTAINER', /ferry ps/);
}));

test('application types from the environment (JSON) are checked when the controller starts', () => {
  const config = parseConfig(configFromEnv({ FERRY_SCHEDULER_APP_TYPES: '{"balanced":{"memory":0.5,"cpu":0.5,"network":0.5}}' }));
  assert.throws(() => new ControllerService({ store: {} as StateStore, config, portOf: () => { throw new Error('x'); } }), (e: unknown) => e instanceof FerryError && e.code === 'FERRY_ERR_BAD_WEIGHTS' && /1\.5/.test(e.message));
  assert.throws(() => parseConfig(configFromEnv({ FERRY_SCHEDULER_APP_TYPES: 'not json' })), (e: unknown) => e instanceof FerryError && e.code === 'FERRY_ERR_CONFIG' && /appTypes/.test(e.message));
});
