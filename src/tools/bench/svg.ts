/**
 * @module tools/bench/svg — pure: the benchmark's two charts as self-contained SVG, 900 px wide:
 * bars of downtime, total time and wire bytes per strategy for each case (a TLS-off twin as a
 * paler bar under its row, with precopy's TLS ÷ TLS-off ratios under the case's title), and the
 * wire bytes of each pre-copy round with and without deferral (TLS rows). A failed row is drawn
 * as a hatched bar labelled "failed", never left out.
 */
import { benchCases, caseLabel, linksOf, rowLabel, rowsOfCase } from './cases.ts';
import { tlsCost, TLS_HEADLINE_STRATEGY } from './tls-cost.ts';
import { mebibytes, ratio, seconds } from '../report-kit/format.ts';
import type { BenchCase, BenchResults, BenchRow, BenchStrategy } from './results.ts';
import { element, FAILED_FILL, FAILED_INK, legend, type LegendItem, MUTED_INK, niceTicks, svgDocument, swatch, text, textWidth, tickLabel } from '../report-kit/svg-kit.ts';

/** Each strategy's colour, the same in every chart (Okabe–Ito, readable by colour-blind eyes). */
export const STRATEGY_COLOURS: Readonly<Record<BenchStrategy, string>> = {
  'baseline-stopcopy': '#7f7f7f',
  podman: '#e69f00',
  'stop-copy': '#56b4e9',
  'precopy-nodefer': '#009e73',
  precopy: '#0072b2',
  'prestore-nothreshold': '#f0e442',
  prestore: '#d55e00',
  postcopy: '#882255',
  bound: '#cc79a7',
};

/** The width every chart is drawn for, px. */
export const CHART_WIDTH = 900;

/** One panel of the bar chart: what it measures, from which field, in which unit. */
interface BarMeasure {
  title: string;
  value: (r: BenchRow) => number | undefined;
  format: (r: BenchRow) => string;
}

const BAR_MEASURES: readonly BarMeasure[] = [
  { title: 'Downtime (probe), s', value: (r) => ms(r.downtimeMs), format: (r) => seconds(r.downtimeMs) },
  { title: 'Total time, s', value: (r) => ms(r.totalMs), format: (r) => seconds(r.totalMs) },
  { title: 'Bytes on the wire, MiB', value: (r) => (r.wireBytes === undefined ? undefined : r.wireBytes / 2 ** 20), format: (r) => mebibytes(r.wireBytes) },
];

const LABEL_COLUMN = 140;
/** How much of its strategy's colour a TLS-off twin's bar keeps. */
const TLS_OFF_OPACITY = 0.5;
const PANEL_GAP = 22;
const VALUE_ROOM = 42;
const ROW_HEIGHT = 24;

/** Bars of downtime, total time and wire bytes per strategy: one block of three panels per case. */
export function renderBarsSvg(results: BenchResults): string {
  const { svg: head, height: headHeight } = header(results, 'ferry bench migrate: downtime, total time and bytes per strategy', strategyLegend(results.rows));
  const body = [...head];
  let y = headHeight;
  const labelColumn = Math.max(LABEL_COLUMN, ...results.rows.map((r) => Math.ceil(textWidth(barLabel(r)) + 20)));
  for (const c of benchCases(results.rows)) {
    const block = barBlock(rowsOfCase(results.rows, c), c, y, labelColumn);
    body.push(...block.svg);
    y += block.height;
  }
  return svgDocument(CHART_WIDTH, y + 10, 'ferry bench migrate: downtime, total time and bytes on the wire per strategy', body);
}

