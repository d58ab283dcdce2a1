/**
 * @module services/protect/points — pure: which stored protection points there are, from their
 * manifest names (`protect/CONTAINER/00000042`): the one a recovery uses (the highest
 * sequence, or the one asked for), the sequence the next point takes, and the points that
 * fall out of the `keep` window.
 */
import { FerryError } from '../../core/errors.ts';
import { protectManifestName, protectPrefix } from '../prestore/state-manifest.ts';

/** A container name as a protection accepts it (it becomes part of manifest names). */
export const CONTAINER_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,127}$/;

/** One stored point, by name. */
export interface PointName {
  name: string;
  sequence: number;
}

/** The points of `container` among manifest names, lowest sequence first; names of another shape are left out. */
export function pointsOf(container: string, names: readonly string[]): PointName[] {
  const prefix = protectPrefix(container);
  const out: PointName[] = [];
  for (const name of names) {
    if (!name.startsWith(prefix)) continue;
    const rest = name.slice(prefix.length);
    if (!/^\d{1,15}$/.test(rest)) continue;
    const sequence = Number(rest);
    if (sequence >= 1 && protectManifestName(container, sequence) === name) out.push({ name, sequence });
  }
  return out.sort((a, b) => a.sequence - b.sequence);
}

/** The point a recovery uses: `sequence` when given, else the latest; FERRY_ERR_STORE_MISSING when there is none. */
export function choosePoint(container: string, names: readonly string[], where: string, sequence?: number): PointName {
  const points = pointsOf(container, names);
  if (points.length === 0) throw new FerryError('FERRY_ERR_STORE_MISSING', `no protection point of ${container} in ${where}; protect it first (\`ferry protect ${container} --host HOST\`)`);
  if (sequence === undefined) return points.at(-1) as PointName;
  const found = points.find((p) => p.sequence === sequence);
  if (!found) {
    throw new FerryError('FERRY_ERR_STORE_MISSING', `protection point ${sequence} of ${container} is not in ${where}; stored points: ${points.map((p) => p.sequence).join(', ')}`);
  }
  return found;
}

/** The sequence of the next point: one past the highest stored (1 when none is). */
export function nextSequence(container: string, names: readonly string[], atLeast = 1): number {
  const last = pointsOf(container, names).at(-1)?.sequence ?? 0;
  return Math.max(last + 1, atLeast);
}

/** The points beyond the newest `keep`, which a protection deletes (oldest first). */
export function beyondKeep(container: string, names: readonly string[], keep: number): PointName[] {
  if (!Number.isInteger(keep) || keep < 1) throw new FerryError('FERRY_ERR_INVALID_INPUT', `keep must be a whole number of at least 1, got ${keep}`);
  const points = pointsOf(container, names);
  return points.slice(0, Math.max(0, points.length - keep));
}
