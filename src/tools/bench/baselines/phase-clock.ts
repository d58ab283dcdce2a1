/** @module tools/bench/baselines/phase-clock — times named phases of a migration on a monotonic clock, in whole ms. */
import { performance } from 'node:perf_hooks';

/** A stopwatch for named phases; each `time` call records how long its phase took. */
export class PhaseClock {
  /** Phase name → duration, ms (a phase timed twice adds up). */
  readonly phases: Record<string, number> = {};
  private readonly now: () => number;

  constructor(now: () => number = () => performance.now()) {
    this.now = now;
  }

  /** The current reading, ms; pass it to `since` later. */
  mark(): number {
    return this.now();
  }

  /** Whole ms since a mark. */
  since(mark: number): number {
    return Math.round(this.now() - mark);
  }

  /** Runs one phase and records its duration, also when it fails. */
  async time<T>(phase: string, step: () => Promise<T>): Promise<T> {
    const start = this.now();
    try {
      return await step();
    } finally {
      this.phases[phase] = (this.phases[phase] ?? 0) + Math.round(this.now() - start);
    }
  }
}
