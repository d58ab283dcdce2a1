/** @module tools/bench/baselines/heartbeat.test — the heartbeat path stays inside the container's root; an unreadable log is a problem, not a crash. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { FerryError } from '../../../core/errors.ts';
import { pathInRootfs, readHeartbeat } from './heartbeat.ts';

void test('paths inside the container map under its root, and only there', () => {
  assert.equal(pathInRootfs('/m/merged', '/data/counter.log'), '/m/merged/data/counter.log');
  assert.equal(pathInRootfs('/m/merged', '/data//./counter.log'), '/m/merged/data/counter.log');
  for (const bad of ['data/counter.log', '/data/../../etc/shadow', '/a\0b']) {
    assert.throws(() => pathInRootfs('/m/merged', bad), (e: FerryError) => e.code === 'FERRY_ERR_INVALID_INPUT', bad);
  }
});

void test('the log is read, or the reason it could not be is given', async () => {
  const root = await mkdtemp(path.join(tmpdir(), 'ferry-hb-'));
  try {
    await mkdir(path.join(root, 'data'));
    await writeFile(path.join(root, 'data', 'counter.log'), '1 1000\n2 1100\n');
    assert.deepEqual(await readHeartbeat(root, '/data/counter.log'), { text: '1 1000\n2 1100\n' });
    const missing = await readHeartbeat(root, '/data/none.log');
    assert.equal(missing.text, '');
    assert.match(missing.problem ?? '', /cannot read the heartbeat log \/data\/none\.log/);
    await writeFile(path.join(root, 'data', 'empty.log'), '');
    assert.match((await readHeartbeat(root, '/data/empty.log')).problem ?? '', /is empty/);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});
