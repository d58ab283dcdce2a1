/**
 * @module tools/sim/workloads/compute-jobs — the paper's first application: N instances of a compute
 * job that also writes its intermediate results to Ceph. Each asks for `request`, wants CPU
 * around `meanCpuMillis` with seeded noise per step (a JVM's CPU use is not flat), has
 * `cpuWork` to do and writes `writeMiB` while it works; its first replica M1 stays on its host,
 * the other copies cross the host's NIC.
 */
import type { Resources } from '../../../domain/scheduler/index.ts';
import { mulberry32 } from '../trace/random.ts';
import type { SimContainerSpec } from '../trace/types.ts';

/** Options of the compute jobs. */
export interface ComputeJobsOptions {
  count: number;
  app: string;
  appType: string;
  request: Resources;
  meanCpuMillis: number;
  /** Relative noise of the CPU demand per step, 0..1. */
  noise: number;
  stepS: number;
  /** Work at meanCpuMillis for this many seconds. */
  workS: number;
  writeMiB: number;
  remoteReplicas: number;
  dirtyRateMBps: number;
  /** Seconds between submissions (0: all at once). */
  everyS: number;
  seed: number;
}

/** The jobs. */
export function computeJobs(o: ComputeJobsOptions): SimContainerSpec[] {
  const random = mulberry32(o.seed);
  const steps = Math.ceil((o.workS * 3) / o.stepS); // enough for a job slowed to a third
  return Array.from({ length: o.count }, (_, i) => {
    const cpu = new Float32Array(steps);
    for (let s = 0; s < steps; s++) cpu[s] = Math.max(0, o.meanCpuMillis * (1 + o.noise * (2 * random() - 1)));
    return {
      name: `${o.app}-${i + 1}`, app: `${o.app}-${i + 1}`, appType: o.appType, request: o.request, startS: i * o.everyS, dirtyRateMBps: o.dirtyRateMBps,
      demand: { intervalS: o.stepS, cpuMillis: cpu },
      job: { cpuWork: o.meanCpuMillis * o.workS, writeMiB: o.writeMiB, remoteReplicas: o.remoteReplicas },
    };
  });
}
