/**
 * @module tools/ceph/bootstrap — creates what a cluster's daemons need before their first
 * start, each step skipped when already done: conf, monitor store, manager dir, OSD stores.
 */
import { access, mkdir, rm, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runOrThrow } from '../../adapters/host/run.ts';
import { cephOrThrow } from './cli.ts';
import { cephConf } from './conf.ts';
import type { ClusterIdentity } from './identity.ts';
import { MON_ID, osdBlock, osdData, type CephPlan } from './plan.ts';

const MIB = 1024 * 1024;
const exists = (p: string): Promise<boolean> => access(p).then(() => true, () => false);
const PURGE = 'if it keeps failing, `ferry storage down --purge` starts the cluster over';

/** Creates the state dir's layout and (re)writes ceph.conf; returns its path. */
export async function writeConf(plan: CephPlan, identity: ClusterIdentity): Promise<string> {
  for (const dir of [plan.stateDir, plan.logDir, plan.runDir, plan.crashDir, plan.mgrData, plan.rgwData]) {
    await mkdir(dir, { recursive: true, mode: 0o700 });
  }
  await writeFile(plan.confFile, cephConf(plan, identity.fsid));
  return plan.confFile;
}

/** True once the monitor's store exists. */
export function monMade(plan: CephPlan): Promise<boolean> {
  return exists(join(plan.monData, 'kv_backend'));
}

/** Creates the monitor's store from a one-monitor map (skipped when it exists); returns what it did. */
export async function makeMon(plan: CephPlan, identity: ClusterIdentity): Promise<string[]> {
  if (await monMade(plan)) return [];
  await rm(plan.monData, { recursive: true, force: true });
  await mkdir(join(plan.monData, '..'), { recursive: true, mode: 0o700 });
  await runOrThrow('FERRY_ERR_STORE_UNREACHABLE', 'monmaptool', ['--create', '--clobber', '--fsid', identity.fsid, '--addv', MON_ID, plan.monAddrs, plan.monmapFile], PURGE);
  await runOrThrow('FERRY_ERR_STORE_UNREACHABLE', 'ceph-mon', ['-c', plan.confFile, '-i', MON_ID, '--mkfs', '--monmap', plan.monmapFile], `see ${plan.logDir}/mon.${MON_ID}.log; ${PURGE}`);
  return [`monitor store ${plan.monData}`];
}

/** True once an OSD's bluestore is made (ceph-osd writes `ready` last). */
export function osdMade(plan: CephPlan, id: number): Promise<boolean> {
  return exists(join(osdData(plan, id), 'ready'));
}

/**
 * Registers an OSD with the monitor under its recorded uuid (`ceph osd new` is idempotent for
 * the same uuid and id) and makes its bluestore on a sparse block file of osdSizeMiB; skipped
 * when made. Needs the monitor up.
 */
export async function makeOsd(plan: CephPlan, osd: ClusterIdentity['osds'][number]): Promise<string[]> {
  if (await osdMade(plan, osd.id)) return [];
  const dir = osdData(plan, osd.id);
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await writeFile(osdBlock(plan, osd.id), '');
  await truncate(osdBlock(plan, osd.id), plan.osdSizeMiB * MIB);
  await cephOrThrow(plan, ['osd', 'new', osd.uuid, String(osd.id)]);
  await runOrThrow('FERRY_ERR_STORE_UNREACHABLE', 'ceph-osd', ['-c', plan.confFile, '-i', String(osd.id), '--mkfs', '--osd-uuid', osd.uuid],
    `see ${plan.logDir}/osd.${osd.id}.log; ${PURGE}`, { timeoutMs: 120_000 });
  return [`osd.${osd.id} bluestore on ${osdBlock(plan, osd.id)} (${plan.osdSizeMiB} MiB)`];
}
