/**
 * @module tools/sim/scale-bench — how the shipped scheduler scales: one simulated day of a large
 * scenario (10,000 hosts, 100,000 containers), timed as a whole (wall and CPU seconds), with
 * every arriving container's `schedule()` call and every tick's view + rebalancer timed
 * separately; percentiles reported against the targets (day < 5 min, p99 < 2 ms).
 */
import { cpus } from 'node:os';
import { performance } from 'node:perf_hooks';
import { policyByName } from '../../domain/scheduler/index.ts';
import type { Scenario } from './scenario.ts';
import type { SimMetrics } from './sim-accounts.ts';
import { simulate } from './simulation.ts';
import { prepareScenario } from './workload.ts';

/** Percentiles of a list of milliseconds. */
export interface Percentiles {
  count: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
}

/** Percentiles by nearest rank. */
export function percentiles(values: readonly number[]): Percentiles {
  const v = Float64Array.from(values).sort();
  const at = (q: number): number => (v.length ? v[Math.min(v.length - 1, Math.max(0, Math.ceil(q * v.length) - 1))]! : 0);
  const r = (x: number): number => Math.round(x * 1000) / 1000;
  return { count: v.length, p50: r(at(0.5)), p90: r(at(0.9)), p99: r(at(0.99)), max: r(at(1)), mean: r(v.length ? v.reduce((a, b) => a + b, 0) / v.length : 0) };
}

/** The scale benchmark's result. */
export interface ScaleResult {
  kind: 'ferry-sim-scale';
  scenario: string;
  startedAt: string;
  machine: { node: string; cpuModel: string; cpus: number; cpuAffinity: string };
  hosts: number;
  containers: number;
  policy: string;
  simulatedHours: number;
  /** Wall seconds of the whole run: reading the trace, building the workload, simulating. */
  wallS: number;
  /** Wall seconds of simulate() alone. */
  simulateS: number;
  /** CPU seconds (user + system) of the process during simulate(). */
  cpuS: number;
  placementMs: Percentiles;
  tickMs: Percentiles;
  targets: Array<{ name: string; target: string; actual: number; met: boolean }>;
  metrics: SimMetrics;
}

/** Runs the scenario's first policy once, timed. */
export async function runScaleBench(s: Scenario, cpuAffinity: string): Promise<ScaleResult> {
  const startedAt = new Date().toISOString();
  const t0 = performance.now();
  const { hosts, containers, intervalS, params, price } = await prepareScenario(s);
  const policy = policyByName(s.policies[0]!);
  const cpu0 = process.cpuUsage();
  const t1 = performance.now();
  const r = simulate({
    hosts, workload: containers, policy, params, tickMs: s.tickS * 1000, durationMs: s.durationS * 1000,
    demandStepMs: (s.demandStepS ?? intervalS) * 1000, slowdown: s.slowdown, timePlacements: true,
    price,
  });
  const simulateS = (performance.now() - t1) / 1000;
  const used = process.cpuUsage(cpu0);
  const wallS = (performance.now() - t0) / 1000;
  const placementMs = percentiles(r.placementMs ?? []);
  const r3 = (x: number): number => Math.round(x * 1000) / 1000;
  return {
    kind: 'ferry-sim-scale', scenario: s.name, startedAt,
    machine: { node: process.version, cpuModel: cpus()[0]?.model ?? 'unknown', cpus: cpus().length, cpuAffinity },
    hosts: hosts.length, containers: containers.length, policy: policy.name, simulatedHours: s.durationS / 3600,
    wallS: r3(wallS), simulateS: r3(simulateS), cpuS: r3((used.user + used.system) / 1e6),
    placementMs, tickMs: percentiles(r.tickWallMs ?? []),
    targets: [
      { name: 'simulated day', target: '< 300 s wall on one core', actual: r3(wallS), met: wallS < 300 },
      { name: 'placement p99', target: '< 2 ms', actual: placementMs.p99, met: placementMs.p99 < 2 },
    ],
    metrics: r.metrics,
  };
}
