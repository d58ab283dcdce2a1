/**
 * @module core/channel — one typed `node:diagnostics_channel` channel: its name, what a message
 * carries, who publishes it and who listens, with publish/subscribe helpers and a stream of
 * its messages. The registry of ferry's channels is `events.ts`.
 */
import diagnostics_channel from 'node:diagnostics_channel';

/** A diagnostics channel whose messages are `T`, described for the registry. */
export interface FerryChannel<T> {
  /** The diagnostics_channel name, `ferry:<area>:<what>`. */
  readonly name: string;
  /** What one message is. */
  readonly carries: string;
  /** Who publishes it. */
  readonly publishers: string;
  /** Who listens. */
  readonly subscribers: string;
  /** True while someone listens (publishers may skip building a message otherwise). */
  readonly hasSubscribers: boolean;
  /** Publishes one message to the process's listeners (nothing when none listens). */
  publish(message: T): void;
  /** Calls `fn` with every message from now on; returns the function that stops it. */
  subscribe(fn: (message: T) => void): () => void;
}

/** Declares a channel; the object holds the channel, so it is never collected while subscribed. */
export function defineChannel<T>(name: string, about: { carries: string; publishers: string; subscribers: string }): FerryChannel<T> {
  const channel = diagnostics_channel.channel(name);
  return {
    name,
    ...about,
    get hasSubscribers() {
      return channel.hasSubscribers;
    },
    publish(message) {
      if (channel.hasSubscribers) channel.publish(message);
    },
    subscribe(fn) {
      const listener = (message: unknown): void => fn(message as T);
      channel.subscribe(listener);
      return () => void channel.unsubscribe(listener);
    },
  };
}

/**
 * The messages of `channel` that `keep` accepts, queued from this call on (before the first
 * read), until `signal` aborts; aborting also unsubscribes when the stream was never read.
 */
export function messagesOf<T>(channel: FerryChannel<T>, keep: (message: T) => boolean, signal: AbortSignal): AsyncGenerator<T> {
  const queue: T[] = [];
  let wake: (() => void) | undefined;
  const unsubscribe = channel.subscribe((message) => {
    if (!keep(message)) return;
    queue.push(message);
    wake?.();
  });
  const onAbort = (): void => {
    unsubscribe();
    wake?.();
  };
  if (signal.aborted) onAbort();
  else signal.addEventListener('abort', onAbort, { once: true });
  async function* drain(): AsyncGenerator<T> {
    try {
      while (!signal.aborted) {
        if (queue.length > 0) {
          yield queue.shift() as T;
          continue;
        }
        await new Promise<void>((resolve) => (wake = resolve));
        wake = undefined;
      }
    } finally {
      signal.removeEventListener('abort', onAbort);
      unsubscribe();
    }
  }
  return drain();
}
