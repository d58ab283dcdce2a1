/**
 * @module dashboard/report-charts — what a migration's page draws from its report, pure: the
 * frozen time as stacked segments (freeze, dump, transfer, restore, other), the phases as
 * bars, and the pre-copy rounds (pages sent and held back, the frozen round last).
 */
import { frozenParts, type MigrationReport } from '../../src/domain/migration/report.ts';

/** One labelled value of a chart. */
export interface Part {
  name: string;
  value: number;
}

/** A segment of a stacked bar, in the bar's units (0..width). */
export interface Segment extends Part {
  x: number;
  w: number;
}

/** The frozen time's parts in the order they happen; empty until the migration has a frozen time. */
export function frozenSegments(r: MigrationReport): Part[] {
  const f = frozenParts(r);
  if (!f) return [];
  return [
    { name: 'freeze', value: f.freezeMs },
    { name: 'dump', value: f.dumpMs },
    { name: 'transfer', value: f.transferMs },
    { name: 'restore', value: f.restoreMs },
    { name: 'other', value: f.otherMs },
  ];
}

/** Lays parts end to end over `width` in proportion to their values (zero parts take no room). */
export function stack(parts: readonly Part[], width: number): Segment[] {
  const total = parts.reduce((a, p) => a + Math.max(0, p.value), 0);
  let x = 0;
  return parts.map((p) => {
    const w = total > 0 ? (Math.max(0, p.value) / total) * width : 0;
    const seg = { ...p, x, w };
    x += w;
    return seg;
  });
}

/** One pre-copy round as the rounds chart draws it. */
export interface RoundBar {
  label: string;
  sentPages: number;
  deferredPages: number;
  wireBytes: number;
  ms: number;
  frozen: boolean;
}

/** The pre-copy rounds (container running), then the final round (frozen); empty for the other strategies. */
export function roundBars(r: MigrationReport): RoundBar[] {
  const pc = r.precopy;
  if (!pc) return [];
  const rows: RoundBar[] = pc.rounds.map((x) => ({ label: `${x.round}`, sentPages: x.sentPages, deferredPages: x.deferredPages, wireBytes: x.wireBytes, ms: x.ms, frozen: false }));
  if (pc.final) rows.push({ label: 'final', sentPages: pc.final.sentPages, deferredPages: 0, wireBytes: pc.final.wireBytes, ms: pc.final.ms, frozen: true });
  return rows;
}
