/**
 * @module domain/scheduler/load-model — the paper's load model: a node's load is
 * `Wi = λ·Wm + α·Wc + β·Wn` (memory, CPU, network utilisation averaged over D samples), with
 * weights λ:α:β chosen by the application type and summing to 1. Also what a node's
 * utilisation becomes when a container is added or removed. Pure arithmetic.
 */
import type { Config } from '../../core/config.ts';
import { FerryError } from '../../core/errors.ts';
import type { Resources, Utilisation } from './types.ts';

/** The scheduler's parameters: the config section `scheduler`, passed in as it is. */
export type SchedulerParams = Config['scheduler'];

/** The weights λ (memory), α (CPU), β (network) of one application type; they sum to 1. */
export interface LoadModel {
  readonly memory: number;
  readonly cpu: number;
  readonly network: number;
}

/** A node's Wi and the weighted part each resource contributes (for `ferry nodes`). */
export interface NodeLoad {
  /** Wi = memory + cpu + network (the weighted parts below). */
  total: number;
  /** λ·Wm. */
  memory: number;
  /** α·Wc. */
  cpu: number;
  /** β·Wn. */
  network: number;
}

/** How far a weight sum may stray from 1 (configs are written in decimals). */
const SUM_TOLERANCE = 1e-6;

/** The weights of an application type; FERRY_ERR_UNKNOWN_APP_TYPE names the known types. */
export function weightsFor(appType: string, params: SchedulerParams): LoadModel {
  const w = Object.hasOwn(params.appTypes, appType) ? params.appTypes[appType] : undefined;
  if (!w) {
    const known = Object.keys(params.appTypes).sort().join(', ');
    throw new FerryError('FERRY_ERR_UNKNOWN_APP_TYPE', `unknown application type "${appType}"; known types: ${known || '(none)'}`);
  }
  return w;
}

/** Weights from a ratio such as the paper's 3:5:2 for a CPU-intensive application (equation 3). */
export function modelFromRatio(memory: number, cpu: number, network: number): LoadModel {
  const sum = memory + cpu + network;
  if (!(sum > 0) || memory < 0 || cpu < 0 || network < 0) {
    throw new FerryError('FERRY_ERR_BAD_WEIGHTS', `ratio ${memory}:${cpu}:${network} must be non-negative with a positive sum`);
  }
  return { memory: memory / sum, cpu: cpu / sum, network: network / sum };
}

/** Checks one triple: each weight in [0, 1] and the sum within 1e-6 of 1 (FERRY_ERR_BAD_WEIGHTS). */
export function validateWeights(w: LoadModel, label = 'weights'): void {
  const parts = [w.memory, w.cpu, w.network];
  const sum = parts.reduce((a, b) => a + b, 0);
  const shown = `memory λ=${w.memory}, cpu α=${w.cpu}, network β=${w.network} (sum ${Number(sum.toFixed(9))})`;
  if (parts.some((p) => !Number.isFinite(p) || p < 0 || p > 1)) {
    throw new FerryError('FERRY_ERR_BAD_WEIGHTS', `${label}: each weight must be between 0 and 1; got ${shown}`);
  }
  if (Math.abs(sum - 1) > SUM_TOLERANCE) {
    throw new FerryError('FERRY_ERR_BAD_WEIGHTS', `${label}: weights must sum to 1; got ${shown}`);
  }
}

/** Parameter objects already checked, so `schedule()` checks a config once, not per call (params are never mutated in place). */
const validated = new WeakSet<SchedulerParams>();

