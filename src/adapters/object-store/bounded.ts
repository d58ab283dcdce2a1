/** @module adapters/object-store/bounded — runs asynchronous work on many items with a bound on how much runs at once. */
import { FerryError } from '../../core/errors.ts';

/** Throws FERRY_ERR_INVALID_INPUT unless `concurrency` is a whole number from 1 to 1024. */
export function assertConcurrency(concurrency: number): void {
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 1024) {
    throw new FerryError('FERRY_ERR_INVALID_INPUT', `concurrency ${concurrency} is invalid: use a whole number from 1 to 1024`);
  }
}

/**
 * Calls `fn` on every item, at most `concurrency` at a time. On the first failure, or when
 * `signal` aborts, it starts nothing more, waits for the calls under way (so nothing runs on
 * after it returns), then rejects with that failure or the signal's reason.
 */
export async function forEachBounded<T>(items: Iterable<T>, concurrency: number, fn: (item: T) => Promise<void>, signal?: AbortSignal): Promise<void> {
  assertConcurrency(concurrency);
  const iterator = items[Symbol.iterator]();
  let failure: { error: unknown } | undefined;
  const worker = async (): Promise<void> => {
    while (!failure) {
      if (signal?.aborted) {
        failure = { error: signal.reason };
        return;
      }
      const next = iterator.next();
      if (next.done) return;
      try {
        await fn(next.value);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  if (failure) throw failure.error;
}
