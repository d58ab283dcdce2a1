/**
 * @module test/integration/final-round-faults.test — faults during the pre-copy strategy's
 * final round (source phase `transfer`, which runs while the container is frozen), on a real
 * 2-host test bed (subnet 10.228.0, its own state dir): the destination agent killed, the
 * destination's link cut, and the source agent killed then restarted, each as the final round
 * begins. Each must end with exactly one running copy — the source's, thawed, the same
 * process, its counter continuous — nothing of it on the destination, and no CRIU process or
 * lazy-pages daemon left on either host. Needs root and CRIU.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { setLinkState, startAgent, clusterFile } from '../../src/tools/testbed/index.ts';
import { agentClient, readCluster } from '../../src/apps/cli/cluster.ts';
import { migrate } from '../../src/apps/cli/migrate-client.ts';
import type { MigrationEvent } from '../../src/services/migration/source.ts';
import type { MigrationReport } from '../../src/domain/migration/report.ts';
import { continuity, ensureCounterImage } from '../../src/tools/workloads/counter-image.ts';
import { beatsOf } from '../../src/tools/demo/demo.ts';
import { agentPid, assertDestinationAborted, assertOneCopyOnSource, atPhase, faultBed, LONG, startCounter } from '../support/one-copy.ts';

const bed = faultBed({ filename: import.meta.filename, subnet: '10.228.0', prepare: (engine) => ensureCounterImage(engine('h1')) });
const { stateDir, engine } = bed;

/** A pre-copy migration of `name` from h1 to h2. */
function precopy(name: string, view?: { show: (ev: MigrationEvent) => void }, onStart?: (id: string) => void): Promise<MigrationReport> {
  return migrate(name, { strategy: 'precopy', cluster: clusterFile(stateDir), from: 'h1', to: 'h2' }, view, onStart);
}

/** A hook that acts once, when the final round (phase transfer) begins: the container is frozen and dumped. */
const atFinalRound = (act: () => unknown) => atPhase('transfer', act);

/** The forward phases a report went through, in order. */
const phasesOf = (report: MigrationReport): string[] => report.phases.map((p) => p.phase);

/** Asserts the migration failed in its final round: it reached transfer and never asked for a restore. */
function assertFailedInFinalRound(report: MigrationReport): void {
  console.log(`# ${report.outcome}: ${report.error?.code} ${report.error?.message ?? ''}; phases ${JSON.stringify(report.phases)}; rollback ${JSON.stringify(report.rollback)}`);
  assert.notEqual(report.outcome, 'migrated');
  assert.equal(phasesOf(report).at(-1), 'transfer', `the fault hit the final round (phases ${phasesOf(report).join(' ')})`);
  assert.ok(!phasesOf(report).includes('restore'), 'no restore was requested');
}

/** The source agent's record of a migration, polled until it has an outcome (the agent resolves it after a restart). */
async function settledReport(id: string, timeoutMs: number): Promise<MigrationReport> {
  const client = agentClient(readCluster(clusterFile(stateDir)), 'h1', 10_000);
  const until = Date.now() + timeoutMs;
  for (;;) {
    const rec = await client.call<{ phase: string; report: MigrationReport }>('GET', `/v1/migrations/${encodeURIComponent(id)}`).catch(() => undefined);
    if (rec && rec.report.outcome !== 'running' && rec.phase !== 'rolling-back') return rec.report;
    if (Date.now() > until) assert.fail(`migration ${id} not settled by the restarted source within ${timeoutMs} ms (phase ${rec?.phase ?? 'unknown'})`);
    await sleep(300);
  }
}


