/**
 * @module tools/sim/trace/synthetic — a seeded generator of a day made of phases (steady, peak,
 * quiet, …): each app's containers demand base × the phase's level × (1 + noise × u), u
 * uniform in [-1, 1), one sample per interval. Apps named `during` a phase exist only while
 * it lasts (burst containers). The options are plain JSON, validated by
 * `SyntheticTraceSchema`, so that a scenario file can hold them.
 */
import * as z from 'zod';
import { FerryError } from '../../../core/errors.ts';
import { deriveSeed, mulberry32, uniform, type Random } from './random.ts';
import type { SimContainerSpec } from './types.ts';

const seconds = z.number().finite().min(0);

/** A stretch of the day at one load level; between phases the level is 1. */
export const SyntheticPhaseSchema = z.strictObject({
  /** Its name, e.g. steady, peak, quiet; apps refer to it with `during`. */
  name: z.string().min(1),
  /** Seconds after the start of the simulation when it begins. */
  fromS: seconds,
  /** Seconds after the start of the simulation when it ends (exclusive). */
  toS: seconds,
  /** Multiplier of every app's base demand while it lasts (1 = base). */
  level: z.number().finite().min(0),
});

/** A group of identical containers of one app. */
export const SyntheticAppSchema = z.strictObject({
  /** The app's name; containers are named `<app>-<i>` (`<app>-<phase>-<k>-<i>` for burst ones). */
  app: z.string().min(1),
  /** Its application type for the scheduler's load model. */
  appType: z.string().min(1).default('balanced'),
  /** How many containers (per phase occurrence, for burst apps). */
  count: z.number().int().min(1).default(1),
  /** What each container asks for at placement. */
  request: z.strictObject({
    cpuMillis: z.number().finite().min(0),
    memoryMiB: z.number().finite().min(0),
    networkMbps: z.number().finite().min(0).default(0),
  }),
  /** CPU demand at level 1, millis. */
  baseCpuMillis: z.number().finite().min(0),
  /** Network demand at level 1, Mbit/s; absent: the request's network throughout. */
  baseNetworkMbps: z.number().finite().min(0).optional(),
  /** Relative noise of each sample, 0..1 (0.2: ±20 %). */
  noise: z.number().min(0).max(1).default(0),
  /** Resident memory, MiB, constant; absent: the request's memory. */
  memoryMiB: z.number().finite().min(0).optional(),
  /** Pages rewritten, MB/s (prices a live migration). */
  dirtyRateMBps: z.number().finite().min(0).default(0),
  /** A phase name: one set of containers per phase of that name, from its start to its end. */
  during: z.string().min(1).optional(),
});

/** A synthetic day, as a scenario file holds it. */
export const SyntheticTraceSchema = z.strictObject({
  /** Seed of the noise: the same seed gives the same trace. */
  seed: z.number().int(),
  /** Length of the simulated day, seconds. */
  durationS: z.number().finite().positive(),
  /** Seconds between demand samples. */
  intervalS: z.number().finite().positive(),
  phases: z.array(SyntheticPhaseSchema).default([]),
  apps: z.array(SyntheticAppSchema).min(1),
}).superRefine((trace, ctx) => {
  const byStart = trace.phases.map((p, i) => ({ p, i })).sort((a, b) => a.p.fromS - b.p.fromS);
  byStart.forEach(({ p, i }, k) => {
    const path = ['phases', i];
    if (p.toS <= p.fromS) ctx.addIssue({ code: 'custom', path, message: `phase "${p.name}" ends (toS ${p.toS}) before it starts (fromS ${p.fromS}); give toS > fromS` });
    else if (p.toS > trace.durationS) ctx.addIssue({ code: 'custom', path, message: `phase "${p.name}" ends at ${p.toS} s, after the day (durationS ${trace.durationS}); shorten it or lengthen the day` });
    const next = byStart[k + 1];
    if (next && next.p.fromS < p.toS) ctx.addIssue({ code: 'custom', path, message: `phases "${p.name}" and "${next.p.name}" overlap; let one end (toS) where the next starts (fromS)` });
  });
  const seen = new Set<string>();
  trace.apps.forEach((a, i) => {
    if (seen.has(a.app)) ctx.addIssue({ code: 'custom', path: ['apps', i, 'app'], message: `app "${a.app}" is listed twice; give each entry its own name` });
    seen.add(a.app);
    if (a.during !== undefined && !trace.phases.some((p) => p.name === a.during)) ctx.addIssue({ code: 'custom', path: ['apps', i, 'during'], message: `app "${a.app}" runs during phase "${a.during}", which no phase is named` });
  });
});

