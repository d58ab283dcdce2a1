/**
 * @module tools/ceph/down — stops the cluster's daemons by verified PID, removes its address
 * (and ferrystore0 with the last one), and with `purge` deletes its state dir. Idempotent.
 */
import { access, readdir, rm } from 'node:fs/promises';
import { loadConfig, type Config } from '../../core/config.ts';
import { FerryError } from '../../core/errors.ts';
import { stopDaemons } from './daemons.ts';
import { planWithIdentity, readIdentity } from './identity.ts';
import { removeAddress } from './net.ts';
import { planFromConfig, type CephPlan } from './plan.ts';
import { requireRoot } from './prerequisites.ts';

/** Options of {@link storageDown}. */
export interface StorageDownOptions {
  config?: Config;
  /** Also delete the state dir: data, keys, logs (the next `up` starts a new cluster). */
  purge?: boolean;
  log?: (line: string) => void;
}

const exists = (p: string): Promise<boolean> => access(p).then(() => true, () => false);

/** Deletes the state dir, but only one that `up` made (it holds cluster.json or ceph.conf) or an empty one. */
async function purge(plan: CephPlan): Promise<string[]> {
  const entries = await readdir(plan.stateDir).catch(() => null);
  if (entries === null) return [];
  if (entries.length > 0 && !(await exists(plan.identityFile)) && !(await exists(plan.confFile))) {
    throw new FerryError('FERRY_ERR_CONFIG', `config key storage.stateDir: ${plan.stateDir} holds neither cluster.json nor ceph.conf, so it is not a ferry storage dir; not deleting it`);
  }
  await rm(plan.stateDir, { recursive: true, force: true });
  return [`removed ${plan.stateDir}`];
}

/** Stops the cluster of the configured state dir; returns one line per thing stopped or removed (empty: nothing was there). */
export async function storageDown(options: StorageDownOptions = {}): Promise<string[]> {
  const log = options.log ?? (() => {});
  requireRoot('ferry storage down');
  const base = planFromConfig(options.config ?? loadConfig());
  const identity = await readIdentity(base).catch(() => null);
  const plan = planWithIdentity(base, identity);
  const done = await stopDaemons(plan, log);
  for (const l of await removeAddress(identity?.address ?? plan.address)) {
    log(`removed ${l}`);
    done.push(`removed ${l}`);
  }
  if (options.purge) {
    for (const l of await purge(plan)) {
      log(l);
      done.push(l);
    }
  }
  return done;
}
