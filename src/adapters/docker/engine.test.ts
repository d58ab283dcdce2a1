import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DockerEngine } from './engine.ts';
import { isCode } from '../../../test/support/errors.ts';

// An engine that takes every request and never answers (a dockerd stuck in a call).
const dir = mkdtempSync(path.join(tmpdir(), 'ferry-engine-test-'));
const socketPath = path.join(dir, 'docker.sock');
const held: http.ServerResponse[] = [];
const server = http.createServer((req, res) => {
  req.resume();
  held.push(res);
});

before(() => new Promise<void>((resolve) => server.listen(socketPath, resolve)));
after(() => {
  server.closeAllConnections();
  server.close();
  rmSync(dir, { recursive: true, force: true });
});

test('an Engine API call with no answer by its deadline is FERRY_ERR_DOCKER_TIMEOUT naming the call and the key', async () => {
  const engine = new DockerEngine(socketPath, { dockerMs: 150 });
  const started = Date.now();
  await assert.rejects(engine.pause('abc'), isCode('FERRY_ERR_DOCKER_TIMEOUT', /did not answer the Engine API call POST \/containers\/abc\/pause within 150 ms \(config deadlines\.dockerMs, env FERRY_DEADLINES_DOCKER_MS\)/));
  assert.ok(Date.now() - started < 2000);
});

test('a checkpoint or a restore through the engine past its deadline is FERRY_ERR_CRIU_TIMEOUT naming the step', async () => {
  const engine = new DockerEngine(socketPath, { criuDumpMs: 150, criuRestoreMs: 120 });
  await assert.rejects(engine.createCheckpoint('0123456789abcdef', 'cp', false), isCode('FERRY_ERR_CRIU_TIMEOUT', /^CRIU dump of container 0123456789ab .*within 150 ms \(config deadlines\.criuDumpMs.*ferry stopped waiting for the engine/));
  await assert.rejects(engine.startContainer('0123456789abcdef', 'cp'), isCode('FERRY_ERR_CRIU_TIMEOUT', /^CRIU restore of container .*deadlines\.criuRestoreMs/));
});
