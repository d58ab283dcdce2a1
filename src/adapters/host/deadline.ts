/**
 * @module adapters/host/deadline — how a missed deadline reads in an error: what ran, the limit, the
 * config key that sets it (with its environment twin) and, for CRIU, the tail of its log.
 * Pure: callers read the log and pass its text.
 */
import { envTwin, type Config } from '../../core/config.ts';
import { FerryError } from '../../core/errors.ts';

/** A key of the `deadlines` config section. */
export type DeadlineKey = keyof Config['deadlines'];

/** A CRIU step with a deadline of its own. */
export type CriuStep = 'dump' | 'restore' | 'cpuinfo dump' | 'cpuinfo check';

/** The deadline key of each CRIU step. */
export const CRIU_STEP_KEY: Readonly<Record<CriuStep, DeadlineKey>> = {
  dump: 'criuDumpMs',
  restore: 'criuRestoreMs',
  'cpuinfo dump': 'criuProbeMs',
  'cpuinfo check': 'criuProbeMs',
};

/** A duration for a message: "300 s", "1.5 s", "800 ms". */
export function formatMs(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${Number((ms / 1000).toFixed(1))} s`;
}

/** "5 s (config deadlines.criuDumpMs, env FERRY_DEADLINES_CRIU_DUMP_MS)". */
export function deadlineText(section: string, key: string, ms: number): string {
  return `${formatMs(ms)} (config ${section}.${key}, env ${envTwin(section, key)})`;
}

/** The last `n` non-empty lines of a log, joined with " | " and cut to `maxChars` from the end. */
export function tailLines(text: string, n = 5, maxChars = 1000): string {
  const joined = text.split('\n').map((l) => l.trimEnd()).filter((l) => l.trim() !== '').slice(-n).join(' | ');
  return joined.length > maxChars ? `…${joined.slice(-maxChars)}` : joined;
}

/** What one CRIU step that ran out of time was. */
export interface CriuTimeout {
  step: CriuStep;
  /** Whose state: "container 0123456789ab", "this host's CPU". */
  subject: string;
  deadlineMs: number;
  /** Where CRIU's log of the step is (undefined when ferry cannot know it). */
  logPath?: string;
  /** The log's text ('' when absent). */
  logText?: string;
  /** False when CRIU ran inside the Docker engine, which ferry cannot kill: it only stopped waiting. */
  killed?: boolean;
}

/** The FERRY_ERR_CRIU_TIMEOUT of a step: names the step, the deadline and its key, and the log's tail. */
export function criuTimeoutError(t: CriuTimeout): FerryError {
  const limit = deadlineText('deadlines', CRIU_STEP_KEY[t.step], t.deadlineMs);
  const tail = tailLines(t.logText ?? '');
  const where = t.logPath !== undefined ? (tail ? `CRIU log ${t.logPath}, last lines: ${tail}` : `CRIU log ${t.logPath} is empty or absent (CRIU had not begun the ${t.step})`)
    : t.killed === false ? 'CRIU\'s log is with the engine (see dockerd\'s log)'
      : tail ? `CRIU's last output: ${tail}` : 'CRIU wrote nothing';
  return new FerryError('FERRY_ERR_CRIU_TIMEOUT', `CRIU ${t.step} of ${t.subject} did not finish within ${limit}; ${t.killed === false ? 'ferry stopped waiting for the engine' : 'it was killed with its process group'}. ${where}`, {
    details: { step: t.step, deadlineMs: t.deadlineMs, key: `deadlines.${CRIU_STEP_KEY[t.step]}`, ...(t.logPath ? { log: t.logPath } : {}) },
  });
}
