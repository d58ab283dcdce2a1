/** @module tools/testbed/keep-logs.test — keeping a test bed's logs from files laid out as a real one (temporary dirs, no root). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseConfig } from '../../core/config.ts';
import { FerryError } from '../../core/errors.ts';
import { clusterFromPlan } from './cluster.ts';
import { keepLogs, keepLogsOfPlan, keepLogsOfStateDir } from './keep-logs.ts';
import { planTestbed } from './plan.ts';

function put(file: string, text: string): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
}

/** A test bed's files as `up` and a failed migration leave them. */
function fakeTestbed(root: string) {
  const plan = planTestbed({ hosts: 2, subnet: '10.230.0', stateDir: path.join(root, 'state'), runDir: path.join(root, 'run'), bandwidthMbit: 100, controlPort: 7070, dataPort: 7071 });
  const [h1, h2] = plan.hosts;
  assert.ok(h1 && h2);
  put(path.join(h1.logDir, 'agent.log'), 'agent h1\n');
  put(path.join(h1.logDir, 'dockerd.log'), 'dockerd h1\n');
  put(path.join(h1.agentStateDir, 'agent.db'), 'sqlite');
  put(path.join(h1.agentStateDir, 'criu', 'mig-1', 'dump.log'), 'Error (criu/cr-dump.c:1): dump failed\n');
  put(path.join(h1.agentStateDir, 'images', 'mig-1', 'pages-1.img'), 'pages');
  put(path.join(h2.logDir, 'agent.log'), 'agent h2\n');
  put(path.join(plan.stateDir, 'controller.log'), 'controller\n');
  const cid = 'c'.repeat(64);
  put(path.join(h2.dataRoot, 'containers', cid, 'checkpoints', 'ferry-mig-1', 'restore.log'), 'restore failed\n');
  put(path.join(h2.dataRoot, 'containers', cid, `${cid}-json.log`), '{"log":"hello"}\n');
  put(path.join(h2.dataRoot, 'overlay2', 'layer', 'diff', 'dump.log'), 'a file inside a container, not a log of ours\n');
  put(path.join(h2.execRoot, 'runtime-runc', 'moby', cid, 'criu.work', 'restore.log'), 'runc restore log\n');
  writeFileSync(plan.clusterFile, `${JSON.stringify(clusterFromPlan(plan, new Map(), true, new Date()))}\n`);
  return plan;
}

