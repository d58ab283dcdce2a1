/** @module bench/scheduling/day-svg — the scheduling day's chart: hosts awake over the day, one line per policy, the phases shaded. Pure. */
import { element, niceTicks, svgDocument, text } from '../svg-kit.ts';
import type { DayScript } from './day-script.ts';
import type { AwakeSample } from './day-report.ts';

/** One colour per policy (elastic stands out). */
const INK: Readonly<Record<string, string>> = { elastic: '#1f6fb4', spread: '#d9822b', binpack: '#5a9e4b', kube: '#8e5ba8' };

/** The SVG of hosts awake over time for each policy. */
export function awakeChart(script: DayScript, lines: Readonly<Record<string, readonly AwakeSample[]>>, hosts: number): string {
  const w = 760;
  const h = 360;
  const left = 50;
  const top = 40;
  const right = 150;
  const bottom = 50;
  const pw = w - left - right;
  const ph = h - top - bottom;
  const x = (t: number): number => left + (t / script.seconds) * pw;
  const y = (v: number): number => top + ph - (v / hosts) * ph;
  const body: string[] = [text(left, 22, `Hosts awake over a scripted day (${script.seconds} s stand for 24 h)`, { 'font-size': 14, 'font-weight': 600 })];
  script.phases.forEach(([name, at], i) => {
    const end = script.phases[i + 1]?.[1] ?? script.seconds;
    body.push(element('rect', { x: x(at), y: top, width: x(end) - x(at), height: ph, fill: i % 2 ? '#f4f4f4' : '#fafafa' }));
    body.push(text(x(at) + 4, top + 14, name, { fill: '#666666' }));
  });
  for (const v of niceTicks(hosts, hosts)) {
    body.push(element('line', { x1: left, x2: left + pw, y1: y(v), y2: y(v), stroke: '#dddddd' }));
    body.push(text(left - 8, y(v) + 4, String(v), { 'text-anchor': 'end' }));
  }
  body.push(text(left + pw / 2, h - 12, 'hour of the day', { 'text-anchor': 'middle' }));
  for (let hr = 0; hr <= 24; hr += 6) body.push(text(x((hr / 24) * script.seconds), top + ph + 16, String(hr), { 'text-anchor': 'middle' }));
  let legendY = top + 10;
  for (const [policy, samples] of Object.entries(lines)) {
    const ink = INK[policy] ?? '#222222';
    const pts: string[] = [];
    samples.forEach((s, i) => {
      const next = samples[i + 1]?.t ?? script.seconds;
      pts.push(`${x(s.t).toFixed(1)},${y(s.awake).toFixed(1)}`, `${x(Math.min(next, script.seconds)).toFixed(1)},${y(s.awake).toFixed(1)}`);
    });
    body.push(element('polyline', { points: pts.join(' '), fill: 'none', stroke: ink, 'stroke-width': policy === 'elastic' ? 3 : 2 }));
    body.push(element('line', { x1: left + pw + 16, x2: left + pw + 40, y1: legendY, y2: legendY, stroke: ink, 'stroke-width': 3 }));
    body.push(text(left + pw + 46, legendY + 4, policy));
    legendY += 20;
  }
  return svgDocument(w, h, 'Hosts awake over a scripted day, per scheduling policy', body);
}
