/**
 * @module tools/ceph/wait — waits for the cluster to come up: the monitor to answer, then
 * every OSD up and in with health OK or WARN and radosgw answering HTTP. A daemon that exits
 * meanwhile fails the wait at once, with the tail of its log.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { FerryError } from '../../core/errors.ts';
import { isAlive } from '../testbed/index.ts';
import { ceph, clusterHealth, s3Answers } from './cli.ts';
import { daemonFailure, type DaemonState } from './daemons.ts';
import { clusterServes, describeHealth, stuckOsds, type ClusterHealth } from './health.ts';
import type { CephPlan, DaemonPlan } from './plan.ts';

/** How long the monitor may take to answer after its start, in ms. */
export const MON_TIMEOUT_MS = 30_000;
/** How long the whole cluster may take to serve once every daemon runs, in ms (it takes about 15 s cold). */
export const SERVE_TIMEOUT_MS = 120_000;
const POLL_MS = 500;

/**
 * An op blocked this long on an OSD of a cluster still coming up is stuck (seen once in CI: an
 * op blocked on osd.2 for over 200 s, radosgw never answered): the OSD is marked down once, so
 * it re-peers and the op is sent again, in s.
 */
const STUCK_OP_S = 30;

/** The first daemon that is no longer alive, or null. */
async function firstDead(states: readonly DaemonState[]): Promise<DaemonState | null> {
  for (const s of states) if (s.pid === null || !(await isAlive(s.pid))) return s;
  return null;
}

async function deadError(d: DaemonState): Promise<FerryError> {
  return daemonFailure(d.daemon, `${d.daemon.name} (pid ${d.pid ?? '-'}) exited during start`);
}

/** Waits until the monitor answers `ceph status`; throws when it exits or stays silent. */
export async function waitMonitor(plan: CephPlan, mon: DaemonState): Promise<ClusterHealth> {
  const end = Date.now() + MON_TIMEOUT_MS;
  while (Date.now() < end) {
    const dead = await firstDead([mon]);
    if (dead) throw await deadError(dead);
    const h = await clusterHealth(plan, 2);
    if (h) return h;
    await sleep(POLL_MS);
  }
  throw await daemonFailure(mon.daemon, `${mon.daemon.name} (pid ${mon.pid ?? '-'}) did not answer at ${plan.monAddrs} within ${MON_TIMEOUT_MS / 1000} s`);
}

/** Waits until the cluster serves and radosgw answers; returns the last health. */
export async function waitServing(plan: CephPlan, states: readonly DaemonState[], log: (line: string) => void): Promise<ClusterHealth> {
  const end = Date.now() + SERVE_TIMEOUT_MS;
  let health: ClusterHealth | null = null;
  let rgw = false;
  let said = '';
  const kicked = new Set<number>();
  while (Date.now() < end) {
    const dead = await firstDead(states);
    if (dead) throw await deadError(dead);
    [health, rgw] = await Promise.all([clusterHealth(plan, 2), s3Answers(plan.endpoint, 1_000)]);
    if (health && clusterServes(health, plan.osds) && rgw) return health;
    for (const osd of rgw ? [] : stuckOsds(health, STUCK_OP_S).filter((n) => !kicked.has(n))) {
      kicked.add(osd);
      const r = await ceph(plan, ['osd', 'down', `osd.${osd}`]);
      log(`osd.${osd} has an op blocked for over ${STUCK_OP_S} s while radosgw waits: marked it down once so that it re-peers (${r.code === 0 ? 'done' : `failed: ${r.stderr.trim()}`})`);
    }
    const now = `${describeHealth(health)}; radosgw ${rgw ? 'answers' : 'not yet answering'}`;
    if (now !== said) log(`waiting: ${now}`);
    said = now;
    await sleep(POLL_MS);
  }
  const blame = (kind: DaemonPlan['kind']): DaemonPlan => states.find((s) => s.daemon.kind === kind)?.daemon ?? plan.daemons[0] as DaemonPlan;
  const culprit = !health ? blame('mon') : health.osds.up < plan.osds ? blame('osd') : !rgw ? blame('rgw') : blame('mon');
  throw await daemonFailure(culprit, `the cluster did not serve within ${SERVE_TIMEOUT_MS / 1000} s (${describeHealth(health)}; radosgw at ${plan.endpoint} ${rgw ? 'answers' : 'does not answer'}); see ${culprit.name}`);
}
