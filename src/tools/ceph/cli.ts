/** @module tools/ceph/cli — runs Ceph's command-line tools against the cluster's own conf file. */
import { request } from 'node:http';
import { FerryError } from '../../core/errors.ts';
import { describeRun, run, type RunResult } from '../../adapters/host/run.ts';
import { parseClusterHealth, type ClusterHealth } from './health.ts';
import { MON_ID, type CephPlan } from './plan.ts';

/** How long the ceph tool waits for the monitor, in seconds. */
const CONNECT_TIMEOUT_S = 10;

/** Runs `ceph -c CONF ARGS...`; never throws for a failing command. */
export function ceph(plan: CephPlan, args: readonly string[], timeoutMs = 30_000): Promise<RunResult> {
  return run('ceph', ['-c', plan.confFile, '--connect-timeout', String(CONNECT_TIMEOUT_S), ...args], { timeoutMs });
}

/** Runs `ceph` and throws FERRY_ERR_STORE_UNREACHABLE when it fails; returns its stdout. */
export async function cephOrThrow(plan: CephPlan, args: readonly string[], timeoutMs = 30_000): Promise<string> {
  const r = await ceph(plan, args, timeoutMs);
  if (r.code !== 0 || r.failure) {
    throw new FerryError('FERRY_ERR_STORE_UNREACHABLE', `${describeRun('ceph', ['-c', plan.confFile, ...args], r)}; the monitor at ${plan.monAddrs} logs to ${plan.logDir}/mon.${MON_ID}.log`);
  }
  return r.stdout;
}

/** The cluster's health, or null when the monitor does not answer within `timeoutS` seconds. */
export async function clusterHealth(plan: CephPlan, timeoutS = 5): Promise<ClusterHealth | null> {
  const r = await run('ceph', ['-c', plan.confFile, '--connect-timeout', String(timeoutS), 'status', '--format', 'json'], { timeoutMs: (timeoutS + 10) * 1000 });
  return r.code === 0 ? parseClusterHealth(r.stdout) : null;
}

/**
 * Runs `radosgw-admin -c CONF ARGS...`. Its output can hold secret keys, so errors quote only
 * stderr, and callers never log stdout.
 */
export async function radosgwAdmin(plan: CephPlan, args: readonly string[], timeoutMs = 60_000): Promise<RunResult> {
  return run('radosgw-admin', ['-c', plan.confFile, ...args], { timeoutMs });
}

/** One line describing a failed radosgw-admin run, from its stderr only (stdout may hold keys). */
export function describeAdminFailure(args: readonly string[], r: RunResult): string {
  const err = r.stderr.trim().split('\n').slice(-3).join(' | ');
  return `\`radosgw-admin ${args.join(' ')}\` failed (${r.failure ?? `exit code ${r.code}`})${err ? `: ${err}` : ''}`;
}

/**
 * True when an S3 server answers at `url` within `timeoutMs`: any status, but with S3's
 * x-amz-request-id header (some networks answer HTTP for any address, so a bare answer proves nothing).
 */
export function s3Answers(url: string, timeoutMs = 2_000): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request(url, { method: 'GET', timeout: timeoutMs }, (res) => {
      const s3 = res.headers['x-amz-request-id'] !== undefined;
      res.resume();
      res.on('end', () => resolve(s3));
      res.on('error', () => resolve(s3));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => resolve(false));
    req.end();
  });
}
