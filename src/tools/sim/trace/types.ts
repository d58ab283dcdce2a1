/**
 * @module tools/sim/trace/types — what every trace reader and generator produces: the containers of
 * a simulated workload, each with what it asks for at placement and its demand over time.
 * Units are the scheduler's (`Resources`): CPU in "millis" — for PlanetLab scenarios the unit
 * is a MIPS, since only ratios to capacity matter — memory in MiB, network in Mbit/s.
 */
import type { Resources } from '../../../domain/scheduler/index.ts';

/**
 * Demand sampled at a fixed interval: sample i holds for [i·intervalS, (i+1)·intervalS)
 * seconds after the container's start; past the last sample the last value holds.
 */
export interface DemandSeries {
  intervalS: number;
  /** CPU demand, absolute (same unit as the host's cpuMillis capacity). */
  cpuMillis: Float32Array;
  /** Resident memory, MiB; absent: the request's memory throughout. */
  memoryMiB?: Float32Array;
  /** Network, Mbit/s; absent: the request's network throughout. */
  networkMbps?: Float32Array;
}

/** A job: work to finish, after which the container ends (its completion time is reported). */
export interface JobSpec {
  /** CPU work, in cpuMillis × seconds (2000 millis for 60 s = 120,000). */
  cpuWork: number;
  /** Data it writes while it computes, MiB, spread evenly over its work (network-bound when the NIC is full). */
  writeMiB: number;
  /** Copies of the written data that leave the host (replicas beyond M1, which stays local). */
  remoteReplicas: number;
}

/** One container of a simulated workload. */
export interface SimContainerSpec {
  name: string;
  app: string;
  appType: string;
  /** What it asks for at placement. */
  request: Resources;
  /** Seconds after the simulation's start when it is submitted. */
  startS: number;
  /** Seconds after the simulation's start when it is removed (absent: runs to the end, or until its job is done). */
  endS?: number;
  /** Its demand over time, relative to its start. */
  demand: DemandSeries;
  /** Pages it rewrites, MB/s: prices its live migration. */
  dirtyRateMBps: number;
  /** Memory a live migration must copy, MiB (absent: its memory demand at the time). */
  footprintMiB?: number;
  /** Present for jobs: the container ends when the work is done. */
  job?: JobSpec;
}

/** The sample of a series in force `secondsSinceStart` after the container's start. */
export function sampleIndex(series: DemandSeries, secondsSinceStart: number): number {
  const i = Math.floor(secondsSinceStart / series.intervalS);
  return Math.max(0, Math.min(series.cpuMillis.length - 1, i));
}

/** The demand in force at a time since the container's start, with the request filling in absent series. */
export function demandAt(spec: Pick<SimContainerSpec, 'demand' | 'request'>, secondsSinceStart: number): Resources {
  const d = spec.demand;
  const i = sampleIndex(d, secondsSinceStart);
  return {
    cpuMillis: d.cpuMillis[i] ?? 0,
    memoryMiB: d.memoryMiB ? (d.memoryMiB[Math.min(i, d.memoryMiB.length - 1)] ?? 0) : spec.request.memoryMiB,
    networkMbps: d.networkMbps ? (d.networkMbps[Math.min(i, d.networkMbps.length - 1)] ?? 0) : spec.request.networkMbps,
  };
}
