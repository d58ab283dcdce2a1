/**
 * @module cli/progress — the terminal view of a migration: phases with times, bytes and
 * rate; a redrawn line on a TTY, plain lines otherwise (CI, pipes).
 */
import type { MigrationEvent } from '../migration/source.ts';

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

  constructor(out: NodeJS.WriteStream) {
    this.out = out;
    this.tty = Boolean(out.isTTY);
  }

  /** Shows one event. */
  show(ev: MigrationEvent): void {
    const now = Date.now();
    if (ev.type === 'phase') {
      if (this.phase) this.line(`  ${this.phase.padEnd(12)} done in ${now - this.phaseAt} ms`, true);
      this.phase = ev.phase;
      this.phaseAt = now;
      this.rateFrom = { at: now, bytes: this.bytes };
      this.line(`→ ${ev.phase}`, true);
    } else if (ev.type === 'progress') {
      // Progress is cumulative per root; the totals are the sums of each root's latest.
      this.perRoot.set(ev.root, { raw: ev.rawBytes, wire: ev.wireBytes });
      this.bytes = [...this.perRoot.values()].reduce((a, b) => a + b.raw, 0);
      this.wire = [...this.perRoot.values()].reduce((a, b) => a + b.wire, 0);
      if (now - this.lastPrint < (this.tty ? 100 : 1000)) return;
      this.lastPrint = now;
      const secs = Math.max(0.001, (now - this.rateFrom.at) / 1000);
      const rate = (this.bytes - this.rateFrom.bytes) / secs / 1048576;
      this.line(`  ${ev.root}: ${(this.bytes / 1048576).toFixed(1)} MiB sent (${(this.wire / 1048576).toFixed(1)} MiB on the wire), ${rate.toFixed(1)} MiB/s`, !this.tty);
    }
  }

  private line(text: string, final: boolean): void {
    if (this.tty) this.out.write(`\r\x1b[K${text}${final ? '\n' : ''}`);
    else this.out.write(`${text}\n`);
  }
}
