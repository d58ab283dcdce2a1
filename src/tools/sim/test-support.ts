/**
 * @module tools/sim/test-support — small hand-checkable setups for the simulator's unit tests:
 * hosts with round numbers, constant or stepped demand, a fixed migration price.
 */
import { defaultConfig } from '../../core/config.ts';
import type { Policy, SchedulerParams } from '../../domain/scheduler/index.ts';
import type { SimHostSpec } from './sim-host.ts';
import type { SimSetup } from './simulation.ts';
import type { JobSpec, SimContainerSpec } from './trace/types.ts';

/** Scheduler parameters with the tests' changes. */
export function simParams(over: Partial<SchedulerParams> = {}): SchedulerParams {
  return { ...defaultConfig().scheduler, sampleEveryMs: 60_000, samples: 1, ...over };
}

/** A host: 1000 millis, 1000 MiB, 1000 Mbit/s; 100 W idle, 200 W peak, 10 W asleep, 60 s to wake. */
export function simHost(name: string, o: Partial<SimHostSpec> = {}): SimHostSpec {
  return {
    name, zone: 'a', rack: 'r1', initially: 'awake',
    capacity: { cpuMillis: 1000, memoryMiB: 1000, networkMbps: 1000 },
    power: { idleW: 100, peakW: 200, sleepW: 10, wakeS: 60 },
    ...o,
  };
}

/** A container demanding `cpu` millis per step (one value per 60 s step; the last holds). */
export function simContainer(name: string, cpu: number[], o: Partial<SimContainerSpec> & { job?: JobSpec } = {}): SimContainerSpec {
  return {
    name, app: name, appType: 'balanced', startS: 0, dirtyRateMBps: 0,
    request: { cpuMillis: cpu[0] ?? 0, memoryMiB: 100, networkMbps: 0 },
    demand: { intervalS: 60, cpuMillis: Float32Array.from(cpu) },
    ...o,
  };
}

/** A whole setup: one hour, 60 s ticks and demand steps, 10 % slowdown, migrations 100 s with 10 s frozen. */
export function simSetup(policy: Policy, hosts: SimHostSpec[], workload: SimContainerSpec[], o: Partial<SimSetup> = {}): SimSetup {
  return {
    hosts, workload, policy, params: simParams(), tickMs: 60_000, durationMs: 3_600_000, demandStepMs: 60_000, slowdown: 0.1,
    price: () => ({ totalMs: 100_000, downtimeMs: 10_000 }),
    ...o,
  };
}