function barBlock(rows: readonly BenchRow[], c: BenchCase, top: number, labelColumn: number): { svg: string[]; height: number } {
  const svg = [text(16, top + 18, caseLabel(c), { 'font-size': 14, 'font-weight': 'bold' })];
  const cost = tlsCost(rows, c, TLS_HEADLINE_STRATEGY);
  const shift = cost ? 16 : 0;
  if (cost) svg.push(text(16, top + 34, `${TLS_HEADLINE_STRATEGY}, TLS ÷ TLS off: total ${ratio(cost.totalRatio)}, frozen ${ratio(cost.frozenRatio)}, downtime ${ratio(cost.downtimeRatio)}, data link ${ratio(cost.linkRatio)}`, { 'font-size': 11, fill: MUTED_INK }));
  const rowsTop = top + 50 + shift;
  rows.forEach((r, i) => {
    svg.push(text(labelColumn - 10, rowsTop + i * ROW_HEIGHT + ROW_HEIGHT / 2 + 4, barLabel(r), { 'text-anchor': 'end', fill: r.ok ? '#222222' : FAILED_INK }));
  });
  const panelWidth = (CHART_WIDTH - labelColumn - 10 - 2 * PANEL_GAP) / 3;
  BAR_MEASURES.forEach((m, i) => svg.push(...barPanel(rows, m, labelColumn + i * (panelWidth + PANEL_GAP), top + 40 + shift, panelWidth - VALUE_ROOM)));
  return { svg, height: 50 + shift + rows.length * ROW_HEIGHT + 40 };
}

function barLabel(r: BenchRow): string {
  return r.ok ? rowLabel(r) : `${rowLabel(r)} (failed)`;
}

function barPanel(rows: readonly BenchRow[], m: BarMeasure, x0: number, titleY: number, width: number): string[] {
  const rowsTop = titleY + 10;
  const bottom = rowsTop + rows.length * ROW_HEIGHT;
  const ticks = niceTicks(Math.max(0, ...rows.filter((r) => r.ok).map((r) => m.value(r) ?? 0)), 4);
  const scale = width / (ticks.at(-1) ?? 1);
  const svg = [text(x0, titleY, m.title, { 'font-weight': 'bold' })];
  for (const t of ticks) {
    const x = x0 + t * scale;
    svg.push(element('line', { x1: x, y1: rowsTop, x2: x, y2: bottom, stroke: '#e3e3e3' }), text(x, bottom + 14, tickLabel(t, ticks), { 'font-size': 10, 'text-anchor': 'middle', fill: MUTED_INK }));
  }
  rows.forEach((r, i) => svg.push(...bar(r, m, x0, rowsTop + i * ROW_HEIGHT, scale)));
  svg.push(element('line', { x1: x0, y1: rowsTop, x2: x0, y2: bottom, stroke: '#444444' }));
  return svg;
}

function bar(r: BenchRow, m: BarMeasure, x0: number, rowTop: number, scale: number): string[] {
  const y = rowTop + 4;
  const h = ROW_HEIGHT - 8;
  const labelY = rowTop + ROW_HEIGHT / 2 + 4;
  if (!r.ok) {
    return [element('rect', { x: x0, y, width: 28, height: h, fill: FAILED_FILL, stroke: FAILED_INK }), text(x0 + 33, labelY, 'failed', { 'font-size': 10, fill: FAILED_INK })];
  }
  const v = m.value(r);
  if (v === undefined || !Number.isFinite(v)) return [text(x0 + 5, labelY, 'n/a', { 'font-size': 10, fill: MUTED_INK })];
  const w = Math.max(1, v * scale);
  const twin: Record<string, number> = linksOf(r) === 'plain' ? { 'fill-opacity': TLS_OFF_OPACITY } : {};
  return [element('rect', { x: x0, y, width: w, height: h, fill: STRATEGY_COLOURS[r.strategy], ...twin }), text(x0 + w + 4, labelY, m.format(r), { 'font-size': 10 })];
}

const ROUND_STRATEGIES: readonly BenchStrategy[] = ['precopy-nodefer', 'precopy'];
const DASH: Partial<Record<BenchStrategy, string>> = { 'precopy-nodefer': '6 4' };