describe('faults during the pre-copy final round', () => {
  it('a clean pre-copy migration of the counter: the frozen final round, then one copy on the destination', LONG, async () => {
    await startCounter(bed, 'clean');
    const report = await precopy('clean');
    assert.equal(report.outcome, 'migrated', JSON.stringify(report.error));
    const transferMs = report.phases.find((p) => p.phase === 'transfer')?.ms ?? -1;
    console.log(`# final round ${transferMs} ms (${JSON.stringify(report.precopy?.final)}), stop ${report.phases.find((p) => p.phase === 'stop')?.ms} ms, frozen ${report.frozenMs} ms, restored by ${report.restoredBy}`);
    assert.equal(await engine('h1').findContainer('clean'), undefined, 'the source copy is gone');
    assert.equal((await engine('h2').inspectContainer('clean')).State.Running, true);
    const counter = continuity(await beatsOf(engine('h2'), 'clean'));
    assert.equal(counter.continuous, true, counter.problem);
    await engine('h2').removeContainer('clean');
  });

  it('the destination agent killed as the final round begins: rolled back, exactly one copy, the source\'s, thawed', LONG, async () => {
    const startedAt = await startCounter(bed, 'dest-killed');
    const pid = await agentPid(bed, 'h2');
    const kill = atFinalRound(() => process.kill(pid, 'SIGKILL'));
    const report = await precopy('dest-killed', kill.hook);
    assert.ok(kill.fired(), 'the destination agent was killed in the final round');
    assertFailedInFinalRound(report);
    assert.equal(report.outcome, 'rolled-back');
    // The restarted destination drops its half (created container, received pages) on start.
    await startAgent('h2', { stateDir });
    await assertOneCopyOnSource(bed, 'dest-killed', startedAt, 30_000);
    await assertDestinationAborted(bed, report.migrationId, 10_000);
    await engine('h1').removeContainer('dest-killed');
  });

  it('the destination\'s link cut as the final round begins: rolled back, exactly one copy, the source\'s, once the link is back', LONG, async () => {
    const startedAt = await startCounter(bed, 'cut');
    const cut = atFinalRound(() => setLinkState('h2', 'down', { stateDir }));
    let report: MigrationReport;
    try {
      report = await precopy('cut', cut.hook);
    } finally {
      await sleep(1000);
      await setLinkState('h2', 'up', { stateDir });
    }
    assert.ok(cut.fired(), 'the link was cut in the final round');
    assertFailedInFinalRound(report);
    assert.equal(report.outcome, 'rolled-back');
    // The destination's half goes when its lease runs out (no word from the source) or at the source's abort.
    await assertOneCopyOnSource(bed, 'cut', startedAt, 60_000);
    await assertDestinationAborted(bed, report.migrationId, 10_000);
    await engine('h1').removeContainer('cut');
  });

  it('the source agent killed during the final round and restarted: it thaws its copy, the destination aborts its half', LONG, async () => {
    const startedAt = await startCounter(bed, 'src-killed');
    const pid = await agentPid(bed, 'h1');
    let id = '';
    const kill = atFinalRound(() => process.kill(pid, 'SIGKILL'));
    // The client loses the source agent (FERRY_ERR_AGENT_UNREACHABLE) or, when it comes back soon, gets its report.
    const lost = await precopy('src-killed', kill.hook, (started) => { id = started; }).then((r) => `report ${r.outcome}`, (err: unknown) => `error ${(err as { code?: string }).code ?? String(err)}`);
    assert.ok(kill.fired(), 'the source agent was killed in the final round');
    console.log(`# client: ${lost}`);
    assert.ok(id, 'the migration started');
    assert.equal((await engine('h1').inspectContainer('src-killed')).State.Paused, true, 'the source copy stays frozen while its agent is gone');
    await startAgent('h1', { stateDir });
    const report = await settledReport(id, 60_000);
    console.log(`# ${report.outcome}: ${report.error?.code} ${report.error?.message ?? ''}; rollback ${JSON.stringify(report.rollback)}`);
    assert.equal(report.outcome, 'rolled-back');
    assert.match(report.error?.message ?? '', /during transfer/, 'the agent stopped in the final round');
    await assertOneCopyOnSource(bed, 'src-killed', startedAt, 30_000);
    await assertDestinationAborted(bed, id, 10_000);
    await engine('h1').removeContainer('src-killed');
  });
});
