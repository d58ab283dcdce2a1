/**
 * @module tools/sim/scenario — a scenario file: the hosts (groups of identical machines with their
 * power model, zone and racks), the workload (a PlanetLab day, compute jobs, a synthetic
 * day or an Alibaba cluster-trace window), the scheduler's parameters (the same
 * `scheduler` section the controller's config has, partially overridden), the policies to
 * compare, the migration strategy, the tick, the duration, and the targets to check.
 * Validated once; a bad field is FERRY_ERR_INVALID_INPUT naming its path.
 */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { ConfigSchema } from '../../core/config.ts';
import { FerryError } from '../../core/errors.ts';
import { CALIBRATION_FILES } from './cost-calibration.ts';
import { POWER_PRESETS, PowerModelSchema } from './power.ts';
import { SyntheticTraceSchema } from './trace/synthetic.ts';

const ResourcesSchema = z.strictObject({ cpuMillis: z.number().min(0), memoryMiB: z.number().min(0), networkMbps: z.number().min(0).default(0) });

/** A group of identical hosts. */
const HostGroupSchema = z.strictObject({
  /** Hosts are named prefix + 1, 2, … */
  prefix: z.string().regex(/^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,30}$/),
  count: z.number().int().min(1).max(100_000),
  capacity: ResourcesSchema,
  /** A preset name (hp-ml110-g4, hp-ml110-g5, r710) or a model. */
  power: z.union([z.string(), PowerModelSchema]),
  zone: z.string().default('A'),
  /** The group's hosts spread over this many racks, in order (racks named zone-r1, zone-r2, …). */
  racks: z.number().int().min(1).default(1),
  initially: z.enum(['awake', 'asleep']).default('awake'),
});

const PlanetLabSchema = z.strictObject({
  kind: z.literal('planetlab'),
  /** The day, e.g. 20110303 (a file DAY.csv.gz in `dir`). */
  day: z.string().regex(/^\d{8}$/),
  /** Directory of the day files; default $FERRY_PLANETLAB_DIR or ../shared/data/planetlab beside the checkout. */
  dir: z.string().optional(),
  vmTypes: z.array(z.strictObject({ mips: z.number().positive(), ramMiB: z.number().positive() })).optional(),
  memory: z.enum(['cloudsim', 'reserved']).default('cloudsim'),
  appType: z.string().default('planetlab-vm'),
  dirtyRateMBps: z.number().min(0).default(5),
  count: z.number().int().min(1).optional(),
});

const JobsSchema = z.strictObject({
  kind: z.literal('compute-jobs'),
  count: z.number().int().min(1),
  app: z.string().default('job'),
  appType: z.string().default('cpu-intensive'),
  request: ResourcesSchema,
  meanCpuMillis: z.number().positive(),
  noise: z.number().min(0).max(1).default(0),
  stepS: z.number().positive().default(60),
  workS: z.number().positive(),
  writeMiB: z.number().min(0).default(0),
  remoteReplicas: z.number().int().min(0).default(2),
  dirtyRateMBps: z.number().min(0).default(20),
  everyS: z.number().min(0).default(0),
  seed: z.number().int().default(1),
});

const SyntheticSchema = z.strictObject({ kind: z.literal('synthetic'), trace: SyntheticTraceSchema });

const AlibabaSchema = z.strictObject({
  kind: z.literal('alibaba'),
  /** Directory with container_meta.csv(.gz) and container_usage.csv(.gz). */
  dir: z.string(),
  fromS: z.number().min(0),
  durationS: z.number().positive(),
  intervalS: z.number().positive().default(300),
  machineMemoryMiB: z.number().positive(),
  maxContainers: z.number().int().positive().optional(),
  defaultAppType: z.string().default('balanced'),
  dirtyRateMBps: z.number().min(0).default(5),
});

/** A target: policy, metric, bound, and where it comes from. */
const TargetSchema = z.strictObject({
  policy: z.string(),
  metric: z.string(),
  op: z.enum(['<=', '>=']),
  value: z.number(),
  source: z.string(),
});

/** A published result printed beside ours. */
const ReferenceSchema = z.strictObject({ name: z.string(), source: z.string(), values: z.record(z.string(), z.number()) });

/** A scenario file. */
export const ScenarioSchema = z.strictObject({
  name: z.string().regex(/^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,63}$/),
  description: z.string().default(''),
  hosts: z.array(HostGroupSchema).min(1),
  workload: z.discriminatedUnion('kind', [PlanetLabSchema, JobsSchema, SyntheticSchema, AlibabaSchema]),
  /** Overrides of the controller's `scheduler` config section (thresholds, samples, app types, budget...). */
  scheduler: z.record(z.string(), z.unknown()).default({}),
  policies: z.array(z.string()).min(1).default(['spread', 'kube', 'elastic']),
  tickS: z.number().positive().default(30),
  /** Simulated seconds; a job workload ends earlier when every job is done. */
  durationS: z.number().positive(),
  /** Seconds between demand steps; default: the workload's interval. */
  demandStepS: z.number().positive().optional(),
  slowdown: z.number().min(0).max(1).default(0.1),
  migration: z.strictObject({
    strategy: z.enum(['stop-copy', 'precopy', 'prestore']).default('precopy'),
    /** `ferry bench migrate` results of one machine the cost model is fitted on (relative to the checkout). */
    calibration: z.union([z.string(), z.array(z.string()).min(1)]).default([...CALIBRATION_FILES]),
  }).default({ strategy: 'precopy', calibration: [...CALIBRATION_FILES] }),
  targets: z.array(TargetSchema).default([]),
  references: z.array(ReferenceSchema).default([]),
  notes: z.array(z.string()).default([]),
});

/** A validated scenario. */
export type Scenario = z.output<typeof ScenarioSchema>;
/** A host group of a scenario. */
export type HostGroup = Scenario['hosts'][number];

/** Validates a scenario; the scheduler overrides go through the controller's config schema. */
export function parseScenario(input: unknown, source = 'scenario'): Scenario {
  const r = ScenarioSchema.safeParse(input);
  if (!r.success) {
    const issue = r.error.issues[0];
    throw new FerryError('FERRY_ERR_INVALID_INPUT', `${source}: ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}`);
  }
  const s = r.data;
  for (const g of s.hosts) {
    if (typeof g.power === 'string' && !Object.hasOwn(POWER_PRESETS, g.power)) {
      throw new FerryError('FERRY_ERR_INVALID_INPUT', `${source}: hosts "${g.prefix}": unknown power preset "${g.power}"; presets: ${Object.keys(POWER_PRESETS).join(', ')}, or give {idleW, peakW, sleepW, wakeS}`);
    }
  }
  schedulerParams(s, source);
  return s;
}

/** The scheduler's parameters of a scenario: the config's defaults with the scenario's overrides. */
export function schedulerParams(s: Scenario, source = 'scenario'): z.output<typeof ConfigSchema>['scheduler'] {
  const r = ConfigSchema.shape.scheduler.safeParse(s.scheduler);
  if (!r.success) {
    const issue = r.error.issues[0];
    throw new FerryError('FERRY_ERR_INVALID_INPUT', `${source}: scheduler.${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}`);
  }
  return r.data;
}

/** Reads and validates a scenario file. */
export async function loadScenario(file: string): Promise<Scenario> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new FerryError('FERRY_ERR_INVALID_INPUT', `cannot read scenario ${file}: ${(err as Error).message}; scenarios ship in bench/scenarios/`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new FerryError('FERRY_ERR_INVALID_INPUT', `scenario ${file} is not JSON: ${(err as Error).message}`);
  }
  return parseScenario(json, file);
}
