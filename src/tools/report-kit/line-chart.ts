/**
 * @module tools/report-kit/line-chart — pure: a plot of step lines (each value holds until the next point,
 * as samples taken every tick do), with a grid, labelled ticks, optional shaded spans of x and a
 * legend right of the plot. The scheduling day's awake hosts and the simulator's active hosts and
 * migrations over time are drawn with it.
 */
import { element, MUTED_INK, policyColour, px, text } from './svg-kit.ts';

/** One step line: its legend label, colour, stroke width and (x, y) points in data units, x ascending. */
export interface StepLine {
  label: string;
  colour: string;
  width: number;
  points: ReadonlyArray<readonly [number, number]>;
}

/** A tick on an axis: where it stands, in data units, and what it says. */
export interface AxisTick {
  at: number;
  label: string;
}

/** A shaded span of x with its name (a phase of the day). */
export interface XBand {
  from: number;
  to: number;
  label: string;
}

/** Where the plot is drawn inside its document, px; the legend goes right of it (about 130 px). */
export interface PlotArea {
  left: number;
  top: number;
  width: number;
  height: number;
}

/** What to plot: both axes run from 0 to their max, in data units. */
export interface StepPlot {
  xMax: number;
  yMax: number;
  xTicks: readonly AxisTick[];
  yTicks: readonly AxisTick[];
  xLabel: string;
  yLabel?: string;
  bands?: readonly XBand[];
  lines: readonly StepLine[];
}

/** A policy's line in the policy's colour; elastic is drawn thicker. */
export function policyLine(policy: string, points: StepLine['points']): StepLine {
  return { label: policy, colour: policyColour(policy), width: policy === 'elastic' ? 3 : 2, points };
}

/** Ticks at round values from 0 to `max`, each labelled with its value. */
export function valueTicks(values: readonly number[], max: number, label: (v: number) => string = String): AxisTick[] {
  return values.filter((v) => v <= max + 1e-9).map((v) => ({ at: v, label: label(v) }));
}

/** The plot's SVG elements: shaded bands, grid and tick labels, axis labels, the lines, the legend. */
export function stepLinePlot(area: PlotArea, plot: StepPlot): string[] {
  const { left, top, width, height } = area;
  const bottom = top + height;
  const x = (v: number): number => left + (v / (plot.xMax || 1)) * width;
  const y = (v: number): number => bottom - (v / (plot.yMax || 1)) * height;
  const svg: string[] = [];
  (plot.bands ?? []).forEach((b, i) => {
    svg.push(element('rect', { x: x(b.from), y: top, width: x(b.to) - x(b.from), height, fill: i % 2 ? '#f4f4f4' : '#fafafa' }));
    svg.push(text(x(b.from) + 4, top + 14, b.label, { fill: MUTED_INK }));
  });
  for (const t of plot.yTicks) {
    svg.push(element('line', { x1: left, x2: left + width, y1: y(t.at), y2: y(t.at), stroke: '#dddddd' }));
    svg.push(text(left - 8, y(t.at) + 4, t.label, { 'text-anchor': 'end' }));
  }
  for (const t of plot.xTicks) svg.push(text(x(t.at), bottom + 16, t.label, { 'text-anchor': 'middle' }));
  svg.push(text(left + width / 2, bottom + 38, plot.xLabel, { 'text-anchor': 'middle' }));
  if (plot.yLabel) svg.push(text(0, 0, plot.yLabel, { 'text-anchor': 'middle', transform: `translate(${px(left - 36)} ${px(top + height / 2)}) rotate(-90)` }));
  let legendY = top + 10;
  for (const line of plot.lines) {
    svg.push(element('polyline', { points: stepPoints(line.points, plot.xMax, x, y), fill: 'none', stroke: line.colour, 'stroke-width': line.width }));
    svg.push(element('line', { x1: left + width + 16, x2: left + width + 40, y1: legendY, y2: legendY, stroke: line.colour, 'stroke-width': 3 }));
    svg.push(text(left + width + 46, legendY + 4, line.label));
    legendY += 20;
  }
  return svg;
}

/** The polyline of a step function up to xMax; runs of equal values become one segment, which keeps long timelines small. */
function stepPoints(points: StepLine['points'], xMax: number, x: (v: number) => number, y: (v: number) => number): string {
  const out: string[] = [];
  let held: number | undefined;
  for (const [px0, v] of points) {
    if (px0 > xMax) break;
    if (v === held) continue;
    if (held !== undefined) out.push(`${px(x(px0))},${px(y(held))}`);
    out.push(`${px(x(px0))},${px(y(v))}`);
    held = v;
  }
  if (held !== undefined) out.push(`${px(x(xMax))},${px(y(held))}`);
  return out.join(' ');
}
