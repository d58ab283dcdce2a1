/** @module tools/ceph/status — the state of the project's Ceph cluster: each daemon, health, radosgw, as data and as text. */
import { access } from 'node:fs/promises';
import { loadConfig, type Config } from '../../core/config.ts';
import { clusterHealth, s3Answers } from './cli.ts';
import { daemonStates } from './daemons.ts';
import { clusterServes, describeHealth, type ClusterHealth } from './health.ts';
import { planWithIdentity, readIdentity } from './identity.ts';
import { planFromConfig } from './plan.ts';

/** The state of the cluster of one state dir. */
export interface StorageStatus {
  stateDir: string;
  endpoint: string;
  /** Whether `up` ever made a cluster here (cluster.json exists). */
  made: boolean;
  daemons: Array<{ name: string; pid: number | null; running: boolean }>;
  /** null when the monitor does not run or answer. */
  health: ClusterHealth | null;
  rgwReachable: boolean;
  /** The credentials file, or null when it is missing. */
  credentialsFile: string | null;
  /** Every daemon runs, every OSD is up and in, health is OK or WARN and radosgw answers. */
  up: boolean;
}

/** Looks at the cluster of the configured state dir (needs no root). */
export async function storageStatus(options: { config?: Config } = {}): Promise<StorageStatus> {
  const base = planFromConfig(options.config ?? loadConfig());
  const identity = await readIdentity(base).catch(() => null);
  const plan = planWithIdentity(base, identity);
  const states = await daemonStates(plan);
  const monRuns = states.some((s) => s.daemon.kind === 'mon' && s.pid !== null);
  const [health, rgwReachable] = await Promise.all([monRuns ? clusterHealth(plan, 3) : null, s3Answers(plan.endpoint, 1_500)]);
  const credentials = await access(plan.credentialsFile).then(() => true, () => false);
  const daemons = states.map((s) => ({ name: s.daemon.name, pid: s.pid, running: s.pid !== null }));
  return {
    stateDir: plan.stateDir, endpoint: plan.endpoint, made: identity !== null, daemons, health, rgwReachable,
    credentialsFile: credentials ? plan.credentialsFile : null,
    up: daemons.every((d) => d.running) && clusterServes(health, plan.osds) && rgwReachable,
  };
}

/** The status as text for a terminal. */
export function formatStorageStatus(s: StorageStatus): string {
  const lines = [`ceph cluster in ${s.stateDir}${s.made ? '' : ' (none made yet: `ferry storage up` makes one)'}, S3 endpoint ${s.endpoint}`];
  const width = Math.max(...s.daemons.map((d) => d.name.length));
  for (const d of s.daemons) lines.push(`  ${d.name.padEnd(width)}  ${d.running ? `running  pid ${d.pid}` : 'stopped'}`);
  lines.push(`health: ${s.daemons.some((d) => d.running) ? describeHealth(s.health) : 'unknown (nothing runs)'}`);
  lines.push(`radosgw reachable: ${s.rgwReachable ? 'yes' : 'NO'}`);
  lines.push(`credentials: ${s.credentialsFile ?? 'missing'}`);
  lines.push(s.up ? 'all up' : 'not up: `ferry storage up` starts what is missing');
  return `${lines.join('\n')}\n`;
}