/** Wire bytes per pre-copy round, precopy against precopy-nodefer, one panel per case. */
export function renderRoundsSvg(results: BenchResults): string {
  const precopyRows = results.rows.filter((r) => ROUND_STRATEGIES.includes(r.strategy) && linksOf(r) === 'tls');
  const items: LegendItem[] = ROUND_STRATEGIES.map((s) => ({ label: s === 'precopy' ? 'precopy (with deferral)' : 'precopy-nodefer (no deferral)', mark: lineMark(s) }));
  if (precopyRows.some((r) => !r.ok)) items.push({ label: 'failed run (faded line, red marks)', mark: (x, y) => pointMark('precopy', x + 10, y, FAILED_INK) });
  const { svg: head, height: headHeight } = header(results, 'ferry bench migrate: bytes on the wire per pre-copy round', items);
  const cases = benchCases(precopyRows);
  const body = [...head];
  if (cases.length === 0) body.push(text(16, headHeight + 20, 'No pre-copy rows in this run.', { fill: MUTED_INK }));
  const cols = cases.length > 1 ? 2 : 1;
  const panelWidth = (CHART_WIDTH - 32 - (cols - 1) * 24) / cols;
  const panelHeight = 300;
  cases.forEach((c, i) => {
    const rows = rowsOfCase(precopyRows, c);
    body.push(...roundsPanel(rows, c, 16 + (i % cols) * (panelWidth + 24), headHeight + Math.floor(i / cols) * panelHeight, panelWidth, panelHeight - 20));
  });
  const height = headHeight + Math.max(1, Math.ceil(cases.length / cols)) * panelHeight;
  return svgDocument(CHART_WIDTH, height, 'ferry bench migrate: bytes on the wire per pre-copy round, with and without deferral', body);
}

function roundsPanel(rows: readonly BenchRow[], c: BenchCase, x0: number, y0: number, width: number, height: number): string[] {
  const svg = [text(x0, y0 + 16, caseLabel(c), { 'font-size': 13, 'font-weight': 'bold' })];
  rows.forEach((r, i) => svg.push(roundsNote(r, x0, y0 + 34 + i * 15, width)));
  const plot = { left: x0 + 52, right: x0 + width - 8, top: y0 + 34 + rows.length * 15 + 6, bottom: y0 + height - 36 };
  const series = rows.map((r) => ({ r, points: (r.rounds ?? []).map((d) => [d.round, d.wireBytes / 2 ** 20] as const) }));
  const lastRound = Math.max(1, ...series.flatMap((s) => s.points.map(([x]) => x)));
  const yTicks = niceTicks(Math.max(0, ...series.flatMap((s) => s.points.map(([, v]) => v))), 5);
  // Rounds sit inside the axes, not on them, so the first and last marks stay whole.
  const inset = 14;
  const sx = (round: number): number => plot.left + inset + (lastRound === 1 ? 0.5 : (round - 1) / (lastRound - 1)) * (plot.right - plot.left - 2 * inset);
  const sy = (mib: number): number => plot.bottom - (mib / (yTicks.at(-1) ?? 1)) * (plot.bottom - plot.top);
  for (const t of yTicks) {
    svg.push(element('line', { x1: plot.left, y1: sy(t), x2: plot.right, y2: sy(t), stroke: '#e3e3e3' }), text(plot.left - 6, sy(t) + 4, tickLabel(t, yTicks), { 'font-size': 10, 'text-anchor': 'end', fill: MUTED_INK }));
  }
  for (let round = 1; round <= lastRound; round++) {
    svg.push(element('line', { x1: sx(round), y1: plot.bottom, x2: sx(round), y2: plot.bottom + 4, stroke: '#444444' }), text(sx(round), plot.bottom + 16, String(round), { 'font-size': 10, 'text-anchor': 'middle', fill: MUTED_INK }));
  }
  svg.push(
    element('path', { d: `M${plot.left} ${plot.top}V${plot.bottom}H${plot.right}`, fill: 'none', stroke: '#444444' }),
    text((plot.left + plot.right) / 2, plot.bottom + 32, 'round', { 'font-size': 11, 'text-anchor': 'middle', fill: MUTED_INK }),
    text(0, 0, 'wire MiB', { 'font-size': 11, 'text-anchor': 'middle', fill: MUTED_INK, transform: `translate(${x0 + 12} ${(plot.top + plot.bottom) / 2}) rotate(-90)` }),
  );
  for (const { r, points } of series) {
    const colour = STRATEGY_COLOURS[r.strategy];
    const d = points.map(([x, v], i) => `${i ? 'L' : 'M'}${sx(x).toFixed(1)} ${sy(v).toFixed(1)}`).join('');
    if (points.length > 1) svg.push(element('path', { d, fill: 'none', stroke: colour, 'stroke-width': 2, 'stroke-dasharray': DASH[r.strategy] ?? 'none', opacity: r.ok ? 1 : 0.5 }));
    for (const [x, v] of points) svg.push(pointMark(r.strategy, sx(x), sy(v), r.ok ? colour : FAILED_INK));
  }
  return svg;
}

