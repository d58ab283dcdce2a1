/**
 * @module tools/sim/event-queue — the simulator's clock: a binary heap of events ordered by time,
 * then by kind (completions, then departures, new demand, arrivals, samples and last the
 * scheduler's tick, so a tick sees the cluster after everything due at that instant), then by insertion. The order is total, so a
 * run is deterministic.
 */

/** What can happen, in the order ties at one instant are served. */
export const EVENT_ORDER = ['migration-end', 'freeze', 'wake-end', 'job-end', 'departure', 'demand', 'arrival', 'sample', 'tick'] as const;

/** One of the event kinds above. */
export type SimEventKind = (typeof EVENT_ORDER)[number];

/** An event: when (ms since the start), what, and about whom. */
export interface SimEvent {
  at: number;
  kind: SimEventKind;
  /** The container, host or migration the event is about (empty for ticks). */
  subject: string;
  /** For events that can be superseded (a job's end moves when its rate changes): only the newest counts. */
  version?: number;
}

const RANK: Record<SimEventKind, number> = Object.fromEntries(EVENT_ORDER.map((k, i) => [k, i])) as Record<SimEventKind, number>;

interface Entry {
  event: SimEvent;
  seq: number;
}

function before(a: Entry, b: Entry): boolean {
  if (a.event.at !== b.event.at) return a.event.at < b.event.at;
  const ra = RANK[a.event.kind];
  const rb = RANK[b.event.kind];
  if (ra !== rb) return ra < rb;
  return a.seq < b.seq;
}

/** A min-heap of events. */
export class EventQueue {
  private readonly heap: Entry[] = [];
  private seq = 0;

  /** Events waiting. */
  get size(): number {
    return this.heap.length;
  }

  /** Adds an event (its time must be finite and not negative). */
  push(event: SimEvent): void {
    if (!Number.isFinite(event.at) || event.at < 0) throw new RangeError(`event ${event.kind} ${event.subject} at ${event.at}: time must be finite and >= 0`);
    const h = this.heap;
    h.push({ event, seq: this.seq++ });
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(h[i]!, h[parent]!)) break;
      [h[i], h[parent]] = [h[parent]!, h[i]!];
      i = parent;
    }
  }

  /** The next event without removing it. */
  peek(): SimEvent | undefined {
    return this.heap[0]?.event;
  }

  /** Removes and returns the next event. */
  pop(): SimEvent | undefined {
    const h = this.heap;
    const top = h[0];
    if (!top) return undefined;
    const last = h.pop()!;
    if (h.length > 0) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && before(h[l]!, h[m]!)) m = l;
        if (r < h.length && before(h[r]!, h[m]!)) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m]!, h[i]!];
        i = m;
      }
    }
    return top.event;
  }
}
