/**
 * @module apps/controller/dashboard-messages — what the controller's live feed (`GET /v1/stream`)
 * sends the dashboard, and the pure steps that turn a source agent's migration events into
 * one migration's live view. The dashboard imports these types (type-only).
 */
import type { NodeReport } from './node-report.ts';
import type { PolicyView } from './policy-view.ts';
import type { EventRow } from './records.ts';
import { etaMs, nextPace, type Pace } from '../../domain/migration/eta.ts';
import type { MigrationReport } from '../../domain/migration/report.ts';
import type { MigrationEvent } from '../../services/migration/source-types.ts';

/** One node on the cluster map: `ferry nodes`' row and the names of the containers it runs. */
export interface MapNode extends NodeReport {
  containerNames: string[];
}

/** One migration as the dashboard shows it, in flight or ended. */
export interface MigrationView {
  /** The source agent's migration id. */
  id: string;
  container: string;
  from: string;
  to: string;
  strategy: string;
  /** The current phase. */
  phase: string;
  /** Phases entered so far, with when. */
  phases: Array<{ phase: string; at: number }>;
  /** Bytes sent so far (raw and on the wire), all roots. */
  rawBytes: number;
  wireBytes: number;
  /** Pre-copy rounds done, when known, and the last one's pages (sent, held back as hot) and time. */
  rounds: number;
  lastRound?: { sentPages: number; deferredPages: number; ms: number };
  /** What the first copy should read (the source's estimate at preflight), the read pace, and the time it has left then. */
  expectedBytes?: number;
  pace?: Pace;
  etaMs?: number;
  outcome: MigrationReport['outcome'];
  startedAt: number;
  endedAt?: number;
  totalMs?: number;
  frozenMs?: number;
  error?: string;
  /** The final report (an ended migration): the migration's page draws its phases, rounds and frozen time from it. */
  report?: MigrationReport;
}

/** The feed's messages: the SSE event name is `type`. */
export type FeedMessage =
  | { type: 'nodes'; at: number; nodes: MapNode[] }
  | { type: 'event'; event: EventRow }
  | { type: 'migration'; migration: MigrationView }
  | { type: 'policy'; policy: PolicyView };

/** A migration's first view, from the agent's list row. */
export function startView(row: { id: string; container: string; to: string; phase: string; updatedAt: number }, from: string): MigrationView {
  return { id: row.id, container: row.container, from, to: row.to, strategy: '', phase: row.phase, phases: [{ phase: row.phase, at: row.updatedAt }], rawBytes: 0, wireBytes: 0, rounds: 0, outcome: 'running', startedAt: row.updatedAt };
}

/** The view after one of the source agent's events (progress bytes are per root, summed here). */
export function applyEvent(v: MigrationView, ev: MigrationEvent, roots: Map<string, { raw: number; wire: number }>): MigrationView {
  switch (ev.type) {
    case 'phase':
      if (ev.phase === v.phase) return v;
      return { ...v, phase: ev.phase, phases: [...v.phases, { phase: ev.phase, at: ev.at }] };
    case 'progress': {
      roots.set(ev.root, { raw: ev.rawBytes, wire: ev.wireBytes });
      let raw = 0;
      let wire = 0;
      for (const r of roots.values()) {
        raw += r.raw;
        wire += r.wire;
      }
      const pace = nextPace(v.pace, ev.at, raw);
      const eta = etaMs(v.expectedBytes, raw, pace);
      return { ...without(v, 'etaMs'), rawBytes: raw, wireBytes: wire, pace, ...(eta !== undefined ? { etaMs: eta } : {}) };
    }
    case 'estimate':
      return { ...v, expectedBytes: ev.bytes };
    case 'round':
      return { ...v, rounds: ev.round.round, lastRound: { sentPages: ev.round.sentPages, deferredPages: ev.round.deferredPages, ms: ev.round.ms } };
    case 'heartbeat':
      return ev.phase === v.phase ? v : { ...v, phase: ev.phase, phases: [...v.phases, { phase: ev.phase, at: ev.at }] };
    case 'end':
      return endView(v, ev.report);
  }
}

/** The view of a migration whose report is final. */
export function endView(v: MigrationView, r: MigrationReport): MigrationView {
  const last = v.phases.at(-1)?.phase;
  const phases = r.outcome !== 'running' && last !== 'done' && last !== 'rolled-back' && last !== r.outcome ? [...v.phases, { phase: r.outcome, at: r.endedAt ?? Date.now() }] : v.phases;
  return {
    ...without(v, 'etaMs', 'pace'),
    from: r.from || v.from,
    to: r.to || v.to,
    strategy: r.strategy,
    phase: r.outcome === 'running' ? v.phase : r.outcome,
    phases,
    rawBytes: Math.max(v.rawBytes, r.bytes.rawBytes),
    wireBytes: Math.max(v.wireBytes, r.bytes.wireBytes),
    rounds: r.precopy?.rounds.length ?? v.rounds,
    outcome: r.outcome,
    startedAt: r.startedAt,
    ...(r.endedAt !== undefined ? { endedAt: r.endedAt } : {}),
    ...(r.totalMs !== undefined ? { totalMs: r.totalMs } : {}),
    ...(r.frozenMs !== undefined ? { frozenMs: r.frozenMs } : {}),
    ...(r.error ? { error: `${r.error.code}: ${r.error.message}` } : {}),
    ...(r.outcome !== 'running' ? { report: r } : {}),
  };
}

/** A copy of the view without some optional fields. */
function without(v: MigrationView, ...keys: Array<'etaMs' | 'pace'>): MigrationView {
  const copy = { ...v };
  for (const k of keys) delete copy[k];
  return copy;
}
