/**
 * @module tools/sim/report/format — pure: how the simulator's report writes its numbers and its
 * setup, the same in the markdown and on the charts.
 */
import { NO_VALUE } from '../../report-kit/format.ts';
import type { PolicyRun, SimReport } from './types.ts';

/** A number with `digits` decimals, or a dash when it is not a finite number. */
export function fixed(v: number | undefined, digits: number): string {
  return v === undefined || !Number.isFinite(v) ? NO_VALUE : v.toFixed(digits);
}

/** A number with about three significant digits and no exponent (for small shares such as PDM and SLAV). */
export function small(v: number | undefined): string {
  if (v === undefined || !Number.isFinite(v)) return NO_VALUE;
  if (v === 0) return '0';
  return v.toFixed(Math.min(8, Math.max(0, 2 - Math.floor(Math.log10(Math.abs(v))))));
}

/** Any number, plainly: integers as they are, others to four significant digits. */
export function plain(v: number | undefined): string {
  if (v === undefined || !Number.isFinite(v)) return NO_VALUE;
  if (Number.isInteger(v)) return String(v);
  const rounded = Number(v.toPrecision(4));
  return Math.abs(rounded) >= 1e-6 ? String(rounded) : small(rounded);
}

/** A relative error, signed, in percent ("+12.3 %"); a dash when the measurement is 0. */
export function relativeError(measured: number, predicted: number): string {
  if (!measured || !Number.isFinite(measured) || !Number.isFinite(predicted)) return NO_VALUE;
  const e = ((predicted - measured) / measured) * 100;
  return `${e >= 0 ? '+' : ''}${e.toFixed(1)} %`;
}

/** The setup in one line: "hosts: 800, containers: 1052, …". */
export function setupLine(report: SimReport): string {
  return Object.entries(report.setup).map(([k, v]) => `${k}: ${v}`).join(', ');
}

/** A metric of a run by name: a number of SimMetrics, else one of the run's derived numbers. */
export function metricOf(report: SimReport, run: PolicyRun, name: string): number | undefined {
  const m = (run.metrics as unknown as Record<string, unknown>)[name];
  return typeof m === 'number' ? m : report.derived[run.policy]?.[name];
}

/** Hours the run covers: its simulated hours, or its last timeline point if later. */
export function hoursOf(run: PolicyRun): number {
  return Math.max(run.metrics.simulatedHours, (run.timeline.at(-1)?.t ?? 0) / 3600);
}
