import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FerryError } from '../../core/errors.ts';
import { sourceBed, type SourceBed } from './test-support.ts';

/** The journal of preflight and stage that every migration below shares. */
const PREFLIGHT = ['phase:preflight', 'checkpointer.processes', 'checkpointer.agentFacts', 'checkpointer.cpuinfo', 'destination.preflight'];
const STAGE = ['phase:stage', 'destination.prepare', 'destination.create'];
/** Freeze, lock, dump: the lock comes before the dump, so the kernel acknowledges nothing the checkpoint will not hold. */
const STOP = ['phase:stop', 'engine.pause', 'checkpointer.lockNetwork', 'checkpointer.canDump', 'checkpointer.dump'];
const TRANSFER = ['phase:transfer', 'link.checkpoint', 'link.upper', 'link.finish'];
/** Rollback of a frozen source: the destination drops its copy first, the network opens before the thaw. */
const THAWED = ['engine.deleteCheckpoint', 'checkpointer.unlockNetwork', 'checkpointer.thaw', 'engine.unpause', 'phase:rolled-back'];

/** Runs one stop-copy migration on a fresh bed prepared by `arrange`; returns the bed and the settled record. */
async function migrate(arrange: (bed: SourceBed) => void | Promise<void>, options?: { dropConnections?: boolean }) {
  const bed = await sourceBed();
  await arrange(bed);
  const rec = await bed.settled(bed.start(options));
  const journal = [...bed.journal];
  const state = (await bed.engine.findContainer(bed.containerId))?.State;
  const pid = state?.Pid ?? 0;
  const locked = pid > 0 && (await bed.checkpointer.networkLocked(pid));
  await bed.close();
  return { bed, journal, rec, state, locked };
}

test('stop-copy: preflight, stage, pause, lock, dump, transfer, restore, verify, commit, then the source is removed', async () => {
  const { bed, journal, rec, state } = await migrate(() => undefined);
  assert.deepEqual(journal, [
    ...PREFLIGHT, ...STAGE, ...STOP, ...TRANSFER,
    'phase:restore', 'destination.restore', 'phase:verify', 'destination.verify', 'phase:commit', 'destination.commit',
    'engine.removeContainer', 'phase:done',
  ]);
  assert.equal(rec.data.report.outcome, 'migrated');
  assert.equal(rec.data.report.dumpedBy, 'runc');
  assert.equal(state, undefined, 'the source copy is gone');
  const dump = bed.checkpointer.calls.find((c) => c.method === 'dump')?.args[0] as { containerId: string; imageDir: string; tcp: string };
  assert.deepEqual([dump.containerId, dump.imageDir, dump.tcp], [bed.containerId, rec.data.checkpointDir, 'established']);
});

test('a failed restore on the destination rolls back: the destination aborts, the network opens, then the source thaws and runs with its state', async () => {
  const { journal, rec, state, locked } = await migrate((b) => b.destination.failNext('restore'));
  assert.deepEqual(journal, [
    ...PREFLIGHT, ...STAGE, ...STOP, ...TRANSFER,
    'phase:restore', 'destination.restore', 'destination.status', 'phase:rolling-back', 'destination.abort', ...THAWED,
  ]);
  assert.equal(rec.phase, 'rolled-back');
  assert.equal(rec.data.report.outcome, 'rolled-back');
  assert.equal(rec.data.report.error?.code, 'FERRY_ERR_RESTORE');
  assert.deepEqual(rec.data.report.rollback, ['source checkpoint deleted', 'source network unlocked', 'source container thawed', 'destination aborted: source thawed, running with its state']);
  assert.deepEqual([state?.Status, locked], ['running', false]);
});

test('a failed dump rolls back the same way: unlock, then thaw', async () => {
  const { journal, rec, state, locked } = await migrate((b) => b.checkpointer.failNext('dump'));
  assert.deepEqual(journal, [...PREFLIGHT, ...STAGE, ...STOP, 'phase:rolling-back', 'destination.abort', ...THAWED]);
  assert.equal(rec.data.report.error?.code, 'FERRY_ERR_CHECKPOINT');
  assert.deepEqual([state?.Status, locked], ['running', false]);
});