function withTmp(fn: (root: string) => Promise<void>): () => Promise<void> {
  return async () => {
    const root = mkdtempSync(path.join(tmpdir(), 'ferry-keep-logs-'));
    try {
      await fn(root);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  };
}

void test('every host\'s logs, records and CRIU logs are copied with cluster.json, a controller\'s log beside them and a README', withTmp(async (root) => {
  const plan = fakeTestbed(root);
  const config = parseConfig({ testbed: { keptLogsDir: path.join(root, 'kept') } });
  const dir = await keepLogsOfPlan(plan, { what: 'demo', error: new FerryError('FERRY_ERR_RESTORE', 'the restore failed') }, { config, now: new Date('2026-12-06T10:22:33.045Z') });
  assert.equal(dir, path.join(root, 'kept', '20261206-102233-045-demo'));
  const cid = 'c'.repeat(64);
  for (const [rel, text] of [
    ['h1/logs/agent.log', 'agent h1\n'], ['h1/logs/dockerd.log', 'dockerd h1\n'], ['h1/agent/agent.db', 'sqlite'],
    ['h1/agent-state/criu/mig-1/dump.log', 'Error (criu/cr-dump.c:1): dump failed\n'], ['h2/logs/agent.log', 'agent h2\n'], ['controller.log', 'controller\n'],
    [`h2/data-root/containers/${cid}/checkpoints/ferry-mig-1/restore.log`, 'restore failed\n'],
    [`h2/data-root/containers/${cid}/${cid}-json.log`, '{"log":"hello"}\n'],
    [`h2/exec-root/runtime-runc/moby/${cid}/criu.work/restore.log`, 'runc restore log\n'],
  ] as const) assert.equal(readFileSync(path.join(dir, rel), 'utf8'), text, rel);
  assert.ok(existsSync(path.join(dir, 'cluster.json')));
  assert.equal(existsSync(path.join(dir, 'h2/data-root/overlay2')), false, 'container file systems are not searched');
  assert.equal(existsSync(path.join(dir, 'h1/agent-state/images')), false, 'CRIU images are not copied');
  const readme = readFileSync(path.join(dir, 'README.md'), 'utf8');
  assert.match(readme, /what failed: demo/);
  assert.match(readme, /FERRY_ERR_RESTORE: the restore failed/);
  assert.match(readme, /h1\/agent-state\/criu\/mig-1\/dump.log .* ← .*h1\/agent\/criu\/mig-1\/dump.log/);
}));

void test('from a cluster or a state dir; a second failure in the same millisecond gets its own dir; old runs are pruned', withTmp(async (root) => {
  const plan = fakeTestbed(root);
  const kept = path.join(root, 'kept');
  const config = parseConfig({ testbed: { keptLogsDir: kept, keptLogsRuns: 2 } });
  mkdirSync(path.join(kept, '20200101-000000-000-old'), { recursive: true });
  put(path.join(kept, 'notes.txt'), 'not a kept run');
  const now = new Date('2026-12-06T10:22:33.045Z');
  const a = await keepLogs(clusterFromPlan(plan, new Map(), true, now), { what: 'x' }, { config, now });
  const b = await keepLogsOfStateDir(plan.stateDir, { what: 'x' }, undefined, { config, now });
  assert.equal(b, `${a}-2`);
  assert.deepEqual(readdirSync(kept).sort(), ['20261206-102233-045-x', '20261206-102233-045-x-2', 'notes.txt']);
  assert.equal(await keepLogsOfStateDir(path.join(root, 'nothing'), { what: 'x' }, undefined, { config }), null);
}));

void test('a kept dir inside the test bed\'s state dir is refused before anything is copied', withTmp(async (root) => {
  const plan = fakeTestbed(root);
  const config = parseConfig({ testbed: { keptLogsDir: path.join(plan.stateDir, 'kept') } });
  await assert.rejects(keepLogsOfPlan(plan, { what: 'x' }, { config }), (err: unknown) => err instanceof FerryError && err.code === 'FERRY_ERR_CONFIG' && /keptLogsDir/.test(err.message));
  assert.equal(existsSync(path.join(plan.stateDir, 'kept')), false);
}));

void test('a test bed with no files yet still gets a README saying what is missing', withTmp(async (root) => {
  const plan = planTestbed({ hosts: 1, subnet: '10.230.0', stateDir: path.join(root, 'state'), runDir: path.join(root, 'run'), bandwidthMbit: 100, controlPort: 7070, dataPort: 7071 });
  const config = parseConfig({ testbed: { keptLogsDir: path.join(root, 'kept') } });
  const dir = await keepLogsOfPlan(plan, { what: 'up', error: 'dockerd did not start' }, { config });
  const readme = readFileSync(path.join(dir, 'README.md'), 'utf8');
  assert.match(readme, /cluster.json \(.* is not there\)/);
  assert.match(readme, /h1: no log under/);
  assert.match(readme, /dockerd did not start/);
}));

void test('after a failed up (no cluster.json) the plan names the hosts, and only a started host counts', withTmp(async (root) => {
  const plan = planTestbed({ hosts: 2, subnet: '10.230.0', stateDir: path.join(root, 'state'), runDir: path.join(root, 'run'), bandwidthMbit: 100, controlPort: 7070, dataPort: 7071 });
  const config = parseConfig({ testbed: { keptLogsDir: path.join(root, 'kept') } });
  assert.equal(await keepLogsOfStateDir(plan.stateDir, { what: 'up' }, () => plan, { config }), null, 'nothing started: nothing to keep');
  put(path.join(plan.hosts[1]?.logDir ?? '', 'dockerd.log'), 'failed to start daemon\n');
  const dir = await keepLogsOfStateDir(plan.stateDir, { what: 'up' }, () => plan, { config });
  assert.ok(dir);
  assert.equal(readFileSync(path.join(dir, 'h2/logs/dockerd.log'), 'utf8'), 'failed to start daemon\n');
}));
