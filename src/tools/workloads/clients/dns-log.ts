/**
 * @module tools/workloads/clients/dns-log — reading dns-asker's log: its summary.
 *
 * Events: `start`, `late` {n, ms, tries} (answered, but not to its first try), `lost` {n, tries}
 * (no answer by `--give-up-ms`), `wrong` {n, rcode, answers}, `error` {code}, `second`
 * {answered, late, lost} once a second, `summary`.
 */
import { summaryOf } from './json-log.ts';

/** dns-asker's summary line. */
export interface DnsSummary {
  /** Questions asked (one every `--interval-ms`). */
  asked: number;
  /** Questions answered with the expected A record (late ones included). */
  answered: number;
  /** Answered only after a retry. */
  late: number;
  /** Never answered: given up after `--give-up-ms`. */
  lost: number;
  /** Answered with another code or address. */
  wrong: number;
  /** Queries sent again. */
  retries: number;
  /** Answers to a question already answered or given up. */
  duplicates: number;
  /** Socket and format errors (ECONNREFUSED from an ICMP unreachable, ...), and by code. */
  errors: number;
  errorCodes: Record<string, number>;
  /** The most questions in a row whose first try got no answer within `--retry-ms`. */
  unansweredInARowMax: number;
  /** Questions still open at the end. */
  pending: number;
  /** Time from a question's first try to its answer, ms. */
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** The longest time without an answer (ms), and when it began (ms since the epoch). */
  gapMs: number;
  gapAt: number;
  durationMs: number;
}

const NUMBERS = ['asked', 'answered', 'late', 'lost', 'wrong', 'retries', 'duplicates', 'errors', 'unansweredInARowMax', 'pending', 'p50Ms', 'p99Ms', 'maxMs', 'gapMs', 'gapAt', 'durationMs'] as const;

/** The summary of a dns-asker log (the last one, if the log holds several runs). */
export function parseDnsLog(text: string): DnsSummary {
  return summaryOf(text, 'dns-asker', NUMBERS, 'errorCodes') as unknown as DnsSummary;
}