/** One line under a panel's title: rounds and stop rule, or why the row failed. */
function roundsNote(r: BenchRow, x: number, y: number, width: number): string {
  const n = r.rounds?.length ?? 0;
  const said = r.ok ? `${n} rounds${r.stopRule ? `, stopped by ${r.stopRule}` : ''}` : `failed${n ? ` after ${n} rounds` : ''}: ${r.problem ?? 'no reason given'}`;
  const full = `${r.strategy}: ${n || !r.ok ? said : 'no rounds recorded'}`;
  const room = Math.floor(width / textWidth('x', 10.5));
  return text(x, y, full.length > room ? `${full.slice(0, room - 1)}…` : full, { 'font-size': 11, fill: r.ok ? MUTED_INK : FAILED_INK });
}

function pointMark(s: BenchStrategy, x: number, y: number, fill: string): string {
  return s === 'precopy' ? element('circle', { cx: x, cy: y, r: 3.5, fill }) : element('rect', { x: x - 3.5, y: y - 3.5, width: 7, height: 7, fill });
}

function lineMark(s: BenchStrategy): (x: number, y: number) => string {
  const colour = STRATEGY_COLOURS[s];
  return (x, y) => element('line', { x1: x, y1: y, x2: x + 20, y2: y, stroke: colour, 'stroke-width': 2, 'stroke-dasharray': DASH[s] ?? 'none' }) + pointMark(s, x + 10, y, colour);
}

/** The strategies present, each with its colour, and the hatching that means failed. */
function strategyLegend(rows: readonly BenchRow[]): LegendItem[] {
  const present = [...new Set(benchCases(rows).flatMap((c) => rowsOfCase(rows, c).map((r) => r.strategy)))];
  const twin = rows.find((r) => linksOf(r) === 'plain');
  const tlsOff: LegendItem[] = twin ? [{ label: 'paler: TLS off (plain TCP)', mark: (x, y) => element('rect', { x: x + 2, y: y - 6, width: 16, height: 12, fill: STRATEGY_COLOURS[twin.strategy], 'fill-opacity': TLS_OFF_OPACITY }) }] : [];
  return [...present.map((s) => ({ label: s, mark: swatch(STRATEGY_COLOURS[s]) })), ...tlsOff, { label: 'failed', mark: swatch(FAILED_FILL) }];
}

/** Title, the machine in one line, and the legend; returns the height used. */
function header(results: BenchResults, title: string, items: readonly LegendItem[]): { svg: string[]; height: number } {
  const m = results.machine;
  const machine = `${m.hostname}: ${m.cpus} × ${m.cpuModel}, ${m.memoryGiB.toFixed(1)} GiB, kernel ${m.kernel}, Docker ${m.docker}, CRIU ${m.criu} · ${results.startedAt.slice(0, 10)}${results.quick ? ' · quick run' : ''}`;
  const leg = legend(16, 72, items, CHART_WIDTH - 16);
  return { svg: [text(16, 28, title, { 'font-size': 18, 'font-weight': 'bold' }), text(16, 48, machine, { fill: MUTED_INK }), ...leg.svg], height: 72 + leg.height + 6 };
}

function ms(v: number | undefined): number | undefined {
  return v === undefined ? undefined : v / 1000;
}
