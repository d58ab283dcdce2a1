/**
 * @module services/protect/format — pure: protection points, protections and recoveries as the CLI
 * prints them. A recovery always says which point it used, when that point was taken, how
 * old it was, and that the progress after it is lost.
 */
import { formatDuration } from './duration.ts';
import type { StoredPoint } from './point-reader.ts';
import type { PointReport } from './protection-point.ts';
import type { ProtectionStatus } from './protection-service.ts';
import type { RecoveryReport } from './recovery.ts';

const mib = (n: number): string => `${(n / 1048576).toFixed(1)} MiB`;

/** One point just taken. */
export function formatPoint(p: PointReport): string {
  const image = p.imageUploadedBytes ? ` (+ image ${mib(p.imageUploadedBytes)})` : '';
  return `point ${p.sequence} of ${p.container} taken at ${p.takenAt}: frozen ${formatDuration(p.frozenMs)} (dump ${formatDuration(p.dumpMs)}), state ${mib(p.bytes)}, uploaded ${mib(p.uploadedBytes)}${image}, ` +
    `${p.uploadedPages} of ${p.pages} pages new, ${formatDuration(p.tookMs)} in all`;
}

/** The protections of a host. */
export function formatProtections(host: string, list: readonly ProtectionStatus[]): string {
  if (list.length === 0) return `no container is protected on ${host}`;
  return list.map((p) => {
    const last = p.last ? `last point ${p.last.sequence} at ${p.last.takenAt} (frozen ${formatDuration(p.last.frozenMs)}, uploaded ${mib(p.last.uploadedBytes)})` : 'no point yet';
    const error = p.lastError ? `; last error ${p.lastError.at}: ${p.lastError.code}: ${p.lastError.message}` : '';
    return `${p.container}  every ${formatDuration(p.everyMs)}, keep ${p.keep}${p.busy ? ', taking a point' : ''}; ${last}${error}`;
  }).join('\n');
}

/** The stored points of a container. */
export function formatStoredPoints(container: string, where: string, points: readonly StoredPoint[]): string {
  if (points.length === 0) return `no protection point of ${container} in the store of ${where}`;
  return points.map((p) => p.error
    ? `${String(p.sequence).padStart(6)}  unusable: ${p.error.code}: ${p.error.message}`
    : `${String(p.sequence).padStart(6)}  ${p.takenAt ?? '?'}  ${formatDuration(p.ageMs ?? 0)} ago  frozen ${formatDuration(p.frozenMs ?? 0)}  state ${mib(p.bytes ?? 0)}  uploaded ${mib(p.uploadedBytes ?? 0)}`).join('\n');
}

/** A finished recovery: the point, its age, and what was lost. */
export function formatRecovery(host: string, r: RecoveryReport): string {
  return [
    `recovered ${r.container} on ${host} from protection point ${r.sequence}, taken at ${r.takenAt} (${formatDuration(r.ageMs)} before it resumed)`,
    `lost: ${r.lost} (${formatDuration(r.ageMs)} of progress at most)`,
    `fetched and verified ${mib(r.fetchedBytes)}${r.imageLoaded ? ' (image loaded from the store)' : ''} in ${formatDuration(r.fetchMs)}; restore ${formatDuration(r.restoreMs)}; ${formatDuration(r.totalMs)} in all`,
  ].join('\n');
}
