/**
 * @module migration/phases — the migration as a state machine, pure. The source agent
 * drives `preflight → stage → stop → transfer → restore → verify → commit → done` (the
 * patent's steps); any failure before the destination acknowledges commit leads to
 * `rolling-back`, which ends `rolled-back` (the source runs on, its state intact) or, when
 * the destination cannot say whether its copy runs, `in-doubt` (the source stays frozen so
 * that two copies never run; resolved when the destination answers).
 */

/** The phases of the source side, in order. */
export const SOURCE_PHASES = ['preflight', 'stage', 'stop', 'transfer', 'restore', 'verify', 'commit', 'done', 'rolling-back', 'rolled-back', 'in-doubt'] as const;
/** A phase of the source side. */
export type SourcePhase = (typeof SOURCE_PHASES)[number];

/** The forward path. */
const FORWARD: readonly SourcePhase[] = ['preflight', 'stage', 'stop', 'transfer', 'restore', 'verify', 'commit', 'done'];

/** Phases after which the destination may hold a running copy. */
const DESTINATION_MAY_RUN: ReadonlySet<SourcePhase> = new Set(['restore', 'verify', 'commit', 'in-doubt']);

/** Terminal phases: nothing more happens. */
export const TERMINAL: ReadonlySet<SourcePhase> = new Set(['done', 'rolled-back']);

/** True when the move `from → to` is allowed. */
export function canMove(from: SourcePhase, to: SourcePhase): boolean {
  if (TERMINAL.has(from)) return false;
  const i = FORWARD.indexOf(from);
  if (i >= 0 && FORWARD[i + 1] === to) return true;
  if (to === 'rolling-back') return from !== 'rolling-back' && from !== 'in-doubt';
  if (from === 'rolling-back') return to === 'rolled-back' || to === 'in-doubt';
  if (from === 'in-doubt') return to === 'rolled-back' || to === 'done' || to === 'commit';
  return false;
}

/** Throws when the move is not allowed (a bug, not a user error). */
export function assertMove(from: SourcePhase, to: SourcePhase): void {
  if (!canMove(from, to)) throw new Error(`illegal migration phase change ${from} -> ${to}`);
}

/** True when the source must hear from the destination before it may thaw its copy. */
export function needsDestinationWord(phase: SourcePhase): boolean {
  return DESTINATION_MAY_RUN.has(phase);
}

/** What the destination says of its side of a migration. */
export type DestinationWord = 'committed' | 'running-uncommitted' | 'aborted' | 'unknown' | 'unreachable';

/** What the source agent does with a record it finds unfinished, e.g. after a restart. */
export type Resolution =
  | { action: 'none' }
  | { action: 'rollback'; reason: string }
  | { action: 'abort-destination-then-rollback'; reason: string }
  | { action: 'finish-commit'; reason: string }
  | { action: 'wait'; reason: string };

/**
 * Decides how to resolve an unfinished record. `word` is what the destination said (only
 * asked when the destination may hold a running copy). The rule that keeps exactly one
 * copy: the source thaws only when the destination has no running copy, and removes its
 * copy only when the destination has committed.
 */
export function resolveUnfinished(phase: SourcePhase, word?: DestinationWord): Resolution {
  if (TERMINAL.has(phase)) return { action: 'none' };
  if (!needsDestinationWord(phase) && phase !== 'rolling-back') return { action: 'rollback', reason: `interrupted in ${phase}, before the destination could run a copy` };
  switch (word) {
    case 'committed':
      return { action: 'finish-commit', reason: 'the destination committed its copy' };
    case 'aborted':
    case 'unknown':
      return { action: 'rollback', reason: `the destination has no copy (${word})` };
    case 'running-uncommitted':
      return phase === 'commit' || phase === 'in-doubt'
        ? { action: 'finish-commit', reason: 'the destination runs a verified copy and commit had begun' }
        : { action: 'abort-destination-then-rollback', reason: `interrupted in ${phase} before commit began` };
    case 'unreachable':
    case undefined:
      return phase === 'rolling-back'
        ? { action: 'rollback', reason: 'rollback was under way' }
        : { action: 'wait', reason: 'the destination does not answer; the source stays frozen until it does' };
  }
}

/** The phases of the destination side. */
export const DESTINATION_PHASES = ['prepared', 'created', 'received', 'restored', 'committed', 'aborted'] as const;
/** A phase of the destination side. */
export type DestinationPhase = (typeof DESTINATION_PHASES)[number];

/** What the destination says of itself, from its record (or none). */
export function destinationWord(phase: DestinationPhase | undefined): DestinationWord {
  if (phase === undefined) return 'unknown';
  if (phase === 'committed') return 'committed';
  if (phase === 'aborted') return 'aborted';
  if (phase === 'restored') return 'running-uncommitted';
  return 'unknown';
}

/** True when a destination record in this phase is dropped on lease expiry or restart. */
export function destinationAbortable(phase: DestinationPhase): boolean {
  return phase !== 'committed' && phase !== 'aborted';
}