test('a failure before the freeze changes nothing on the source: never paused, locked or dumped', async () => {
  const traced = async (b: SourceBed) => {
    const pid = (await b.engine.inspectContainer(b.containerId)).State.Pid;
    b.checkpointer.setProcesses(pid, { processes: [{ pid, status: { name: 'loop', uids: [0, 0, 0, 0], gids: [0, 0, 0, 0], tracerPid: 77, capEff: 0n }, ns: {}, fds: [], anonMappings: [], tracerName: 'strace' }], tcp: [] });
  };
  const cases: Array<[string, (b: SourceBed) => void | Promise<void>, string, string[]]> = [
    ['the freeze preflight refuses a traced process', traced, 'FERRY_ERR_CRIU_UNSUPPORTED', ['phase:preflight', 'checkpointer.processes', 'checkpointer.agentFacts']],
    ['the destination refuses at preflight', (b) => b.destination.failNext('preflight', new FerryError('FERRY_ERR_CPU_INCOMPATIBLE', 'no')), 'FERRY_ERR_CPU_INCOMPATIBLE', PREFLIGHT],
    ['the destination cannot create the container', (b) => b.destination.failNext('create'), 'FERRY_ERR_PROTOCOL', [...PREFLIGHT, ...STAGE]],
  ];
  for (const [what, arrange, code, before] of cases) {
    const { bed, journal, rec, state } = await migrate(arrange);
    assert.deepEqual(journal, [...before, 'phase:rolling-back', 'destination.abort', 'phase:rolled-back'], what);
    assert.equal(rec.data.report.error?.code, code, what);
    assert.deepEqual([rec.phase, state?.Status, rec.data.paused], ['rolled-back', 'running', undefined], what);
    assert.deepEqual(bed.checkpointer.methods().filter((m) => ['lockNetwork', 'unlockNetwork', 'dump', 'thaw'].includes(m)), [], what);
  }
});

test('--drop-connections dumps with tcp close and unlocks the network before the source copy is removed', async () => {
  const { bed, journal, rec } = await migrate(() => undefined, { dropConnections: true });
  assert.deepEqual(journal.slice(-5), ['phase:commit', 'destination.commit', 'checkpointer.unlockNetwork', 'engine.removeContainer', 'phase:done']);
  assert.equal((bed.checkpointer.calls.find((c) => c.method === 'dump')?.args[0] as { tcp: string }).tcp, 'close');
  assert.equal(rec.data.report.network?.tcp, 'close');
});

test('a destination that may run a copy and cannot be reached keeps the source frozen and locked (in-doubt)', async () => {
  const unreachable = new FerryError('FERRY_ERR_AGENT_UNREACHABLE', 'gone');
  const { journal, rec, state, locked } = await migrate((b) => {
    b.destination.failNext('restore', unreachable);
    b.destination.failNext('status', unreachable);
    b.destination.failNext('abort', unreachable);
  });
  assert.deepEqual(journal.slice(-6), ['phase:restore', 'destination.restore', 'destination.status', 'phase:rolling-back', 'destination.abort', 'phase:in-doubt']);
  assert.deepEqual([rec.phase, rec.data.report.outcome, state?.Status, locked], ['in-doubt', 'in-doubt', 'paused', true]);
});

test('a follower that subscribes after the estimate was announced still gets it (the dashboard\'s ETA needs it)', async () => {
  const bed = await sourceBed();
  const release = bed.destination.holdNext('preflight');
  const id = bed.start();
  while (!bed.journal.includes('checkpointer.cpuinfo')) await new Promise((r) => setTimeout(r, 5));
  const seen: string[] = [];
  const follow = (async () => {
    for await (const ev of bed.source.events(id)) {
      seen.push(ev.type === 'phase' ? `phase:${ev.phase}` : ev.type);
      if (ev.type === 'phase' && ev.phase === 'stage') break;
    }
  })();
  release();
  await follow;
  await bed.settled(id);
  await bed.close();
  assert.deepEqual(seen.slice(0, 2), ['phase:preflight', 'estimate'], `events seen: ${seen.join(', ')}`);
});
