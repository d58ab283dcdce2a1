/**
 * @module migration/report — the migration report, pure: per-phase durations, bytes on the
 * wire (raw and compressed, per data root), frozen time, outcome and its cause.
 */
import type { WireError } from '../core/errors.ts';

/** Bytes moved for one data-link root. */
export interface RootBytes {
  rawBytes: number;
  wireBytes: number;
  files: number;
}

/** The report of one migration. */
export interface MigrationReport {
  migrationId: string;
  container: string;
  from: string;
  to: string;
  strategy: string;
  outcome: 'running' | 'migrated' | 'rolled-back' | 'in-doubt';
  startedAt: number;
  endedAt?: number;
  totalMs?: number;
  /** Milliseconds spent in each phase, in the order entered. */
  phases: Array<{ phase: string; ms: number }>;
  /** Time the container's processes were frozen (source pause to destination restore). */
  frozenMs?: number;
  /** Time CRIU took to dump. */
  checkpointMs?: number;
  /** Who drove CRIU's dump: runc directly, or Docker's checkpoint API (when runc's state is not found). */
  dumpedBy?: 'runc' | 'docker-api';
  /** Time CRIU took to restore on the destination. */
  restoreMs?: number;
  bytes: { rawBytes: number; wireBytes: number; compressionRatio: number; byRoot: Record<string, RootBytes> };
  error?: WireError;
  /** What rollback did, in order. */
  rollback?: string[];
}

/** A fresh report. */
export function newReport(init: Pick<MigrationReport, 'migrationId' | 'container' | 'from' | 'to' | 'strategy'>, now: number): MigrationReport {
  return { ...init, outcome: 'running', startedAt: now, phases: [], bytes: { rawBytes: 0, wireBytes: 0, compressionRatio: 1, byRoot: {} } };
}

/** Adds the bytes of a finished data-link root. */
export function addRootBytes(report: MigrationReport, root: string, add: RootBytes): void {
  const cur = report.bytes.byRoot[root] ?? { rawBytes: 0, wireBytes: 0, files: 0 };
  report.bytes.byRoot[root] = { rawBytes: cur.rawBytes + add.rawBytes, wireBytes: cur.wireBytes + add.wireBytes, files: cur.files + add.files };
  report.bytes.rawBytes += add.rawBytes;
  report.bytes.wireBytes += add.wireBytes;
  report.bytes.compressionRatio = report.bytes.wireBytes > 0 ? report.bytes.rawBytes / report.bytes.wireBytes : 1;
}

/** Records that a phase took `ms`. */
export function addPhase(report: MigrationReport, phase: string, ms: number): void {
  report.phases.push({ phase, ms });
}

/** Closes the report. */
export function finishReport(report: MigrationReport, outcome: MigrationReport['outcome'], now: number): void {
  report.outcome = outcome;
  report.endedAt = now;
  report.totalMs = now - report.startedAt;
}

/** A human summary, a line per fact. */
export function formatReport(r: MigrationReport): string {
  const mib = (n: number) => `${(n / 1048576).toFixed(2)} MiB`;
  const lines = [
    `migration ${r.migrationId}: ${r.container} ${r.from} -> ${r.to} (${r.strategy}): ${r.outcome}`,
    `  total ${r.totalMs ?? '?'} ms, frozen ${r.frozenMs ?? '-'} ms (checkpoint ${r.checkpointMs ?? '-'} ms by ${r.dumpedBy ?? '-'}, restore ${r.restoreMs ?? '-'} ms)`,
    `  phases: ${r.phases.map((p) => `${p.phase} ${p.ms} ms`).join(', ')}`,
    `  bytes: ${mib(r.bytes.rawBytes)} raw, ${mib(r.bytes.wireBytes)} on the wire (compression ${r.bytes.compressionRatio.toFixed(2)}x)`,
    ...Object.entries(r.bytes.byRoot).map(([root, b]) => `    ${root}: ${b.files} files, ${mib(b.rawBytes)} raw, ${mib(b.wireBytes)} wire`),
  ];
  if (r.error) lines.push(`  cause: ${r.error.code}: ${r.error.message}`);
  if (r.rollback?.length) lines.push(`  rollback: ${r.rollback.join('; ')}`);
  return lines.join('\n');
}
