/**
 * @module apps/agent/metrics-protocol — what an agent tells the controller of its node: the load
 * samples (`GET /v1/metrics`), its power state (`GET /v1/health`, `POST /v1/power`) and what
 * the node offers. The controller parses answers with these schemas. (The agent builds the
 * answer from host/load-rates' LoadSample, typed against {@link MetricsAnswer}, so the two
 * cannot drift apart.)
 *
 * @example
 *   const m = MetricsAnswer.parse(await agent.call('GET', '/v1/metrics'));
 *   const last = m.samples.at(-1)?.node.cpuMillis;
 */
import * as z from 'zod';

/** Whether the node's engine is powered. */
export const PowerState = z.enum(['awake', 'sleeping']);
/** Whether the node's engine is powered. */
export type PowerState = z.infer<typeof PowerState>;

/** What a node offers: CPU in millicores, memory in MiB, network in Mbit/s. */
export const NodeCapacity = z.strictObject({
  cpuMillis: z.number().nonnegative(),
  memoryMiB: z.number().nonnegative(),
  networkMbps: z.number().nonnegative(),
});
/** What a node offers. */
export type NodeCapacity = z.infer<typeof NodeCapacity>;

/** The load of a node over one interval (same units as {@link NodeCapacity}). */
export const NodeLoadWire = z.strictObject({
  cpuMillis: z.number().nonnegative(),
  memoryMiB: z.number().nonnegative(),
  networkMbps: z.number().nonnegative(),
});

/** The load of one container over one interval. */
export const ContainerLoadWire = z.strictObject({
  name: z.string(),
  id: z.string(),
  cpuMillis: z.number().nonnegative(),
  memoryMiB: z.number().nonnegative(),
  networkMbps: z.number().nonnegative(),
  /** Memory written per second in MB/s; 0 when not measured. */
  dirtyRateMBps: z.number().nonnegative(),
  /** The container's ferry.* labels. */
  labels: z.record(z.string(), z.string()),
});

/** One sample: `seq` increases by one per sample, `at` is the end of its interval (epoch ms). */
export const LoadSampleWire = z.strictObject({
  seq: z.number().int().positive(),
  at: z.number().int(),
  node: NodeLoadWire,
  containers: z.array(ContainerLoadWire),
});

/** `GET /v1/metrics`: the last K samples, oldest first, taken every `everyMs` (S) while awake. */
export const MetricsAnswer = z.strictObject({
  node: z.string(),
  power: PowerState,
  everyMs: z.number().int().positive(),
  capacity: NodeCapacity,
  samples: z.array(LoadSampleWire),
});
/** `GET /v1/metrics`. */
export type MetricsAnswer = z.infer<typeof MetricsAnswer>;

/** `GET /v1/health`. */
export const HealthAnswer = z.strictObject({ name: z.string(), ok: z.literal(true), power: PowerState });
/** `GET /v1/health`. */
export type HealthAnswer = z.infer<typeof HealthAnswer>;

/** `POST /v1/power` body. */
export const PowerRequest = z.strictObject({ state: z.enum(['sleep', 'wake']) });
/** `POST /v1/power` body. */
export type PowerRequest = z.infer<typeof PowerRequest>;

/** `POST /v1/power` answer: the state the node is in now. */
export const PowerAnswer = z.strictObject({ name: z.string(), power: PowerState });
/** `POST /v1/power` answer. */
export type PowerAnswer = z.infer<typeof PowerAnswer>;

