import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, test } from 'node:test';
import { parseConfig } from '../../core/config.ts';
import { FerryError } from '../../core/errors.ts';
import type { Engine } from '../../adapters/docker/engine-port.ts';
import { DirectoryStore } from '../../adapters/object-store/directory-store.ts';
import type { PointReport } from './protection-point.ts';
import { ProtectionService } from './protection-service.ts';

let root: string;
let store: DirectoryStore;

before(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'ferry-protection-'));
  await mkdir(path.join(root, 'store'));
  store = new DirectoryStore(path.join(root, 'store'));
  await store.check();
});

after(async () => {
  await rm(root, { recursive: true, force: true });
});

/** A fake point: takes `ms`, fails when `fail` says so, and counts how many run at once. */
function fakeTake(ms: number, fail: (sequence: number, call: number) => boolean) {
  const seen = { calls: 0, active: 0, maxActive: 0, sequences: [] as number[] };
  const take = async (_deps: unknown, memory: { container: string }, sequence: number): Promise<PointReport> => {
    const call = ++seen.calls;
    seen.active++;
    seen.maxActive = Math.max(seen.maxActive, seen.active);
    seen.sequences.push(sequence);
    await sleep(ms);
    seen.active--;
    if (fail(sequence, call)) throw new FerryError('FERRY_ERR_CHECKPOINT', `point ${sequence} failed`);
    return { container: memory.container, sequence, takenAt: new Date().toISOString(), frozenMs: 1, dumpMs: 1, treesMs: 0, reusedTrees: 0, bytes: 1, uploadedBytes: 1, imageUploadedBytes: 0, pages: 1, uploadedPages: 1, packs: 1, dumpedBy: 'runc', tookMs: ms };
  };
  return { take, seen };
}

function service(stateDir: string, take: ReturnType<typeof fakeTake>['take']): ProtectionService {
  return new ProtectionService({ engine: {} as Engine, store: () => Promise.resolve(store), config: parseConfig({}), stateDir, dataRoot: root, take });
}

void test('saved protections resume; points never overlap, a failed one is recorded and the next interval tries the same sequence again', async () => {
  const stateDir = path.join(root, 'agent1');
  await mkdir(stateDir);
  await writeFile(path.join(stateDir, 'protections.json'), JSON.stringify([{ container: 'web', everyMs: 20, keep: 2 }]));
  const { take, seen } = fakeTake(30, (_s, call) => call === 2);
  const s = service(stateDir, take);
  await s.resume();
  await sleep(300);
  const failedAt = seen.sequences[1];
  const [status] = s.list();
  assert.equal(status?.container, 'web');
  assert.equal(status?.everyMs, 20);
  assert.ok(seen.calls >= 4, `${seen.calls} points in 300 ms`);
  assert.equal(seen.maxActive, 1, 'never two points of one container at once');
  assert.equal(seen.sequences[2], failedAt, 'the failed sequence is taken again');
  assert.ok((status?.last?.sequence ?? 0) >= 3);
  assert.equal(status?.lastError, undefined, 'a later success clears the error');
  await s.stop('web');
  const calls = seen.calls;
  await sleep(100);
  assert.ok(seen.calls <= calls + 1, 'no point after stop but the one under way');
  assert.deepEqual(s.list(), []);
  s.close();
});

void test('a point asked for now waits for the one under way, and its failure reaches the caller', async () => {
  const stateDir = path.join(root, 'agent2');
  await mkdir(stateDir);
  const { take, seen } = fakeTake(40, (_s, call) => call === 2);
  const s = service(stateDir, take);
  const first = s.runOnce('db');
  const second = s.runOnce('db');
  assert.equal((await first).sequence, 1);
  await assert.rejects(second, (err: unknown) => err instanceof FerryError && err.code === 'FERRY_ERR_CHECKPOINT');
  assert.equal((await s.runOnce('db')).sequence, 2);
  assert.equal(seen.maxActive, 1);
  assert.deepEqual(s.list(), [], 'single points are not a protection');
  s.close();
});

void test('unparsable saved protections resume nothing and do not stop the agent', async () => {
  const stateDir = path.join(root, 'agent3');
  await mkdir(stateDir);
  await writeFile(path.join(stateDir, 'protections.json'), '{not json');
  const s = service(stateDir, fakeTake(1, () => false).take);
  await s.resume();
  assert.deepEqual(s.list(), []);
  s.close();
});
