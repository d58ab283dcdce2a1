/**
 * @module tools/ceph/up — brings the project's Ceph cluster up, idempotently: creates what is
 * missing (identity, conf, monitor store, OSD stores), starts the daemons that do not run, waits
 * until it serves, then makes sure of the S3 user, the credentials file and the bucket.
 */
import { loadConfig, type Config } from '../../core/config.ts';
import { makeMon, makeOsd, osdMade, writeConf } from './bootstrap.ts';
import { ensureBucket } from './bucket.ts';
import { s3Answers } from './cli.ts';
import { daemonStates, startDaemon, type DaemonState } from './daemons.ts';
import { describeHealth } from './health.ts';
import { ensureIdentity, planWithIdentity } from './identity.ts';
import { ensureAddress } from './net.ts';
import { planFromConfig, type CephPlan, type DaemonKind } from './plan.ts';
import { requireCephBinaries, requireRoot } from './prerequisites.ts';
import { ensureS3User, readCredentials, writeCredentials } from './s3-user.ts';
import { waitMonitor, waitServing } from './wait.ts';

/** Options of {@link storageUp}. */
export interface StorageUpOptions {
  /** Defaults to the configuration from FERRY_* variables. */
  config?: Config;
  /** Progress lines (never a secret). */
  log?: (line: string) => void;
}

/** What `up` reports (no secret: the keys are in credentialsFile). */
export interface StorageUp {
  endpoint: string;
  bucket: string;
  credentialsFile: string;
  /** How long `up` took, in ms. */
  startedMs: number;
  daemons: Array<{ name: string; pid: number }>;
  /** True when everything already ran and nothing was started. */
  alreadyUp: boolean;
}

function report(plan: CephPlan, states: readonly DaemonState[], t0: number, alreadyUp: boolean): StorageUp {
  return {
    endpoint: plan.endpoint, bucket: plan.bucket, credentialsFile: plan.credentialsFile, startedMs: Date.now() - t0,
    daemons: states.map((s) => ({ name: s.daemon.name, pid: s.pid ?? 0 })), alreadyUp,
  };
}

/** Starts the daemons of some kinds that do not run (recording their PIDs in `states`). */
async function startMissing(plan: CephPlan, states: DaemonState[], kinds: readonly DaemonKind[], log: (line: string) => void): Promise<void> {
  for (const s of states) {
    if (!kinds.includes(s.daemon.kind)) continue;
    if (s.pid !== null) {
      log(`${s.daemon.name} already runs (pid ${s.pid})`);
      continue;
    }
    s.pid = await startDaemon(plan, s.daemon);
    log(`started ${s.daemon.name} (pid ${s.pid})`);
  }
}

/** Brings the cluster up (or finds it up) and returns where it serves. */
export async function storageUp(options: StorageUpOptions = {}): Promise<StorageUp> {
  const t0 = Date.now();
  const log = options.log ?? (() => {});
  const config = options.config ?? loadConfig();
  requireRoot('ferry storage up');
  requireCephBinaries();
  const identity = await ensureIdentity(planFromConfig(config));
  const plan = planWithIdentity(planFromConfig(config), identity);
  for (const l of await ensureAddress(plan.address)) log(`added ${l}`);

  const states = await daemonStates(plan);
  if (states.every((s) => s.pid !== null) && (await s3Answers(plan.endpoint)) && (await readCredentials(plan.credentialsFile))) {
    log(`already up: ${states.length} daemons run and radosgw answers at ${plan.endpoint}`);
    return report(plan, states, t0, true);
  }

  await writeConf(plan, identity);
  for (const l of await makeMon(plan, identity)) log(`created ${l}`);
  await startMissing(plan, states, ['mon', 'mgr'], log);
  // a new OSD must register with the monitor first; made ones start at once (a warm start)
  const unmade = (await Promise.all(identity.osds.map(async (o) => ((await osdMade(plan, o.id)) ? null : o)))).filter((o) => o !== null);
  const mon = states.find((s) => s.daemon.kind === 'mon');
  if (unmade.length > 0 && mon) {
    await waitMonitor(plan, mon);
    const made = await Promise.all(unmade.map((osd) => makeOsd(plan, osd)));
    for (const l of made.flat()) log(`created ${l}`);
  }
  await startMissing(plan, states, ['osd', 'rgw'], log);
  const health = await waitServing(plan, states, log);
  log(`serving: ${describeHealth(health)}; radosgw answers at ${plan.endpoint}`);

  const creds = await ensureS3User(plan, (l) => log(`created ${l}`));
  await writeCredentials(plan.credentialsFile, creds);
  log(`bucket ${plan.bucket}: ${await ensureBucket(creds)}; credentials in ${plan.credentialsFile}`);
  return report(plan, states, t0, false);
}
