/**
 * @module adapters/data-link/link-common — what both ends of the data link share: defaults, the idle
 * timer that turns a silently cut link into an error, and the constant-time ticket check.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { FerryError } from '../../core/errors.ts';

/** Defaults of the data link; they match the `migration` section of the configuration. */
export const LINK_DEFAULTS = {
  chunkBytes: 1024 * 1024,
  zstdLevel: 1,
  compression: 'zstd',
  linkTimeoutMs: 10_000,
  /** Largest frame payload (the configuration allows chunks up to 4 MiB). */
  maxFrameBytes: 4 * 1024 * 1024,
  maxFileBytes: 64 * 1024 * 1024 * 1024,
} as const;

/** Largest frame the client accepts from the server (ACK and ERROR are small JSON). */
export const MAX_REPLY_BYTES = 1024 * 1024;

/**
 * True when the presented ticket equals the expected one, in constant time: both are hashed
 * first so timingSafeEqual compares equal-length buffers and the length leaks nothing.
 */
export function ticketMatches(expected: string, presented: string): boolean {
  const a = createHash('sha256').update(expected, 'utf8').digest();
  const b = createHash('sha256').update(presented, 'utf8').digest();
  return timingSafeEqual(a, b) && expected.length > 0;
}

/** The error both ends raise when no byte moved for too long. */
export function stallError(idleMs: number, peer: string): FerryError {
  return new FerryError('FERRY_ERR_DATA_LINK', `data link stalled for ${Math.round(idleMs)} ms (${peer}); no byte moved, the link may be cut`);
}

/**
 * Declares the link dead after `timeoutMs` without progress while there is work in flight.
 * Progress is only a timestamp, so touching it per chunk costs no timer churn; a cut link
 * makes TCP hang rather than fail, and this is what notices.
 */
export class IdleTimer {
  private readonly timeoutMs: number;
  private readonly isBusy: () => boolean;
  private readonly onStall: (idleMs: number) => void;
  private last = performance.now();
  private timer: NodeJS.Timeout | undefined;

  /** `isBusy` says whether silence now means a stall (an idle client is not stalled). */
  constructor(timeoutMs: number, isBusy: () => boolean, onStall: (idleMs: number) => void) {
    this.timeoutMs = timeoutMs;
    this.isBusy = isBusy;
    this.onStall = onStall;
    this.arm(timeoutMs);
  }

  /** Records progress. */
  touch(): void {
    this.last = performance.now();
  }

  /** Stops watching for good. */
  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private arm(delayMs: number): void {
    this.timer = setTimeout(() => this.check(), Math.max(1, delayMs));
    this.timer.unref();
  }

  private check(): void {
    if (!this.timer) return;
    const idle = performance.now() - this.last;
    if (!this.isBusy()) {
      this.last = performance.now();
      this.arm(this.timeoutMs);
    } else if (idle >= this.timeoutMs) {
      this.timer = undefined;
      this.onStall(idle);
    } else {
      this.arm(this.timeoutMs - idle);
    }
  }
}
