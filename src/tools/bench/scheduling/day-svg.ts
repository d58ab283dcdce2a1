/** @module tools/bench/scheduling/day-svg — the scheduling day's chart: hosts awake over the day, one line per policy, the phases shaded. Pure. */
import { policyLine, stepLinePlot, valueTicks } from '../../report-kit/line-chart.ts';
import { niceTicks, svgDocument, text } from '../../report-kit/svg-kit.ts';
import type { DayScript } from './day-script.ts';
import type { AwakeSample } from './day-report.ts';

/** The SVG of hosts awake over time for each policy. */
export function awakeChart(script: DayScript, lines: Readonly<Record<string, readonly AwakeSample[]>>, hosts: number): string {
  const area = { left: 50, top: 40, width: 560, height: 270 };
  const seconds = script.seconds;
  const body = [
    text(area.left, 22, `Hosts awake over a scripted day (${seconds} s stand for 24 h)`, { 'font-size': 14, 'font-weight': 600 }),
    ...stepLinePlot(area, {
      xMax: seconds,
      yMax: hosts,
      xTicks: [0, 6, 12, 18, 24].map((hr) => ({ at: (hr / 24) * seconds, label: String(hr) })),
      yTicks: valueTicks(niceTicks(hosts, hosts), hosts),
      xLabel: 'hour of the day',
      bands: script.phases.map(([name, at], i) => ({ from: at, to: script.phases[i + 1]?.[1] ?? seconds, label: name })),
      lines: Object.entries(lines).map(([policy, samples]) => policyLine(policy, samples.map((s) => [s.t, s.awake] as const))),
    }),
  ];
  return svgDocument(760, 360, 'Hosts awake over a scripted day, per scheduling policy', body);
}
