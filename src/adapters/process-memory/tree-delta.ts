/**
 * @module adapters/process-memory/tree-delta — pure: which files of a tree (the writable layer, a volume)
 * changed since the round that last sent them, and which were deleted. A file is named by
 * its path and recognised by a signature of its metadata (inode, size, times, mode); a file
 * that changed while it was read is forgotten, so the next round sends it again.
 */
import type { Stats } from 'node:fs';
import type { TreeSelection } from '../data-link/data-link.ts';

/** What identifies one version of an entry without reading it. */
export function signature(st: Pick<Stats, 'ino' | 'size' | 'mtimeMs' | 'ctimeMs' | 'mode'>): string {
  return `${st.ino}:${st.size}:${st.mtimeMs}:${st.ctimeMs}:${st.mode}`;
}

/** One round's selection, and the paths it found gone once the walk is over. */
export interface DeltaRound extends TreeSelection {
  /** Paths sent in an earlier round that this walk did not see (call after the walk). */
  deleted(): string[];
  /** Entries this round selected for sending. */
  readonly selected: number;
}

/** The delta state of one tree across the rounds of a migration. */
export class TreeDelta {
  private readonly sent = new Map<string, string>();

  /** Starts a round: `live` while the container runs, false for the final (frozen) round. */
  round(live: boolean): DeltaRound {
    const seen = new Set<string>();
    const sent = this.sent;
    let selected = 0;
    return {
      live,
      select: (rel, st) => {
        seen.add(rel);
        const sig = signature(st);
        if (sent.get(rel) === sig) return false;
        sent.set(rel, sig);
        selected++;
        return true;
      },
      onTorn: (rel) => sent.delete(rel),
      deleted: () => {
        const gone = [...sent.keys()].filter((rel) => !seen.has(rel));
        for (const rel of gone) sent.delete(rel);
        return gone;
      },
      get selected() {
        return selected;
      },
    };
  }
}
