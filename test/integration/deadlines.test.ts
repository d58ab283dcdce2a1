/**
 * @module test/integration/deadlines.test — a CRIU that hangs on purpose, on a real 2-host
 * test bed (subnet 10.219.0, its own state dir): the agents run runc with `--criu` pointing at
 * a wrapper that sleeps far past the dump deadline (agent.criuPath), and the deadline is 5 s
 * (deadlines.criuDumpMs). The migration must end with FERRY_ERR_CRIU_TIMEOUT naming the
 * step, the deadline and its key, within the deadline and a small margin; the wrapper's
 * sleeping child must be gone (the whole process group was killed); the source container
 * runs on, thawed, never restarted, its counter continuing; nothing of it is left on the
 * destination. The CLI sees heartbeats during the silent step. Needs root.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { chmod, mkdir, readFile, rm, rmdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseConfig } from '../../src/core/config.ts';
import { DockerEngine } from '../../src/adapters/docker/engine.ts';
import { startAgent, stopAgent, testbedDown, testbedUp, type Cluster, clusterFile } from '../../src/tools/testbed/index.ts';
import { parseOwner } from '../../src/adapters/host/runc-criu-config.ts';
import { migrate } from '../../src/apps/cli/migrate-client.ts';
import type { MigrationEvent } from '../../src/services/migration/source.ts';
import { COUNTER_IMAGE, continuity, ensureCounterImage } from '../../src/tools/workloads/counter-image.ts';
import { beatsOf, waitForBeats } from '../../src/tools/demo/demo.ts';
import { keepLogsOnFailure } from '../support/kept-logs.ts';
import { alive, processesWhere } from '../support/processes.ts';

const stateDir = path.join(tmpdir(), `ferry-it-deadlines-${process.pid}`);
const config = parseConfig({ testbed: { stateDir, subnet: '10.219.0', hosts: 2, bandwidthMbit: 1000 } });
// A failed test keeps the test bed's logs (agents, dockerds, CRIU) before `after` tears it down.
const logs = keepLogsOnFailure(import.meta.filename, config);
const LONG = { timeout: 240_000 };
const DUMP_DEADLINE_MS = 5000;
/** Thaw, the destination's abort and the report, after the deadline fired. */
const MARGIN_MS = 5000;
const hangDir = path.join(stateDir, 'criu-hang');
const wrapper = path.join(hangDir, 'criu-hang');
const sleepers = path.join(hangDir, 'sleepers');

// The agents inherit these: a low dump deadline, the hanging CRIU, frequent heartbeats, short timers.
process.env['FERRY_DEADLINES_CRIU_DUMP_MS'] = String(DUMP_DEADLINE_MS);
process.env['FERRY_AGENT_CRIU_PATH'] = wrapper;
process.env['FERRY_MIGRATION_HEARTBEAT_MS'] = '1000';
process.env['FERRY_MIGRATION_LEASE_MS'] = '6000';
process.env['FERRY_MIGRATION_VERIFY_MS'] = '500';

let cluster: Cluster;
let file: string;
const engines: Record<string, DockerEngine> = {};
const engine = (host: string) => engines[host] as DockerEngine;



before(async () => {
  await mkdir(hangDir, { recursive: true });
  // A CRIU that never gets to work: its sleeping child is what a group kill must reach.
  await writeFile(wrapper, `#!/bin/sh\nsleep 3600 &\necho $! >> ${sleepers}\nwait\nexec criu "$@"\n`);
  await chmod(wrapper, 0o755);
  cluster = await logs.watch(testbedUp({ config, log: () => undefined }));
  file = clusterFile(cluster.stateDir);
  for (const h of cluster.hosts) engines[h.name] = new DockerEngine(h.dockerSocket);
  await ensureCounterImage(engine('h1'));
}, LONG);

after(async () => {
  await logs.keep();
  await testbedDown({ config, log: () => undefined });
  await rm(hangDir, { recursive: true, force: true });
  await rmdir(stateDir).catch(() => undefined); // only when nothing else (kept logs) is left in it
}, LONG);

