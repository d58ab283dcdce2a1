/**
 * @module test/integration/postcopy.test — the post-copy strategy on a real 2-host test bed
 * (subnet 10.226.0, its own state dir): the container resumes on the destination before its
 * memory is there, and the frozen source pushes the lazy pages afterwards. A clean migration
 * moves memory (the stream's own checksum), the writable layer and a volume; the destination's
 * link cut for 3 s in the lazy window is survived by a retried push; the destination agent
 * killed in the window leaves exactly one copy, the source's; the source host dying in the
 * window is the documented loss — the destination's copy is killed within pageWaitMs rather
 * than run on unfilled pages; a container labelled ferry.postcopy=refuse is refused before
 * anything moves. Needs root and CRIU with userfaultfd.
 */
import { describe, it, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { setLinkState, startAgent, clusterFile } from '../../src/tools/testbed/index.ts';
import { migrate } from '../../src/apps/cli/migrate-client.ts';
import type { MigrationEvent } from '../../src/services/migration/source.ts';
import type { MigrationReport } from '../../src/domain/migration/report.ts';
import { COUNTER_IMAGE, continuity, ensureCounterImage } from '../../src/tools/workloads/counter-image.ts';
import { ensureWorkloadImage } from '../../src/tools/workloads/catalog.ts';
import { beatsOf } from '../../src/tools/demo/demo.ts';
import { agentPid, assertDestinationAborted, assertOneCopyOnSource, criuOn, faultBed, LONG, startCounter } from '../support/one-copy.ts';
import { startStream, streamBeats, upperOf, verifyMemory } from '../support/stream.ts';

/**
 * How long a fault waits for a page still on the source before the window fails
 * (migration.postcopy.pageWaitMs): short, so the source's death is seen soon, yet long enough
 * for a 3 s cut — the retried push connects only at the SYN retransmit after the link is back,
 * about 5 s after the cut began; with 5000 one run in four failed with FERRY_ERR_PEER_TIMEOUT.
 */
const PAGE_WAIT_MS = 12_000;
/** How long the link is cut in the lazy window. */
const CUT_MS = 3000;
const LEASE_MS = 6000;
const bed = faultBed({
  filename: import.meta.filename,
  subnet: '10.226.0',
  env: {
    // A stall shorter than the cut, so that the cut push session fails and is retried.
    FERRY_MIGRATION_LINK_TIMEOUT_MS: '1500',
    FERRY_MIGRATION_LEASE_MS: String(LEASE_MS),
    // A section's table is one variable holding JSON (config.ts configFromEnv).
    FERRY_MIGRATION_POSTCOPY: JSON.stringify({ pageWaitMs: PAGE_WAIT_MS, pushAttempts: 4 }),
  },
  prepare: async (engine) => {
    await ensureWorkloadImage(engine('h1'), 'stream');
    await ensureCounterImage(engine('h1'));
  },
});
const { stateDir, engine } = bed;
/** The stream's heartbeat, as {@link assertOneCopyOnSource} reads it. */
const STREAM = { beats: streamBeats };

/** A post-copy migration of `name` from h1 to h2. */
function postcopy(name: string, view?: { show: (ev: MigrationEvent) => void }, onStart?: (id: string) => void): Promise<MigrationReport> {
  return migrate(name, { strategy: 'postcopy', cluster: clusterFile(stateDir), from: 'h1', to: 'h2' }, view, onStart);
}

/** What {@link inLazyWindow} gives: the hook, whether it fired, the act's outcome and the bytes the push had sent by then. */
interface LazyWindowFault {
  hook: { show: (ev: MigrationEvent) => void };
  fired: () => boolean;
  /** The act, settled (resolved at once when it never fired). */
  acted: () => Promise<unknown>;
  pushedBefore: () => number;
}

/** A hook that acts once in the lazy window: verify has begun (the container runs on the destination) and the source is still pushing pages. */
function inLazyWindow(act: () => unknown): LazyWindowFault {
  let verifying = false;
  let acted: Promise<unknown> | undefined;
  let pushed = 0;
  return {
    hook: {
      show: (ev) => {
        if (ev.type === 'phase' && ev.phase === 'verify') verifying = true;
        if (!acted && verifying && ev.type === 'progress' && ev.root === 'postcopy-pages') {
          pushed = ev.rawBytes;
          acted = Promise.resolve().then(act);
          acted.catch(() => undefined); // awaited by the test through acted()
        }
      },
    },
    fired: () => acted !== undefined,
    acted: () => acted ?? Promise.resolve(),
    pushedBefore: () => pushed,
  };
}

/** Waits until the destination's copy of `name` no longer runs; its exit code then (undefined when it was already removed) and when, in ms after `since`. */
async function destinationCopyStopped(name: string, since: number, limitMs: number): Promise<{ exitCode?: number; ms: number }> {
  for (;;) {
    const d = await engine('h2').findContainer(name);
    const ms = Date.now() - since;
    if (!d?.State.Running) {
      console.log(`# the destination's copy stopped ${ms} ms after the fault: ${d ? `${d.State.Status}, exit ${d.State.ExitCode}` : 'removed'}`);
      return { ...(d ? { exitCode: d.State.ExitCode } : {}), ms };
    }
    if (ms > limitMs) assert.fail(`the destination's copy still runs ${ms} ms after the fault (pageWaitMs ${PAGE_WAIT_MS})`);
    await sleep(200);
  }
}

/** The destination's copy died of a SIGKILL (exit 137: the guard's, adapters/host/lazy-guard.ts, or the abort's), not of reading an unfilled page as zero (a segfault, 139); a copy already removed is fine too. */
async function assertKilledBeforeZeros(t: TestContext, exitCode: number | undefined): Promise<void> {
  await t.test('the copy was killed before it read an unfilled page', () => {
    assert.ok(exitCode === undefined || exitCode === 137, `exit ${exitCode}: ${exitCode === 139 ? 'a segfault: it read a page that never came as zeros' : 'not the guard\'s SIGKILL'}`);
  });
}

/** The report's post-copy numbers in a line. */
function says(report: MigrationReport): string {
  return `${report.outcome} ${report.error?.code ?? ''}: postcopy ${JSON.stringify(report.postcopy)}, lazy window ${report.lazyWindowMs} ms, fill ${JSON.stringify(report.lazyFill)}, frozen ${report.frozenMs} ms, restore ${report.restoreMs} ms; rollback ${JSON.stringify(report.rollback)}`;
}


describe('post-copy: resume on the destination first, pages from the frozen source afterwards', () => {
  it('moves memory (checksum ok), the writable layer and a volume; the heartbeat goes on; only the destination has the container', LONG, async () => {
    await startStream(engine('h1'), 'mover', 256, 20, 'mover-vol');
    const src = await engine('h1').inspectContainer('mover');
    const marker = randomBytes(200_000);
    await writeFile(path.join(src.GraphDriver.Data['UpperDir'] ?? '', 'marker'), marker);
    const payload = randomBytes(500_000);
    await writeFile(path.join(src.Mounts.find((m) => m.Type === 'volume')?.Source ?? '', 'payload'), payload);
    const lastBefore = (await streamBeats(engine('h1'), 'mover')).at(-1)?.n ?? 0;

    const report = await postcopy('mover');
    console.log(`# ${says(report)}`);
    assert.equal(report.outcome, 'migrated', JSON.stringify(report.error));
    assert.deepEqual(report.phases.map((p) => p.phase), ['preflight', 'stage', 'stop', 'transfer', 'restore', 'verify', 'commit']);
    assert.equal(report.restoredBy, 'thin-lazy');
    const po = report.postcopy;
    assert.ok(po, 'the report has the post-copy part');
    assert.ok(po.pushAttempts >= 1, `push sessions ${po.pushAttempts}`);
    assert.ok(po.lazyPages >= 256 * 256 * 0.9, `${po.lazyPages} lazy pages: the stream's memory followed the resume`);
    assert.ok(report.lazyWindowMs !== undefined, 'the report gives the lazy window');

    assert.equal(await engine('h1').findContainer('mover'), undefined, 'the source copy is gone');
    assert.equal(await engine('h1').findVolume('mover-vol'), undefined, 'the volume left the source');
    assert.match(await verifyMemory(engine('h2'), 'mover'), / ok$/, 'every page came back with its content');
    const b = continuity(await streamBeats(engine('h2'), 'mover'));
    assert.equal(b.continuous, true, b.problem);
    assert.ok(b.last > lastBefore + 5, 'the heartbeat resumed on the destination');
    assert.ok((await readFile(path.join(await upperOf(engine('h2'), 'mover'), 'marker'))).equals(marker), 'the writable layer moved');
    const vol = (await engine('h2').inspectContainer('mover')).Mounts.find((m) => m.Type === 'volume');
    assert.equal(vol?.Name, 'mover-vol');
    const sha = (buf: Buffer) => createHash('sha256').update(buf).digest('hex');
    assert.equal(sha(await readFile(path.join(vol?.Source ?? '', 'payload'))), sha(payload), 'the volume moved');
    await engine('h2').removeContainer('mover');
    await engine('h2').removeVolume('mover-vol');
  });

  it(`the destination's link cut for ${CUT_MS / 1000} s in the lazy window: the push is retried and the migration completes, memory intact`, LONG, async () => {
    await startStream(engine('h1'), 'cut', 384, 20);
    const lastBefore = (await streamBeats(engine('h1'), 'cut')).at(-1)?.n ?? 0;
    const cut = inLazyWindow(async () => {
      await setLinkState('h2', 'down', { stateDir });
      await sleep(CUT_MS);
      await setLinkState('h2', 'up', { stateDir });
    });
    let report: MigrationReport;
    try {
      report = await postcopy('cut', cut.hook);
    } finally {
      await cut.acted().catch(() => undefined);
      await setLinkState('h2', 'up', { stateDir });
    }
    console.log(`# cut after ${(cut.pushedBefore() / 1048576).toFixed(0)} MiB pushed; ${says(report)}`);
    assert.ok(cut.fired(), 'the link was cut while the source pushed pages in the lazy window');
    assert.equal(report.outcome, 'migrated', JSON.stringify(report.error));
    assert.ok((report.postcopy?.pushAttempts ?? 0) >= 2, `the push was retried (${report.postcopy?.pushAttempts} sessions)`);
    assert.equal(await engine('h1').findContainer('cut'), undefined, 'the source copy is gone');
    assert.match(await verifyMemory(engine('h2'), 'cut'), / ok$/, 'every page came with its content');
    const b = continuity(await streamBeats(engine('h2'), 'cut'));
    assert.equal(b.continuous, true, b.problem);
    assert.ok(b.last > lastBefore + 5, 'the heartbeat went on on the destination');
    await engine('h2').removeContainer('cut');
  });

  it('the destination agent killed in the lazy window: the guard ends its copy, exactly one copy remains, the source\'s, thawed', LONG, async (t) => {
    await startStream(engine('h1'), 'dest-killed', 384, 20);
    const startedAt = (await engine('h1').inspectContainer('dest-killed')).State.StartedAt;
    const pid = await agentPid(bed, 'h2');
    let killedAt = 0;
    const kill = inLazyWindow(() => {
      killedAt = Date.now();
      process.kill(pid, 'SIGKILL');
    });
    const report = await postcopy('dest-killed', kill.hook);
    console.log(`# killed after ${(kill.pushedBefore() / 1048576).toFixed(0)} MiB pushed; ${says(report)}`);
    assert.ok(kill.fired(), 'the destination agent was killed while the source pushed pages in the lazy window');
    assert.notEqual(report.outcome, 'migrated');
    // Its page server went with the agent: the daemon fails at once and the guard ends the copy.
    const stopped = await destinationCopyStopped('dest-killed', killedAt, 15_000);
    // The restarted destination drops its half; the source, which stayed frozen, then thaws.
    await startAgent('h2', { stateDir });
    await assertOneCopyOnSource(bed, 'dest-killed', startedAt, 60_000, STREAM);
    assert.match(await verifyMemory(engine('h1'), 'dest-killed'), / ok$/, 'the source copy holds its memory');
    await assertDestinationAborted(bed, report.migrationId, 10_000);
    await engine('h1').removeContainer('dest-killed');
    await assertKilledBeforeZeros(t, stopped.exitCode);
  });

  it(`the source host dies in the lazy window (the documented post-copy loss): within pageWaitMs the destination's copy no longer runs, and its record ends aborted`, LONG, async (t) => {
    await startStream(engine('h1'), 'orphan', 384, 20);
    const pid = await agentPid(bed, 'h1');
    let id = '';
    let diedAt = 0;
    const die = inLazyWindow(async () => {
      diedAt = Date.now();
      process.kill(pid, 'SIGKILL');
      await engine('h1').signalContainer('orphan', 'SIGKILL');
    });
    const lost = await postcopy('orphan', die.hook, (started) => { id = started; }).then((r) => `report ${says(r)}`, (err: unknown) => `error ${(err as { code?: string }).code ?? String(err)}`);
    console.log(`# client: ${lost}`);
    assert.ok(die.fired(), 'the source died while it pushed pages in the lazy window');
    await die.acted();
    assert.ok(id, 'the migration started');
    // The guard kills the copy when a page does not come within pageWaitMs; later, the lease aborts the record and removes the container.
    const stopped = await destinationCopyStopped('orphan', diedAt, PAGE_WAIT_MS + 10_000);
    await assertDestinationAborted(bed, id, LEASE_MS + 20_000);
    assert.equal(await engine('h2').findContainer('orphan'), undefined, 'nothing of it on the destination');
    assert.deepEqual(criuOn(bed, 'h2'), [], 'no CRIU process, lazy-pages daemon or guard left on the destination');
    // The source host "comes back": its agent settles the record; the container stays lost (it was killed).
    await startAgent('h1', { stateDir });
    const c = await engine('h1').findContainer('orphan');
    console.log(`# source after restart: ${c ? `${c.State.Status}, exit ${c.State.ExitCode}` : 'absent'}`);
    assert.ok(!c?.State.Running, 'no copy runs anywhere: the container was lost with its source');
    await engine('h1').removeContainer('orphan');
    await assertKilledBeforeZeros(t, stopped.exitCode);
  });

  it('a container labelled ferry.postcopy=refuse is refused with FERRY_ERR_POSTCOPY_REFUSED before anything moves; the source runs on untouched', LONG, async () => {
    const startedAt = await startCounter(bed, 'refuser', { 'ferry.postcopy': 'refuse' });
    const report = await postcopy('refuser');
    console.log(`# ${report.outcome}: ${report.error?.code} ${report.error?.message}`);
    assert.equal(report.outcome, 'rolled-back');
    assert.equal(report.error?.code, 'FERRY_ERR_POSTCOPY_REFUSED');
    assert.match(report.error?.message ?? '', /ferry\.postcopy=refuse/);
    assert.deepEqual(report.phases.map((p) => p.phase), ['preflight'], 'refused before stage and the stop');
    assert.equal(report.bytes.wireBytes, 0, 'not a byte sent');
    const c = await engine('h1').inspectContainer('refuser');
    assert.equal(c.State.Running, true);
    assert.equal(c.State.Paused, false, 'never frozen');
    assert.equal(c.State.StartedAt, startedAt, 'never restarted');
    const beforeN = (await beatsOf(engine('h1'), 'refuser')).at(-1)?.n ?? 0;
    await sleep(600);
    const b = continuity(await beatsOf(engine('h1'), 'refuser'));
    assert.equal(b.continuous, true, b.problem);
    assert.ok(b.last > beforeN, 'the counter goes on');
    assert.equal(await engine('h2').findContainer('refuser'), undefined, 'no container on the destination');
    assert.equal(await engine('h2').findImage(COUNTER_IMAGE), undefined, 'no image sent to the destination');
    await engine('h1').removeContainer('refuser');
  });
});
