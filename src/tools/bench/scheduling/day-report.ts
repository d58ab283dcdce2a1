/**
 * @module tools/bench/scheduling/day-report — what one policy's day measured, and the comparison:
 * node-hours awake (awake hosts integrated over the day, in the script's hours), migrations,
 * and SLA seconds (container-seconds that got less than 90 % of the CPU they wanted, as the
 * workloads themselves measured). Pure.
 */
import { hoursPerSecond, type DayScript } from './day-script.ts';

/** One observation of the cluster during a run. */
export interface AwakeSample {
  /** Real seconds since the day began. */
  t: number;
  /** Hosts not asleep (active, draining, waking). */
  awake: number;
}

/** What one policy's run measured. */
export interface PolicyDay {
  policy: string;
  nodeHoursAwake: number;
  /** Mean hosts awake over the day. */
  meanAwake: number;
  migrations: number;
  /** Migrations that rolled back or failed (the container stayed where it was). */
  failedMigrations: number;
  slaSeconds: number;
  /** Real seconds of the shortfall per container, for the curious. */
  slaByContainer: Record<string, number>;
  /** Placements the scheduler refused (FERRY_ERR_UNSCHEDULABLE). */
  unschedulable: number;
  timeline: AwakeSample[];
}

/** Integrates awake hosts over the day into node-hours of the script's 24-hour day (step function, each sample holds until the next). */
export function nodeHoursAwake(samples: readonly AwakeSample[], script: DayScript): number {
  let hostSeconds = 0;
  for (let i = 0; i < samples.length; i++) {
    const s = samples[i] as AwakeSample;
    const end = i + 1 < samples.length ? (samples[i + 1] as AwakeSample).t : script.seconds;
    hostSeconds += s.awake * Math.max(0, Math.min(end, script.seconds) - s.t);
  }
  return hostSeconds * hoursPerSecond(script);
}

/** Mean awake hosts over the day. */
export function meanAwake(samples: readonly AwakeSample[], script: DayScript): number {
  return nodeHoursAwake(samples, script) / 24;
}

/** The markdown table of a comparison, with ratios against spread. */
export function dayTable(days: readonly PolicyDay[]): string {
  const spread = days.find((d) => d.policy === 'spread');
  const ratio = (v: number, base: number | undefined): string => (base ? (v / base).toFixed(2) : '-');
  const lines = [
    '| policy | node-hours awake | vs spread | mean hosts awake | migrations (failed) | SLA seconds | unschedulable |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const d of days) {
    lines.push(`| ${d.policy} | ${d.nodeHoursAwake.toFixed(1)} | ${ratio(d.nodeHoursAwake, spread?.nodeHoursAwake)} | ${d.meanAwake.toFixed(2)} | ${d.migrations} (${d.failedMigrations}) | ${d.slaSeconds} | ${d.unschedulable} |`);
  }
  return lines.join('\n');
}
