/**
 * @module tools/workloads/clients/http-log — reading http-load's log: its summary.
 *
 * Events: `start`, `connect` {local}, `close` {local, hadError, stopping}, `fail` {i, path,
 * code, ms, since}, `slow` {i, path, ms, since}, `second` {ok, failed, maxMs} once a second,
 * `summary`.
 */
import { summaryOf } from './json-log.ts';

/** http-load's summary line. */
export interface HttpSummary {
  /** Requests sent. */
  issued: number;
  /** Requests finished, answered or failed. */
  requests: number;
  /** Answered 200 with the expected body. */
  ok: number;
  /** Failed: an error (ECONNRESET, timeout, ...), another status, or a wrong body. */
  failures: number;
  /** Failures by code. */
  failureCodes: Record<string, number>;
  /** Requests still waiting at the end, and how long the oldest had waited (ms). */
  inFlight: number;
  pendingMs: number;
  /** Latency of the answered requests, ms. */
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** The longest time without an answer (ms), and when it began (ms since the epoch). */
  gapMs: number;
  gapAt: number;
  /** Requests that took `slowMs` or more. */
  slow: number;
  /** Connections opened, and connections that closed while the client ran. */
  connections: number;
  closes: number;
  /** Answers per second over the run. */
  achievedRate: number;
  durationMs: number;
}

const NUMBERS = ['issued', 'requests', 'ok', 'failures', 'inFlight', 'pendingMs', 'p50Ms', 'p99Ms', 'maxMs', 'gapMs', 'gapAt', 'slow', 'connections', 'closes', 'achievedRate', 'durationMs'] as const;

/** The summary of an http-load log (the last one, if the log holds several runs). */
export function parseHttpLog(text: string): HttpSummary {
  return summaryOf(text, 'http-load', NUMBERS, 'failureCodes') as unknown as HttpSummary;
}
