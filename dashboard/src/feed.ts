/**
 * @module dashboard/feed — reads the controller's live feed with fetch() streaming, so the
 * cluster token goes in the Authorization header (EventSource cannot set it, and a token in
 * a URL would be logged). Reconnects after a break; asks for the token on 401.
 */
import { SseParser } from './sse.ts';
import type { FeedMessage } from './state.ts';

/** What the connection reports. */
export interface FeedHandlers {
  message(m: FeedMessage): void;
  status(s: 'connecting' | 'live' | 'retrying' | 'unauthorized'): void;
}

/** Connects and stays connected until `signal` aborts; stops and reports on a refused token. */
export async function runFeed(token: string | undefined, on: FeedHandlers, signal: AbortSignal): Promise<void> {
  while (!signal.aborted) {
    on.status('connecting');
    try {
      const res = await fetch('/v1/stream', { headers: token ? { authorization: `Bearer ${token}` } : {}, signal, cache: 'no-store' });
      if (res.status === 401) {
        on.status('unauthorized');
        return;
      }
      if (!res.ok || !res.body) throw new Error(`HTTP ${res.status}`);
      on.status('live');
      const parser = new SseParser();
      const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        for (const ev of parser.push(value)) on.message(JSON.parse(ev.data) as FeedMessage);
      }
    } catch {
      if (signal.aborted) return;
    }
    on.status('retrying');
    await new Promise((r) => setTimeout(r, 2000));
  }
}
