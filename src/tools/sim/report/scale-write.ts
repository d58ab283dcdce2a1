/**
 * @module tools/sim/report/scale-write — writes the scale benchmark's result: `sim-scale.json` and a
 * short `sim-scale.md` with the targets, the percentiles and the day's metrics.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Percentiles, ScaleResult } from '../scale-bench.ts';

/** The markdown of a scale result. */
export function scaleMarkdown(r: ScaleResult): string {
  const p = (name: string, x: Percentiles): string => `| ${name} | ${x.count} | ${x.p50} | ${x.p90} | ${x.p99} | ${x.max} | ${x.mean} |`;
  return [
    `# ferry sim scale: ${r.scenario}`,
    '',
    `${r.hosts} hosts, ${r.containers} containers, ${r.simulatedHours} simulated hours under ${r.policy}; ${r.machine.cpuModel}, node ${r.machine.node}, pinned: ${r.machine.cpuAffinity}. Run ${r.startedAt}.`,
    '',
    '| target | goal | measured | met |',
    '| --- | --- | ---: | :---: |',
    ...r.targets.map((t) => `| ${t.name} | ${t.target} | ${t.actual} | ${t.met ? '✓' : '✗'} |`),
    '',
    `Wall ${r.wallS} s in all (reading the trace and building ${r.containers} containers included); simulate() ${r.simulateS} s wall, ${r.cpuS} s CPU.`,
    '',
    '| timed call (ms) | count | p50 | p90 | p99 | max | mean |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
    p('schedule() per arriving container', r.placementMs),
    p('tick: view + rebalancer', r.tickMs),
    '',
    `The day: ${r.metrics.meanActiveHosts} active hosts on average, ${r.metrics.energyKWh} kWh, ${r.metrics.migrations} migrations, SLATAH ${r.metrics.slatahPercent} %, PDM ${r.metrics.pdmPercent} %.`,
    '',
  ].join('\n');
}

/** Writes sim-scale.json and sim-scale.md into dir; returns their paths. */
export async function writeScaleResult(dir: string, r: ScaleResult, baseName = 'sim-scale'): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const json = path.join(dir, `${baseName}.json`);
  const md = path.join(dir, `${baseName}.md`);
  await writeFile(json, `${JSON.stringify(r, null, 2)}\n`);
  await writeFile(md, scaleMarkdown(r));
  return [json, md];
}
