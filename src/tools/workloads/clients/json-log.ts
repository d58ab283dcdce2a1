/**
 * @module tools/workloads/clients/json-log — the clients' logs: one JSON object per line, each with
 * its event `ev` and wall-clock time `at` (ms since the epoch, to compare with a migration's
 * report). Written in batches every 100 ms so that thousands of events a second cost little;
 * read back by skipping a line a killed client left half written.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { FerryError } from '../../../core/errors.ts';

/** One line of a client's log. */
export interface LogLine {
  ev: string;
  at: number;
  [field: string]: unknown;
}

/** An appending JSON-lines log, flushed every `flushMs` and on {@link JsonLog.close}. */
export class JsonLog {
  private readonly fd: number;
  private lines: string[] = [];
  private readonly timer: NodeJS.Timeout;
  /** The log file. */
  readonly path: string;

  constructor(path: string, flushMs = 100) {
    this.path = path;
    this.fd = openSync(path, 'a');
    this.timer = setInterval(() => this.flush(), flushMs);
    this.timer.unref();
  }

  /** Queues an event; `at` defaults to now. */
  write(ev: string, fields: Record<string, unknown> = {}): void {
    this.lines.push(JSON.stringify({ ev, at: Date.now(), ...fields }));
  }

  /** Writes what is queued. */
  flush(): void {
    if (this.lines.length === 0) return;
    const text = `${this.lines.join('\n')}\n`;
    this.lines = [];
    writeSync(this.fd, text);
  }

  /** Flushes and closes the file. */
  close(): void {
    clearInterval(this.timer);
    this.flush();
    closeSync(this.fd);
  }
}

/** The lines of a log that parse as events; a half-written or foreign line is skipped. */
export function readJsonLines(text: string): LogLine[] {
  const out: LogLine[] = [];
  for (const raw of text.split('\n')) {
    if (raw.trim() === '') continue;
    try {
      const v = JSON.parse(raw) as unknown;
      if (typeof v === 'object' && v !== null && typeof (v as LogLine).ev === 'string') out.push(v as LogLine);
    } catch { /* a line cut by a kill */ }
  }
  return out;
}

/** The last `summary` line of a client's log; throws when there is none. */
export function summaryLine(lines: readonly LogLine[], client: string): LogLine {
  const s = lines.findLast((l) => l.ev === 'summary');
  if (!s) {
    throw new FerryError('FERRY_ERR_INVALID_INPUT', `the ${client} log has no summary line: the client is still running or was killed before it could write one; stop it with SIGTERM (not SIGKILL) and read the log after it exits`);
  }
  return s;
}

/** A client's summary as numbers (0 where a field is missing) and one table of counts by code: what each client's log parser returns. */
export function summaryOf(text: string, client: string, numbers: readonly string[], codes: string): Record<string, unknown> {
  const s = summaryLine(readJsonLines(text), client);
  const out: Record<string, unknown> = {};
  for (const k of numbers) out[k] = typeof s[k] === 'number' ? s[k] : 0;
  out[codes] = typeof s[codes] === 'object' && s[codes] !== null ? { ...(s[codes] as Record<string, number>) } : {};
  return out;
}
