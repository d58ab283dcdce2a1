/**
 * @module tools/ceph/identity — cluster.json: what a cluster was made with and must keep
 * (fsid, monitor address, each OSD's uuid), created once per state dir.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import * as z from 'zod';
import { FerryError } from '../../core/errors.ts';
import { planCeph, type CephPlan } from './plan.ts';

const IdentitySchema = z.object({
  fsid: z.uuid(),
  address: z.string(),
  osds: z.array(z.object({ id: z.number().int().min(0), uuid: z.uuid() })),
  createdAt: z.string(),
});

/** The fixed identity of a cluster. */
export type ClusterIdentity = z.infer<typeof IdentitySchema>;

/**
 * The identity for a plan: the existing one (extended by OSDs the plan adds) or a fresh one.
 * The monitor map holds the address, so it may not change; OSDs are never dropped (a smaller
 * storage.osds keeps the OSDs already made, see {@link planWithIdentity}).
 */
export function reconcileIdentity(existing: ClusterIdentity | null, plan: CephPlan, newUuid: () => string = randomUUID, now = new Date()): ClusterIdentity {
  if (!existing) {
    return { fsid: newUuid(), address: plan.address, osds: plan.osdIds.map((id) => ({ id, uuid: newUuid() })), createdAt: now.toISOString() };
  }
  if (existing.address !== plan.address) {
    throw new FerryError('FERRY_ERR_CONFIG', `config key storage.address: the cluster in ${plan.stateDir} was made for ${existing.address}, not ${plan.address}; use that address, or \`ferry storage down --purge\` to start over`);
  }
  const added = plan.osdIds.filter((id) => !existing.osds.some((o) => o.id === id)).map((id) => ({ id, uuid: newUuid() }));
  return { ...existing, osds: [...existing.osds, ...added] };
}

/** The plan widened to every OSD the identity records (OSDs once made keep running). */
export function planWithIdentity(plan: CephPlan, identity: ClusterIdentity | null): CephPlan {
  const osds = Math.max(plan.osds, ...(identity?.osds.map((o) => o.id + 1) ?? []));
  if (osds === plan.osds) return plan;
  const { stateDir, address, rgwPort, osdSizeMiB, bucket, region } = plan;
  return planCeph({ stateDir, address, rgwPort, osds, osdSizeMiB, bucket, region });
}

/** Reads cluster.json, or null when the state dir has none. */
export async function readIdentity(plan: CephPlan): Promise<ClusterIdentity | null> {
  const raw = await readFile(plan.identityFile, 'utf8').catch(() => null);
  if (raw === null) return null;
  let json: unknown = null;
  try {
    json = JSON.parse(raw);
  } catch {
    // reported below as not an identity
  }
  const parsed = IdentitySchema.safeParse(json);
  if (!parsed.success) {
    throw new FerryError('FERRY_ERR_CONFIG', `${plan.identityFile} is not a cluster identity (${parsed.error.issues[0]?.message}); \`ferry storage down --purge\` starts over`);
  }
  return parsed.data;
}

/** Reads, reconciles and (when it changed) writes cluster.json; returns the identity. */
export async function ensureIdentity(plan: CephPlan): Promise<ClusterIdentity> {
  const existing = await readIdentity(plan);
  const identity = reconcileIdentity(existing, plan);
  if (JSON.stringify(identity) !== JSON.stringify(existing)) {
    await mkdir(plan.stateDir, { recursive: true, mode: 0o700 });
    await writeFile(`${plan.identityFile}.tmp`, `${JSON.stringify(identity, null, 2)}\n`);
    await rename(`${plan.identityFile}.tmp`, plan.identityFile);
  }
  return identity;
}