describe('every call to CRIU has a deadline', () => {
  it('a dump that hangs ends with FERRY_ERR_CRIU_TIMEOUT within the deadline; the source runs on thawed, the destination holds nothing', LONG, async () => {
    const name = 'hung';
    await engine('h1').removeContainer(name);
    const id = await engine('h1').createContainer(name, { Image: COUNTER_IMAGE, Env: ['BALLAST_MIB=8'] });
    await engine('h1').startContainer(id);
    await waitForBeats(engine('h1'), name, 8);
    const startedAt = (await engine('h1').inspectContainer(name)).State.StartedAt;

    const events: Array<MigrationEvent & { seen: number }> = [];
    const t0 = Date.now();
    const report = await migrate(name, { strategy: 'stop-copy', cluster: file, from: 'h1', to: 'h2' }, { show: (ev) => events.push({ ...ev, seen: Date.now() }) });
    const total = Date.now() - t0;
    const stopAt = events.find((e) => e.type === 'phase' && e.phase === 'stop')?.seen ?? Number.NaN;
    const endAt = events.find((e) => e.type === 'end')?.seen ?? Number.NaN;
    const stopToEnd = endAt - stopAt;
    console.log(`# migrate took ${total} ms; stop → end ${stopToEnd} ms (deadline ${DUMP_DEADLINE_MS} ms)`);
    console.log(`# ${report.error?.code}: ${report.error?.message}`);

    assert.equal(report.outcome, 'rolled-back', JSON.stringify(report.error));
    assert.equal(report.error?.code, 'FERRY_ERR_CRIU_TIMEOUT');
    assert.match(report.error?.message ?? '', new RegExp(`^CRIU dump of container ${id.slice(0, 12)} did not finish within 5 s \\(config deadlines\\.criuDumpMs, env FERRY_DEADLINES_CRIU_DUMP_MS\\); it was killed with its process group\\.`));
    assert.match(report.error?.message ?? '', /CRIU log \/.*\/criu\/m-[0-9a-f-]+\/dump\.log/);
    assert.ok(stopToEnd >= DUMP_DEADLINE_MS && stopToEnd < DUMP_DEADLINE_MS + MARGIN_MS, `ended ${stopToEnd} ms after the stop began`);

    // The silent step showed that time passed: heartbeats of the stop phase, counting up.
    const beats = events.filter((e) => e.type === 'heartbeat' && e.phase === 'stop');
    assert.ok(beats.length >= 3, `heartbeats during the hung dump: ${beats.length}`);
    const counted = beats.map((e) => (e.type === 'heartbeat' ? e.phaseMs : 0));
    assert.deepEqual(counted, [...counted].sort((a, b) => a - b), 'the time in the step only grows');

    // The whole process group died: the wrapper's sleeping child and anything running the wrapper.
    const sleeping = (await readFile(sleepers, 'utf8')).trim().split('\n').map(Number).filter((n) => n > 0);
    assert.ok(sleeping.length >= 1, 'runc ran the hanging CRIU');
    for (const pid of sleeping) assert.equal(alive(pid), false, `the wrapper's sleep ${pid} is gone`);
    assert.deepEqual(processesWhere((argv) => argv.some((a) => a.includes(wrapper))), [], 'no process of the hanging CRIU is left');

    // The source runs on: thawed, the same process, the counter going on.
    const c = await engine('h1').inspectContainer(name);
    assert.equal(c.State.Running, true);
    assert.equal(c.State.Paused, false, 'thawed');
    assert.equal(c.State.StartedAt, startedAt, 'never restarted');
    const before = (await beatsOf(engine('h1'), name)).at(-1)?.n ?? 0;
    await sleep(1500);
    const counter = continuity(await beatsOf(engine('h1'), name));
    assert.equal(counter.continuous, true, counter.problem);
    assert.ok(counter.last > before, `the counter goes on past ${before} (now ${counter.last})`);
    const checkpoints = path.join(cluster.hosts.find((h) => h.name === 'h1')?.dataRoot ?? '', 'containers', id, 'checkpoints');
    assert.deepEqual(existsSync(checkpoints) ? readdirSync(checkpoints) : [], [], 'no checkpoint left on the source');

    // Nothing of it on the destination.
    assert.equal(await engine('h2').findContainer(name), undefined, 'no container on the destination');
    const h2Root = cluster.hosts.find((h) => h.name === 'h2')?.dataRoot ?? '';
    assert.deepEqual(readdirSync(path.join(h2Root, 'containers')), [], 'no container directory left on the destination');
    await engine('h1').removeContainer(name);
  });

  it('a CRIU that fails midway (after it froze and thawed the cgroup itself): rolled back, Docker\'s paused state back in step', LONG, async () => {
    const failing = path.join(hangDir, 'criu-fail');
    // CRIU's fault injection 1 (FI_DUMP_EARLY) makes the dump fail after it seized the tasks.
    await writeFile(failing, '#!/bin/sh\nCRIU_FAULT=1 exec criu "$@"\n');
    await chmod(failing, 0o755);
    const saved = process.env['FERRY_AGENT_CRIU_PATH'];
    process.env['FERRY_AGENT_CRIU_PATH'] = failing;
    try {
      await startAgent('h1', { stateDir });
      const name = 'fails';
      await engine('h1').removeContainer(name);
      const id = await engine('h1').createContainer(name, { Image: COUNTER_IMAGE, Env: ['BALLAST_MIB=8'] });
      await engine('h1').startContainer(id);
      await waitForBeats(engine('h1'), name, 8);
      const startedAt = (await engine('h1').inspectContainer(name)).State.StartedAt;
      const t0 = Date.now();
      const report = await migrate(name, { strategy: 'stop-copy', cluster: file, from: 'h1', to: 'h2' });
      console.log(`# ${report.outcome} in ${Date.now() - t0} ms: ${report.error?.code}: ${report.error?.message}`);
      assert.equal(report.outcome, 'rolled-back', JSON.stringify(report.error));
      assert.equal(report.error?.code, 'FERRY_ERR_CHECKPOINT');
      assert.doesNotMatch(report.error?.message ?? '', /RLIMIT_NOFILE/, 'the harmless rlimit line is not given as the cause');
      assert.ok(Date.now() - t0 < 60_000, 'settled at once, not by retries');
      const c = await engine('h1').inspectContainer(name);
      assert.equal(c.State.Running, true);
      assert.equal(c.State.Paused, false, 'Docker no longer records it as paused');
      assert.equal(c.State.StartedAt, startedAt, 'never restarted');
      const before = (await beatsOf(engine('h1'), name)).at(-1)?.n ?? 0;
      await sleep(1000);
      assert.ok(((await beatsOf(engine('h1'), name)).at(-1)?.n ?? 0) > before, 'the counter goes on');
      assert.equal(await engine('h2').findContainer(name), undefined, 'nothing on the destination');
      await engine('h1').removeContainer(name);
    } finally {
      if (saved === undefined) delete process.env['FERRY_AGENT_CRIU_PATH'];
      else process.env['FERRY_AGENT_CRIU_PATH'] = saved;
      await startAgent('h1', { stateDir });
    }
  });

  it('crash: the source agent killed while the runc CRIU config is in place; after restart the file is gone and a plain docker checkpoint and restore works', LONG, async () => {
    const conf = config.agent.runcCriuConfig;
    const name = 'crash';
    await engine('h1').removeContainer(name);
    const id = await engine('h1').createContainer(name, { Image: COUNTER_IMAGE, Env: ['BALLAST_MIB=8'] });
    await engine('h1').startContainer(id);
    await waitForBeats(engine('h1'), name, 8);
    const moving = migrate(name, { strategy: 'stop-copy', cluster: file, from: 'h1', to: 'h2' }).catch((err: unknown) => err);
    const until = Date.now() + DUMP_DEADLINE_MS;
    while (!existsSync(conf) && Date.now() < until) await sleep(20);
    const text = await readFile(conf, 'utf8');
    const owner = parseOwner(text);
    assert.ok(owner, `ferry holds ${conf} during the dump: ${text}`);
    await stopAgent('h1', { stateDir, signal: 'SIGKILL' });
    await moving;
    assert.equal(existsSync(conf), true, 'the killed agent left its runc CRIU config behind');
    // The runc and hanging CRIU of the killed agent outlive it (SIGKILL runs no exit hook): end them here.
    for (const pid of processesWhere((argv) => argv.some((a) => a.includes(wrapper)))) { try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ } }
    await startAgent('h1', { stateDir });
    assert.equal(existsSync(conf), false, 'the restarted agent removed the stale file');
    const thawedBy = Date.now() + 20_000;
    for (;;) {
      const c = await engine('h1').inspectContainer(name);
      if (c.State.Running && !c.State.Paused) break;
      if (Date.now() > thawedBy) assert.fail(`the restarted agent did not thaw ${name} (${c.State.Status})`);
      await sleep(200);
    }
    // Someone else's plain Docker checkpoint and restore on the machine is unaffected.
    const plain = 'plain';
    await engine('h2').removeContainer(plain);
    const pid = await engine('h2').createContainer(plain, { Image: COUNTER_IMAGE, Env: ['BALLAST_MIB=8'] });
    await engine('h2').startContainer(pid);
    await waitForBeats(engine('h2'), plain, 8);
    await engine('h2').createCheckpoint(pid, 'by-someone-else', true);
    await engine('h2').startContainer(pid, 'by-someone-else');
    const before = (await beatsOf(engine('h2'), plain)).at(-1)?.n ?? 0;
    await sleep(1000);
    const counter = continuity(await beatsOf(engine('h2'), plain));
    assert.equal(counter.continuous, true, counter.problem);
    assert.ok(counter.last > before, 'the plainly restored counter goes on');
    await engine('h2').removeContainer(plain);
    await engine('h1').removeContainer(name);
  });
});
