/**
 * @module adapters/host/load-sampler — samples a node's load every S ms (the paper's S) and keeps the
 * last K samples, oldest first, for the controller to average over D of them. Reading is a
 * port (the agent wires the engine and /proc into it); a failed reading skips that tick and
 * never stops the sampler. The timer is unref'd: it never keeps the process alive.
 *
 * @example
 *   const sampler = new LoadSampler({ everyMs: 2000, read: () => readLoad() });
 *   sampler.start();
 *   sampler.samples(); // [{ seq, at, node, containers }, ...]
 */
import { loadSample, type LoadReading, type LoadSample } from './load-rates.ts';

/** K: how many samples an agent keeps (two minutes at the default S of 2 s). */
export const SAMPLES_KEPT = 60;

/** Options of a {@link LoadSampler}. */
export interface LoadSamplerOptions {
  /** S, in ms. */
  everyMs: number;
  /** Reads the counters of the node and its containers now. */
  read: () => Promise<LoadReading>;
  /** True while no sample should be taken (the node sleeps). */
  paused?: () => boolean;
  /** K (default {@link SAMPLES_KEPT}). */
  keep?: number;
  /** Told of a reading that failed (the tick is skipped). */
  onError?: (err: unknown) => void;
}

/** Samples a node's load on a timer and keeps the last K samples. */
export class LoadSampler {
  private readonly options: LoadSamplerOptions;
  private readonly ring: LoadSample[] = [];
  private previous: LoadReading | undefined;
  private seq = 0;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<LoadSample | undefined> | undefined;

  constructor(options: LoadSamplerOptions) {
    this.options = options;
  }

  /** Starts sampling every S ms (a tick that finds the previous one still reading is skipped). */
  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.tick(), this.options.everyMs);
    this.timer.unref();
  }

  /** Stops sampling; the samples stay readable. */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** The kept samples, oldest first. */
  samples(): LoadSample[] {
    return [...this.ring];
  }

  /** Forgets the last reading, so that the next interval does not span a pause (sleep). */
  reset(): void {
    this.previous = undefined;
  }

  /** Takes one reading now; returns the sample it completes (none for the first reading or while paused). */
  tick(): Promise<LoadSample | undefined> {
    if (this.running) return this.running;
    this.running = this.sampleOnce().finally(() => (this.running = undefined));
    return this.running;
  }

  private async sampleOnce(): Promise<LoadSample | undefined> {
    if (this.options.paused?.()) {
      // Asleep: what was sampled before describes a node that runs nothing now; a woken node starts a new series.
      this.previous = undefined;
      this.ring.length = 0;
      return undefined;
    }
    let reading: LoadReading;
    try {
      reading = await this.options.read();
    } catch (err) {
      this.options.onError?.(err);
      return undefined;
    }
    // Paused while reading: the reading may straddle the engine going down; drop it.
    if (this.options.paused?.()) return undefined;
    const prev = this.previous;
    this.previous = reading;
    if (!prev) return undefined;
    const sample = loadSample(prev, reading, ++this.seq);
    this.ring.push(sample);
    while (this.ring.length > (this.options.keep ?? SAMPLES_KEPT)) this.ring.shift();
    return sample;
  }
}
