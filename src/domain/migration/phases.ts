/**
 * @module domain/migration/phases — the migration as a state machine, pure. The source agent
 * drives `preflight → stage → [precopy →] stop → transfer → restore → verify → commit → done` (the
 * patent's steps); any failure before the destination acknowledges commit leads to
 * `rolling-back`, which ends `rolled-back` (the source runs on, its state intact) or, when
 * the destination cannot say whether its copy runs, `in-doubt` (the source stays frozen so
 * that two copies never run; resolved when the destination answers).
 */

/** The phases of the source side, in order. */
export const SOURCE_PHASES = ['preflight', 'stage', 'precopy', 'stop', 'transfer', 'restore', 'verify', 'commit', 'done', 'rolling-back', 'rolled-back', 'in-doubt'] as const;
/** A phase of the source side. */
export type SourcePhase = (typeof SOURCE_PHASES)[number];

/** The forward path. */
const FORWARD: readonly SourcePhase[] = ['preflight', 'stage', 'precopy', 'stop', 'transfer', 'restore', 'verify', 'commit', 'done'];

/** Terminal phases: nothing more happens. */
export const TERMINAL: ReadonlySet<SourcePhase> = new Set(['done', 'rolled-back']);

/** True when the move `from → to` is allowed. */
export function canMove(from: SourcePhase, to: SourcePhase): boolean {
  if (TERMINAL.has(from)) return false;
  const i = FORWARD.indexOf(from);
  if (i >= 0 && FORWARD[i + 1] === to) return true;
  if (from === 'stage' && to === 'stop') return true; // stop-and-copy has no pre-copy rounds
  if (to === 'rolling-back') return from !== 'rolling-back' && from !== 'in-doubt';
  if (from === 'rolling-back') return to === 'rolled-back' || to === 'in-doubt' || to === 'done';
  if (from === 'in-doubt') return to === 'rolled-back' || to === 'done';
  return false;
}

/** Throws when the move is not allowed (a bug, not a user error). */
export function assertMove(from: SourcePhase, to: SourcePhase): void {
  if (!canMove(from, to)) throw new Error(`illegal migration phase change ${from} -> ${to}`);
}

/** What the destination says of its side of a migration. */
export type DestinationWord = 'committed' | 'may-run' | 'aborted' | 'unknown' | 'unreachable';

/** Facts the source persists before it acts, so that resolution never guesses. */
export interface SourceFlags {
  /** The restore request was (about to be) sent: from here the destination may run a copy. */
  restoreRequested: boolean;
  /** The commit request was (about to be) sent. */
  commitSent: boolean;
}

/** What the source does with an unfinished migration (after a failure or a restart). */
export type Resolution =
  | { action: 'none' }
  | { action: 'abort-and-thaw'; reason: string }
  | { action: 'finish-commit'; reason: string }
  | { action: 'commit'; reason: string }
  | { action: 'abort-then-decide'; reason: string };

/**
 * Decides how to settle an unfinished migration. The rule that keeps exactly one copy: the
 * source thaws only when the destination cannot run a copy — before any restore request,
 * or when the destination answered an abort with "aborted"/"unknown" — and removes its copy
 * only when the destination said "committed". `word` is the destination's status, asked
 * only once a restore was requested.
 */
export function resolveUnfinished(phase: SourcePhase, flags: SourceFlags, word?: DestinationWord): Resolution {
  if (TERMINAL.has(phase)) return { action: 'none' };
  if (!flags.restoreRequested) return { action: 'abort-and-thaw', reason: `stopped in ${phase}, before the destination was asked to run a copy` };
  if (word === 'committed') return { action: 'finish-commit', reason: 'the destination committed its copy' };
  if (word === 'may-run' && flags.commitSent) return { action: 'commit', reason: 'commit had begun and the destination holds a copy' };
  return { action: 'abort-then-decide', reason: `the destination ${word === undefined || word === 'unreachable' ? 'does not answer' : `says ${word}`}; only its answer to an abort may thaw the source` };
}

/** What an abort answer means for the source. */
export function afterAbort(answer: DestinationWord): 'thaw' | 'finish-commit' | 'stay-frozen' {
  if (answer === 'aborted' || answer === 'unknown') return 'thaw';
  if (answer === 'committed') return 'finish-commit';
  return 'stay-frozen';
}

/** The phases of the destination side. `received` means a restore may be under way; `aborting` that removal began. */
export const DESTINATION_PHASES = ['prepared', 'created', 'received', 'restored', 'committed', 'aborting', 'aborted'] as const;
/** A phase of the destination side. */
export type DestinationPhase = (typeof DESTINATION_PHASES)[number];

/** What the destination says of itself, from its record (or none). */
export function destinationWord(phase: DestinationPhase | undefined): DestinationWord {
  switch (phase) {
    case undefined:
    case 'prepared':
    case 'created':
      return 'unknown';
    case 'committed':
      return 'committed';
    case 'aborted':
      return 'aborted';
    case 'received':
    case 'restored':
    case 'aborting':
      return 'may-run';
  }
}

/** True when a destination record in this phase is dropped on lease expiry or restart. */
export function destinationAbortable(phase: DestinationPhase): boolean {
  return phase !== 'committed' && phase !== 'aborted';
}
