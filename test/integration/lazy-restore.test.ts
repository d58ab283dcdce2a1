/**
 * @module test/integration/lazy-restore.test — faults while a lazily restored container runs
 * on the destination and its memory is still being filled (verify waits for the lazy-pages
 * daemon), on a real 2-host test bed (subnet 10.227.0): the destination agent killed, and
 * the destination's link cut, as verify begins. Each must end with exactly one running copy
 * — the source's, thawed, the same process, its counter continuous — nothing of it on the
 * destination, and no lazy-pages daemon left behind. Needs root and CRIU with userfaultfd.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { setLinkState, startAgent, clusterFile } from '../../src/tools/testbed/index.ts';
import { migrate } from '../../src/apps/cli/migrate-client.ts';
import type { MigrationReport } from '../../src/domain/migration/report.ts';
import { ensureCounterImage } from '../../src/tools/workloads/counter-image.ts';
import { agentPid, assertOneCopyOnSource, atPhase, faultBed, isLazyPages, LONG, startCounter, type OneCopyOptions } from '../support/one-copy.ts';

const bed = faultBed({ filename: import.meta.filename, subnet: '10.227.0', prepare: (engine) => ensureCounterImage(engine('h1')) });
const { stateDir, engine } = bed;

/** A hook that acts once, when the verify phase begins (the container runs lazily restored on the destination). */
const atVerify = (act: () => unknown) => atPhase('verify', act);

/** What must be gone once the source's copy is the only one: a lazy-pages daemon on the destination. */
const NO_DAEMON_LEFT: OneCopyOptions = { noneLeft: [{ host: 'h2', match: isLazyPages, what: 'no lazy-pages daemon left on the destination' }] };


describe('faults during the lazy window', () => {
  it('a clean lazy restore reports its window and commits only when every page is in', LONG, async () => {
    await startCounter(bed, 'clean');
    const report = await migrate('clean', { strategy: 'stop-copy', cluster: clusterFile(stateDir), from: 'h1', to: 'h2' });
    assert.equal(report.outcome, 'migrated', JSON.stringify(report.error));
    assert.equal(report.restoredBy, 'thin-lazy');
    assert.ok((report.lazyWindowMs ?? -1) >= 0, `lazy window ${report.lazyWindowMs}`);
    console.log(`# restore ${report.restoreMs} ms, lazy window ${report.lazyWindowMs} ms, frozen ${report.frozenMs} ms`);
    await engine('h2').removeContainer('clean');
  });

  // stop-copy: the daemon reads local page files; precopy: it asks the agent's page server, so the agent's death ends the daemon and the guard ends the copy.
  for (const strategy of ['stop-copy', 'precopy'] as const) {
    it(`the destination agent killed as verify begins (${strategy}${strategy === 'precopy' ? ', pages served by the agent' : ', pages from local files'}): exactly one copy, the source's`, LONG, async () => {
      const name = `killed-${strategy}`;
      const startedAt = await startCounter(bed, name);
      const pid = await agentPid(bed, 'h2');
      const kill = atVerify(() => process.kill(pid, 'SIGKILL'));
      const report: MigrationReport = await migrate(name, { strategy, cluster: clusterFile(stateDir), from: 'h1', to: 'h2' }, kill.hook);
      assert.ok(kill.fired(), 'the destination agent was killed during verify');
      console.log(`# ${strategy}: ${report.outcome}: ${report.error?.code}`);
      assert.notEqual(report.outcome, 'migrated');
      if (strategy === 'precopy') {
        // The copy on the destination must not run on after its page server is gone.
        const until = Date.now() + 10_000;
        while ((await engine('h2').findContainer(name))?.State.Running) {
          if (Date.now() > until) assert.fail('the destination copy still runs 10 s after its page server died');
          await sleep(200);
        }
        const d = await engine('h2').findContainer(name);
        assert.ok(!d || d.State.ExitCode === 137, `the destination copy ended with exit ${d?.State.ExitCode} (137: the guard's SIGKILL; 139 would be a read of an unfilled page)`);
      }
      await startAgent('h2', { stateDir });
      await assertOneCopyOnSource(bed, name, startedAt, 30_000, NO_DAEMON_LEFT);
      await engine('h1').removeContainer(name);
    });
  }

  it('the destination\'s link cut as verify begins: exactly one copy once the link is back', LONG, async () => {
    const startedAt = await startCounter(bed, 'cut');
    const cut = atVerify(() => setLinkState('h2', 'down', { stateDir }));
    let report: MigrationReport;
    try {
      report = await migrate('cut', { strategy: 'stop-copy', cluster: clusterFile(stateDir), from: 'h1', to: 'h2' }, cut.hook);
    } finally {
      await sleep(1000);
      await setLinkState('h2', 'up', { stateDir });
    }
    assert.ok(cut.fired(), 'the link was cut during verify');
    console.log(`# ${report.outcome}: ${report.error?.code}`);
    if (report.outcome === 'migrated') {
      // Verify had already answered before the cut took hold: then the destination's copy is the one.
      assert.equal(await engine('h1').findContainer('cut'), undefined);
      assert.equal((await engine('h2').inspectContainer('cut')).State.Running, true);
      await engine('h2').removeContainer('cut');
      return;
    }
    await assertOneCopyOnSource(bed, 'cut', startedAt, 60_000, NO_DAEMON_LEFT);
    await engine('h1').removeContainer('cut');
  });
});
