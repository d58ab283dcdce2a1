/**
 * @module tools/bench/scheduling/day-script — the scripted day of load the scheduling benchmark
 * plays on a 6-host test bed for every policy: a steady morning, a peak, a quiet night,
 * compressed into minutes. Pure data: which container starts and stops when, what it asks
 * for, and what CPU it really wants over the day (the load workload's PROFILE).
 */

/** One container of the script. */
export interface DayContainer {
  name: string;
  app: string;
  appType: string;
  /** What it asks the scheduler for. */
  cpuMillis: number;
  memoryMiB: number;
  /** Resident memory the workload holds, MiB. */
  memMiB: number;
  /** CPU it wants over its own life: seconds since its start → millicores. */
  profile: Array<[number, number]>;
  /** Seconds into the day it starts and stops (stop undefined: runs to the end). */
  start: number;
  stop?: number;
}

/** The script. */
export interface DayScript {
  /** Real seconds the compressed day lasts. */
  seconds: number;
  /** The phases, for the report: [name, start second]. */
  phases: Array<[string, number]>;
  containers: DayContainer[];
}

/** Hours of the day one real second stands for. */
export function hoursPerSecond(script: DayScript): number {
  return 24 / script.seconds;
}

/** The PROFILE variable of a container (load.c: "second:millis,..."). */
export function profileEnv(c: DayContainer): string {
  return `PROFILE=${c.profile.map(([s, m]) => `${s}:${m}`).join(',')}`;
}

/**
 * The default day: 6 hosts of 250 m CPU each (1.5 cores in all). Steady (8 h): four web
 * containers wanting 80 m and two batch jobs wanting 120 m; peak (8 h): web rises to 160 m
 * and four burst containers join; quiet (8 h): the batch and burst containers end and web
 * falls to 20 m.
 */
export function defaultDay(seconds = 300): DayScript {
  const third = Math.round(seconds / 3);
  const web = (i: number): DayContainer => ({
    name: `web-${i}`, app: 'web', appType: 'cpu-intensive', cpuMillis: 100, memoryMiB: 128, memMiB: 64,
    profile: [[0, 80], [third, 160], [2 * third, 20]], start: 0,
  });
  const batch = (i: number): DayContainer => ({
    name: `batch-${i}`, app: 'batch', appType: 'cpu-intensive', cpuMillis: 150, memoryMiB: 160, memMiB: 96,
    profile: [[0, 120]], start: 0, stop: 2 * third,
  });
  const burst = (i: number): DayContainer => ({
    name: `burst-${i}`, app: 'burst', appType: 'cpu-intensive', cpuMillis: 100, memoryMiB: 96, memMiB: 48,
    profile: [[0, 90]], start: third, stop: 2 * third,
  });
  return {
    seconds,
    phases: [['steady', 0], ['peak', third], ['quiet', 2 * third]],
    containers: [web(1), web(2), web(3), web(4), batch(1), batch(2), burst(1), burst(2), burst(3), burst(4)],
  };
}

/** The script's steps in time order: starts, then stops, at each second. */
export function steps(script: DayScript): Array<{ at: number; kind: 'start' | 'stop'; container: DayContainer }> {
  const out: Array<{ at: number; kind: 'start' | 'stop'; container: DayContainer }> = [];
  for (const c of script.containers) {
    out.push({ at: c.start, kind: 'start', container: c });
    if (c.stop !== undefined) out.push({ at: c.stop, kind: 'stop', container: c });
  }
  return out.sort((a, b) => a.at - b.at || (a.kind === b.kind ? a.container.name.localeCompare(b.container.name) : a.kind === 'stop' ? -1 : 1));
}
