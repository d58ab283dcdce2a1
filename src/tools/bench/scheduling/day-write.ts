/**
 * @module tools/bench/scheduling/day-write — writes the scheduling day's results: the JSON the
 * issue asks for (per policy nodeHoursAwake, migrations, slaSeconds, with the rest of what
 * was measured), a markdown table with ratios against spread, and the chart (SVG, PNG when
 * rsvg-convert is there).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { rsvgConvert } from '../../report-kit/svg-to-png.ts';
import { dayTable, type PolicyDay } from './day-report.ts';
import { awakeChart } from './day-svg.ts';
import type { DayResults } from './day-bench.ts';

/** Writes the files; returns their paths. */
export async function writeDayResults(dir: string, r: DayResults): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const days: PolicyDay[] = Object.entries(r.policies).map(([policy, d]) => ({ policy, ...d }));
  const json = path.join(dir, 'scheduling-day.json');
  await writeFile(json, `${JSON.stringify(r, null, 2)}\n`);
  const md = path.join(dir, 'scheduling-day.md');
  const phases = r.script.phases.map(([n, at]) => `${n} from ${at} s`).join(', ');
  await writeFile(md, [
    '# Scheduling day: elastic vs spread, binpack, kube',
    '',
    `Run ${r.startedAt}. ${r.testbed.hosts} hosts × ${r.testbed.hostCpus} CPU (cgroup-capped), ${r.testbed.hostMemoryMiB} MiB declared each; a ${r.script.seconds} s day standing for 24 h (${phases}); ${r.script.containers.length} containers of the load workload.`,
    'Node-hours awake integrate hosts not asleep over the day; SLA seconds are container-seconds that got less than 90 % of the CPU they wanted, from the workloads\' own logs.',
    '',
    dayTable(days),
    '',
    'Scheduler settings: ' + Object.entries(r.scheduler).map(([k, v]) => `${k}=${v}`).join(', '),
    '',
  ].join('\n'));
  const svg = path.join(dir, 'scheduling-day-awake.svg');
  await writeFile(svg, awakeChart(r.script, Object.fromEntries(days.map((d) => [d.policy, d.timeline])), r.testbed.hosts));
  const written = [json, md, svg];
  const png = svg.replace(/\.svg$/, '.png');
  if (await rsvgConvert(svg, png)) written.push(png);
  return written;
}