/** A synthetic day as a user writes it (defaults not yet filled in). */
export type SyntheticTraceInput = z.input<typeof SyntheticTraceSchema>;
/** A validated synthetic day. */
export type SyntheticTrace = z.output<typeof SyntheticTraceSchema>;
type SyntheticApp = SyntheticTrace['apps'][number];
type SyntheticPhase = SyntheticTrace['phases'][number];

/** Validates a synthetic day, filling defaults; a bad field is FERRY_ERR_INVALID_INPUT naming it. */
export function parseSyntheticTrace(input: unknown): SyntheticTrace {
  const result = SyntheticTraceSchema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  throw new FerryError('FERRY_ERR_INVALID_INPUT', `synthetic trace ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}`);
}

/** The level in force at a time of the simulation: its phase's, or 1 between phases. */
export function levelAt(phases: readonly SyntheticPhase[], atS: number): number {
  return phases.find((p) => p.fromS <= atS && atS < p.toS)?.level ?? 1;
}

/**
 * Generates the containers of a synthetic day; the same input gives the same output.
 * @example generateSyntheticTrace({ seed: 1, durationS: 86400, intervalS: 300,
 *   phases: [{ name: 'peak', fromS: 32400, toS: 43200, level: 2 }],
 *   apps: [{ app: 'web', count: 4, request: { cpuMillis: 500, memoryMiB: 256 }, baseCpuMillis: 200, noise: 0.1 }] })
 */
export function generateSyntheticTrace(input: SyntheticTraceInput): SimContainerSpec[] {
  const trace = parseSyntheticTrace(input);
  const specs: SimContainerSpec[] = [];
  for (const app of trace.apps) {
    const lives = app.during === undefined
      ? [{ prefix: app.app, startS: 0, endS: undefined }]
      : trace.phases.filter((p) => p.name === app.during).map((p, k) => ({ prefix: `${app.app}-${p.name}-${k}`, startS: p.fromS, endS: p.toS }));
    for (const life of lives) {
      for (let i = 0; i < app.count; i++) specs.push(container(trace, app, `${life.prefix}-${i}`, life.startS, life.endS));
    }
  }
  return specs;
}

/** One container living from startS to endS (absent: the end of the day). */
function container(trace: SyntheticTrace, app: SyntheticApp, name: string, startS: number, endS: number | undefined): SimContainerSpec {
  const random = mulberry32(deriveSeed(trace.seed, name));
  const samples = Math.max(1, Math.ceil(((endS ?? trace.durationS) - startS) / trace.intervalS));
  const levels = Array.from({ length: samples }, (_, s) => levelAt(trace.phases, startS + s * trace.intervalS));
  const spec: SimContainerSpec = {
    name,
    app: app.app,
    appType: app.appType,
    request: { ...app.request },
    startS,
    demand: { intervalS: trace.intervalS, cpuMillis: noisy(levels, app.baseCpuMillis, app.noise, random) },
    dirtyRateMBps: app.dirtyRateMBps,
  };
  if (endS !== undefined) spec.endS = endS;
  if (app.memoryMiB !== undefined) spec.demand.memoryMiB = Float32Array.of(app.memoryMiB);
  if (app.baseNetworkMbps !== undefined) spec.demand.networkMbps = noisy(levels, app.baseNetworkMbps, app.noise, random);
  return spec;
}

/** base × level × (1 + noise × u) per sample, never below 0. */
function noisy(levels: readonly number[], base: number, noise: number, random: Random): Float32Array {
  return Float32Array.from(levels, (level) => Math.max(0, base * level * (1 + noise * uniform(random, -1, 1))));
}
