/**
 * @module apps/cli/progress — the terminal view of a migration: phases with times, bytes and
 * rate; a redrawn line on a TTY, plain lines otherwise (CI, pipes). During a long step the
 * view shows that time passes: the step's name and its elapsed seconds, redrawn every second
 * on a TTY and printed as a line every 10 s otherwise (the agent's heartbeats set the clock).
 */
import { etaMs, nextPace, type Pace } from '../../domain/migration/eta.ts';
import type { MigrationEvent } from '../../services/migration/source.ts';

/** How often a plain (non-TTY) view prints that a step still runs, in ms. */
export const PLAIN_ELAPSED_EVERY_MS = 10_000;

/** The line saying a step still runs: "  stop: 12 s". */
export function elapsedLine(phase: string, elapsedMs: number): string {
  return `  ${phase}: ${Math.floor(elapsedMs / 1000)} s`;
}

/** Options of a {@link ProgressView}; tests set the clock and drive the ticks themselves. */
export interface ProgressOptions {
  now?: () => number;
  /** How often the elapsed time is redrawn, in ms (0: only when {@link ProgressView.tick} is called). */
  tickMs?: number;
}

/** Anything that watches a migration's events. */
export interface MigrationObserver {
  show(ev: MigrationEvent): void;
}

/** Renders events to a stream. */
export class ProgressView implements MigrationObserver {
  private readonly out: NodeJS.WriteStream;
  private readonly tty: boolean;
  private phase = '';
  private phaseAt = Date.now();
  private readonly perRoot = new Map<string, { raw: number; wire: number }>();
  private bytes = 0;
  private wire = 0;
  private lastPrint = 0;
  private rateFrom = { at: Date.now(), bytes: 0 };
  /** The first copy's expected bytes (the agent's estimate at preflight) and the smoothed pace, for the ETA. */
  private expected: number | undefined;
  private pace: Pace | undefined;
  private readonly now: () => number;
  private readonly tickMs: number;
  private ticker: NodeJS.Timeout | undefined;
  /** When the plain view last printed a line for the current step. */
  private lastLineAt = 0;
  /** True while a redrawn TTY line is on screen without its newline. */
  private open = false;

  constructor(out: NodeJS.WriteStream, o: ProgressOptions = {}) {
    this.out = out;
    this.tty = Boolean(out.isTTY);
    this.now = o.now ?? Date.now;
    this.tickMs = o.tickMs ?? 1000;
  }

  /** Shows one event. */
  show(ev: MigrationEvent): void {
    const now = this.now();
    if (ev.type === 'phase') {
      if (this.phase) this.line(`  ${this.phase.padEnd(12)} done in ${now - this.phaseAt} ms`, true);
      this.phase = ev.phase;
      this.phaseAt = now;
      this.lastLineAt = now;
      this.rateFrom = { at: now, bytes: this.bytes };
      this.line(`→ ${ev.phase}`, true);
      this.startTicker();
    } else if (ev.type === 'heartbeat') {
      // The agent's count wins: it knows when the step began, also after the stream was re-opened.
      if (ev.phase === this.phase) this.phaseAt = now - ev.phaseMs;
      this.tick();
    } else if (ev.type === 'end') {
      this.close();
    } else if (ev.type === 'estimate') {
      this.expected = ev.bytes;
    } else if (ev.type === 'round') {
      const r = ev.round;
      this.line(`  round ${r.round}: ${r.dirtyPages} pages changed, ${r.sentPages} sent, ${r.deferredPages} held back (hot); ${(r.wireBytes / 1048576).toFixed(1)} MiB in ${r.ms} ms`, true);
    } else if (ev.type === 'progress') {
      // Progress is cumulative per root; the totals are the sums of each root's latest.
      this.perRoot.set(ev.root, { raw: ev.rawBytes, wire: ev.wireBytes });
      this.bytes = [...this.perRoot.values()].reduce((a, b) => a + b.raw, 0);
      this.wire = [...this.perRoot.values()].reduce((a, b) => a + b.wire, 0);
      this.pace = nextPace(this.pace, now, this.bytes);
      if (now - this.lastPrint < (this.tty ? 100 : 1000)) return;
      this.lastPrint = now;
      this.lastLineAt = now;
      const secs = Math.max(0.001, (now - this.rateFrom.at) / 1000);
      const rate = (this.bytes - this.rateFrom.bytes) / secs / 1048576;
      const left = etaMs(this.expected, this.bytes, this.pace);
      const eta = left === undefined ? '' : `, about ${Math.ceil(left / 1000)} s left of the first copy`;
      this.line(`  ${ev.root}: ${(this.bytes / 1048576).toFixed(1)} MiB sent (${(this.wire / 1048576).toFixed(1)} MiB on the wire), ${rate.toFixed(1)} MiB/s${eta}`, !this.tty);
    }
  }

  /** Shows that the current step still runs: redrawn on a TTY, a line every 10 s otherwise. */
  tick(): void {
    if (!this.phase) return;
    const now = this.now();
    if (this.tty) {
      // A transfer redraws its own line with bytes and rate; the clock only fills the silences.
      if (now - this.lastPrint >= 1000) this.line(elapsedLine(this.phase, now - this.phaseAt), false);
    } else if (now - this.lastLineAt >= PLAIN_ELAPSED_EVERY_MS) {
      this.lastLineAt = now;
      this.line(elapsedLine(this.phase, now - this.phaseAt), true);
    }
  }

  /** Stops the clock and clears a redrawn line (the migration ended or failed). */
  close(): void {
    if (this.ticker) clearInterval(this.ticker);
    this.ticker = undefined;
    if (this.tty && this.open) this.out.write('\r\x1b[K');
    this.open = false;
  }

  private startTicker(): void {
    if (this.ticker || this.tickMs <= 0) return;
    this.ticker = setInterval(() => this.tick(), this.tickMs).unref();
  }

  private line(text: string, final: boolean): void {
    if (this.tty) this.out.write(`\r\x1b[K${text}${final ? '\n' : ''}`);
    else this.out.write(`${text}\n`);
    this.open = this.tty && !final;
  }
}
