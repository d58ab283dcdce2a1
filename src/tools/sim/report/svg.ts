/**
 * @module tools/sim/report/svg — pure: the simulator report's three charts as self-contained SVG:
 * active hosts over time per policy, energy per policy, and migrations per policy with their
 * running total over time. Each policy keeps its colour in every chart.
 */
import { policyLine, stepLinePlot, valueTicks, type AxisTick, type PlotArea } from '../../report-kit/line-chart.ts';
import { element, MUTED_INK, niceTicks, policyColour, svgDocument, text, textWidth, tickLabel } from '../../report-kit/svg-kit.ts';
import type { TimelinePoint } from '../sim-accounts.ts';
import { fixed, hoursOf, setupLine } from './format.ts';
import type { PolicyRun, SimReport } from './types.ts';

/** The width of every chart, px. */
const WIDTH = 760;
const ROW = 28;
const LABEL_RIGHT = 130;
const BAR_ROOM = 110;

/** One chart of the report: the file-name suffix it is written under and how it is drawn. */
export interface SimChart {
  name: string;
  render: (report: SimReport) => string;
}

/** Active hosts over time: one step line per policy, hours along the bottom. */
export function activeHostsChart(report: SimReport): string {
  const head = header(report, `Active hosts over time: ${report.scenario}`);
  const area = { left: 60, top: head.height + 10, width: 540, height: 250 };
  const body = [...head.svg, ...timePlot(report, area, 'active hosts', (p) => p.active)];
  return svgDocument(WIDTH, area.top + area.height + 50, `Active hosts over time per policy, scenario ${report.scenario}`, body);
}

/** Energy per policy, kWh: one bar each with its value. */
export function energyChart(report: SimReport): string {
  const head = header(report, `Energy per policy, kWh: ${report.scenario}`);
  const energy = report.runs.map((r) => r.metrics.energyKWh);
  const bars = barPanel(report.runs, head.height + 10, energy, niceTicks(Math.max(0, ...energy), 4), (v) => `${fixed(v, 2)} kWh`);
  return svgDocument(WIDTH, head.height + 10 + bars.height + 10, `Energy in kWh per policy, scenario ${report.scenario}`, [...head.svg, ...bars.svg]);
}

/** Migrations per policy as bars, and below them the migrations so far over time, one line per policy. */
export function migrationsChart(report: SimReport): string {
  const head = header(report, `Migrations per policy: ${report.scenario}`);
  const migrations = report.runs.map((r) => r.metrics.migrations);
  const bars = barPanel(report.runs, head.height + 10, migrations, countTicks(Math.max(0, ...migrations)), String);
  const linesTop = head.height + 10 + bars.height + 20;
  const area = { left: 60, top: linesTop + 30, width: 540, height: 200 };
  const body = [
    ...head.svg,
    ...bars.svg,
    text(16, linesTop + 10, 'Migrations so far over time', { 'font-size': 13, 'font-weight': 600 }),
    ...timePlot(report, area, 'migrations', (p) => p.migrations),
  ];
  return svgDocument(WIDTH, area.top + area.height + 50, `Migrations per policy and over time, scenario ${report.scenario}`, body);
}

/** The charts the report writes, in order. */
export const SIM_CHARTS: readonly SimChart[] = [
  { name: 'active-hosts', render: activeHostsChart },
  { name: 'energy', render: energyChart },
  { name: 'migrations', render: migrationsChart },
];

/** The title and the setup, wrapped to the width; returns the height used. */
function header(report: SimReport, title: string): { svg: string[]; height: number } {
  const lines: string[] = [];
  for (const part of setupLine(report).split(', ')) {
    const last = lines.at(-1);
    if (last !== undefined && textWidth(`${last}, ${part}`, 11) <= WIDTH - 32) lines[lines.length - 1] = `${last}, ${part}`;
    else lines.push(part);
  }
  const svg = [text(16, 22, title, { 'font-size': 15, 'font-weight': 600 }), ...lines.map((l, i) => text(16, 40 + i * 15, l, { 'font-size': 11, fill: MUTED_INK }))];
  return { svg, height: 40 + Math.max(1, lines.length) * 15 };
}

/** Round ticks for a count: whole steps (never 0.5 of a migration). */
function countTicks(max: number): number[] {
  return niceTicks(max, Math.max(1, Math.min(5, Math.ceil(max))));
}

/** A step plot of one timeline field per policy against hours. */
function timePlot(report: SimReport, area: PlotArea, yLabel: string, field: (p: TimelinePoint) => number): string[] {
  const hours = Math.max(0, ...report.runs.map(hoursOf));
  const top = Math.max(0, ...report.runs.flatMap((r) => r.timeline.map(field)));
  const yTicks = countTicks(top);
  return stepLinePlot(area, {
    xMax: hours || 1,
    yMax: yTicks.at(-1) ?? 1,
    xTicks: hourTicks(hours || 1),
    yTicks: valueTicks(yTicks, Infinity, (v) => tickLabel(v, yTicks)),
    xLabel: 'hours',
    yLabel,
    lines: report.runs.map((r) => policyLine(r.policy, r.timeline.map((p) => [p.t / 3600, field(p)] as const))),
  });
}

/** Ticks along hours at a step a reader counts in (quarter hours up to weeks), at most about eight. */
export function hourTicks(hours: number): AxisTick[] {
  const step = [0.25, 0.5, 1, 2, 3, 6, 12, 24, 48, 96, 168, 336].find((s) => hours / s <= 8) ?? Math.ceil(hours / 8);
  const ticks: AxisTick[] = [];
  for (let i = 0; i * step <= hours + 1e-9; i++) ticks.push({ at: i * step, label: String(Number((i * step).toFixed(2))) });
  return ticks;
}

/** Horizontal bars, one per run in its policy's colour, the value printed after each; returns the height used. */
function barPanel(runs: readonly PolicyRun[], top: number, values: readonly number[], ticks: readonly number[], format: (v: number) => string): { svg: string[]; height: number } {
  const width = WIDTH - LABEL_RIGHT - 10 - BAR_ROOM;
  const x0 = LABEL_RIGHT + 10;
  const scale = width / (ticks.at(-1) ?? 1);
  const bottom = top + runs.length * ROW;
  const svg: string[] = [];
  for (const t of ticks) {
    svg.push(element('line', { x1: x0 + t * scale, y1: top, x2: x0 + t * scale, y2: bottom, stroke: '#e3e3e3' }));
    svg.push(text(x0 + t * scale, bottom + 14, tickLabel(t, ticks), { 'font-size': 10, 'text-anchor': 'middle', fill: MUTED_INK }));
  }
  runs.forEach((r, i) => {
    const v = values[i] ?? 0;
    const w = Math.max(1, v * scale);
    const mid = top + i * ROW + ROW / 2 + 4;
    svg.push(text(LABEL_RIGHT, mid, r.policy, { 'text-anchor': 'end' }));
    svg.push(element('rect', { x: x0, y: top + i * ROW + 5, width: w, height: ROW - 10, fill: policyColour(r.policy) }));
    svg.push(text(x0 + w + 5, mid, format(v), { 'font-size': 11 }));
  });
  svg.push(element('line', { x1: x0, y1: top, x2: x0, y2: bottom, stroke: '#444444' }));
  return { svg, height: runs.length * ROW + 24 };
}
