/**
 * @module tools/bench/baselines/teardown — undo steps registered as a baseline creates things
 * (containers, directories, daemons), run last-first whether the run succeeded or not, so a
 * failed step never leaves the rest behind.
 */
import { FerryError, asFerryError } from '../../../core/errors.ts';

/** One undo step. */
interface UndoStep {
  what: string;
  undo: () => Promise<unknown>;
}

/** The undo steps of one run, in the order their things were created. */
export class Teardown {
  private readonly steps: UndoStep[] = [];

  /** Registers how to remove something just created; `what` names it in failure lines. */
  add(what: string, undo: () => Promise<unknown>): void {
    this.steps.push({ what, undo });
  }

  /** Runs every step, newest first, each once; returns one line per step that failed. */
  async run(): Promise<string[]> {
    const failures: string[] = [];
    for (let step = this.steps.pop(); step; step = this.steps.pop()) {
      try {
        await step.undo();
      } catch (err) {
        failures.push(`${step.what}: ${asFerryError(err).message}`);
      }
    }
    return failures;
  }
}

/**
 * Runs `body` with a fresh Teardown and always runs it afterwards. A failed body is rethrown
 * (cleanup failures appended to its message); cleanup failures after a successful body are
 * added to the result's `problem`.
 */
export async function withTeardown<T extends { problem?: string }>(body: (teardown: Teardown) => Promise<T>): Promise<T> {
  const teardown = new Teardown();
  let value: T;
  try {
    value = await body(teardown);
  } catch (err) {
    const failures = await teardown.run();
    if (failures.length === 0) throw err;
    const e = asFerryError(err);
    throw new FerryError(e.code, `${e.message}; cleanup also failed: ${failures.join('; ')}`, { cause: err, ...(e.details ? { details: e.details } : {}) });
  }
  const problem = joinProblems(value.problem, ...(await teardown.run()).map((f) => `cleanup: ${f}`));
  return problem === undefined ? value : { ...value, problem };
}

/** The problems that occurred, as one sentence list, or undefined when there were none. */
export function joinProblems(...problems: Array<string | undefined>): string | undefined {
  const found = problems.filter((p): p is string => Boolean(p));
  return found.length > 0 ? found.join('; ') : undefined;
}