/** Checks every app type's weights, the default type, and that the thresholds are ordered. */
export function validateParams(params: SchedulerParams): void {
  if (validated.has(params)) return;
  for (const [type, w] of Object.entries(params.appTypes)) validateWeights(w, `scheduler.appTypes.${type}`);
  weightsFor(params.defaultAppType, params);
  const numbers: Array<[string, number]> = [
    ['greenBelow', params.greenBelow], ['redAbove', params.redAbove], ['hysteresis', params.hysteresis], ['overloadW', params.overloadW],
    ['overloadForMs', params.overloadForMs], ['idleForMs', params.idleForMs], ['cooldownMs', params.cooldownMs],
    ['migrationBudget', params.migrationBudget], ['budgetPeriodMs', params.budgetPeriodMs], ['minAwake', params.minAwake],
  ];
  for (const [key, v] of numbers) {
    if (!Number.isFinite(v) || v < 0) throw new FerryError('FERRY_ERR_CONFIG', `config key scheduler.${key}: must be a finite number >= 0, got ${v}`);
  }
  if (!(params.greenBelow < params.redAbove)) {
    throw new FerryError('FERRY_ERR_CONFIG', `config key scheduler.greenBelow (${params.greenBelow}) must be below scheduler.redAbove (${params.redAbove})`);
  }
  if (params.greenBelow + params.hysteresis > params.redAbove - params.hysteresis) {
    throw new FerryError('FERRY_ERR_CONFIG', `config key scheduler.hysteresis (${params.hysteresis}) is too wide: the green band (up to ${params.greenBelow} + ${params.hysteresis}) overlaps the red band (down to ${params.redAbove} - ${params.hysteresis})`);
  }
  validated.add(params);
}

/** Wi of a utilisation under some weights (no allocation: the hot path's form). */
export function loadOf(usage: Utilisation, w: LoadModel): number {
  return w.memory * usage.memory + w.cpu * usage.cpu + w.network * usage.network;
}

/** Wi with its weighted parts, for reports. */
export function nodeLoad(usage: Utilisation, w: LoadModel): NodeLoad {
  const memory = w.memory * usage.memory;
  const cpu = w.cpu * usage.cpu;
  const network = w.network * usage.network;
  return { total: memory + cpu + network, memory, cpu, network };
}

/** `amount` as a fraction of `capacity`; asking anything of a zero capacity is infinitely much. */
export function fraction(amount: number, capacity: number): number {
  if (capacity > 0) return amount / capacity;
  return amount > 0 ? Number.POSITIVE_INFINITY : 0;
}

/** A node's utilisation after adding (`sign` 1) or removing (`sign` -1) a container's load. */
export function utilisationAfter(usage: Utilisation, capacity: Resources, load: Resources, sign: 1 | -1 = 1): Utilisation {
  return {
    cpu: Math.max(0, usage.cpu + sign * fraction(load.cpuMillis, capacity.cpuMillis)),
    memory: Math.max(0, usage.memory + sign * fraction(load.memoryMiB, capacity.memoryMiB)),
    network: Math.max(0, usage.network + sign * fraction(load.networkMbps, capacity.networkMbps)),
  };
}

/** Wi after adding (or removing) a load, without allocating (the plugins' form). */
export function loadAfter(usage: Utilisation, capacity: Resources, load: Resources, w: LoadModel, sign: 1 | -1 = 1): number {
  return loadAfterOf(usage.memory, usage.cpu, usage.network, capacity.memoryMiB, capacity.cpuMillis, capacity.networkMbps, load, w, sign);
}

/** `loadAfter` on plain numbers (utilisation fractions, then capacities), the form of the scheduler's columns. */
export function loadAfterOf(memory: number, cpu: number, network: number, capMemory: number, capCpu: number, capNetwork: number, load: Resources, w: LoadModel, sign: 1 | -1 = 1): number {
  let m = memory + sign * fraction(load.memoryMiB, capMemory);
  let c = cpu + sign * fraction(load.cpuMillis, capCpu);
  let n = network + sign * fraction(load.networkMbps, capNetwork);
  if (m < 0) m = 0;
  if (c < 0) c = 0;
  if (n < 0) n = 0;
  return w.memory * m + w.cpu * c + w.network * n;
}
