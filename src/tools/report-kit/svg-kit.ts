/**
 * @module tools/report-kit/svg-kit — pure: the few pieces the benchmark's and the simulator's
 * charts draw with: escaping, the document frame with its hatch pattern, text, round axis
 * ticks, a legend, and one colour per scheduling policy.
 */

/** Each scheduling policy's colour, the same in every chart (elastic stands out). */
export const POLICY_COLOURS: Readonly<Record<string, string>> = { elastic: '#1f6fb4', spread: '#d9822b', binpack: '#5a9e4b', kube: '#8e5ba8' };

/** Colours for policies not in POLICY_COLOURS, picked by the name so a policy keeps its colour. */
const OTHER_POLICY_COLOURS = ['#444444', '#cc79a7', '#009e73', '#b02a1e', '#e69f00'] as const;

/** A policy's colour: its own, or one of the others picked by its name. */
export function policyColour(policy: string): string {
  const own = POLICY_COLOURS[policy];
  if (own) return own;
  let hash = 0;
  for (const c of policy) hash = (hash * 31 + (c.codePointAt(0) ?? 0)) >>> 0;
  return OTHER_POLICY_COLOURS[hash % OTHER_POLICY_COLOURS.length] ?? '#222222';
}

/** The fill of a failed row's bar: red hatching. */
export const FAILED_FILL = 'url(#failed-hatch)';
/** The colour of words about failure. */
export const FAILED_INK = '#b02a1e';
/** The colour of secondary text and grid lines. */
export const MUTED_INK = '#666666';

/** Text made safe for XML content and attribute values. */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c] ?? c);
}

/** A coordinate with at most one decimal, to keep the files small. */
export function px(v: number): string {
  return String(Math.round(v * 10) / 10);
}

/** Attributes a drawing call may add. */
export type Attrs = Record<string, string | number>;

/** One element; `content` is escaped, attribute values too. */
export function element(name: string, attrs: Attrs, content?: string): string {
  const a = Object.entries(attrs).map(([k, v]) => ` ${k}="${typeof v === 'number' ? px(v) : escapeXml(v)}"`).join('');
  return content === undefined ? `<${name}${a}/>` : `<${name}${a}>${escapeXml(content)}</${name}>`;
}

/** A text element at (x, y), 12 px unless told. */
export function text(x: number, y: number, content: string, attrs: Attrs = {}): string {
  return element('text', { x, y, 'font-size': 12, ...attrs }, content);
}

/** A guess at a text's width in px, for laying out legends (sans-serif averages ~0.58 em). */
export function textWidth(content: string, fontSize = 12): number {
  return content.length * fontSize * 0.58;
}

/** A whole SVG document: white background, a title for screen readers, the hatch pattern. */
export function svgDocument(width: number, height: number, title: string, body: readonly string[]): string {
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<svg xmlns="http://www.w3.org/2000/svg" width="${px(width)}" height="${px(height)}" viewBox="0 0 ${px(width)} ${px(height)}" role="img">`,
    element('title', {}, title),
    '<defs><pattern id="failed-hatch" patternUnits="userSpaceOnUse" width="6" height="6" patternTransform="rotate(45)">'
      + '<rect width="6" height="6" fill="#fbe3e0"/><line x1="0" y1="0" x2="0" y2="6" stroke="#b02a1e" stroke-width="2"/></pattern></defs>',
    element('rect', { width, height, fill: '#ffffff' }),
    '<g font-family="system-ui, -apple-system, \'Segoe UI\', Helvetica, Arial, sans-serif" fill="#222222">',
    ...body,
    '</g>',
    '</svg>',
    '',
  ].join('\n');
}

/** Round tick values from 0 to at least `max` (steps of 1, 2 or 5 × 10ⁿ), about `wanted` of them. */
export function niceTicks(max: number, wanted = 5): number[] {
  const top = Number.isFinite(max) && max > 0 ? max : 1;
  const raw = top / wanted;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 5, 10].find((m) => m * magnitude >= raw) ?? 10) * magnitude;
  const ticks: number[] = [];
  for (let i = 0; i * step < top + step * 1e-9; i++) ticks.push(i * step);
  if ((ticks.at(-1) ?? 0) < top) ticks.push(ticks.length * step);
  return ticks.map((t) => Number(t.toPrecision(12)));
}

/** A tick value with as many decimals as its step needs. */
export function tickLabel(value: number, ticks: readonly number[]): string {
  const step = (ticks[1] ?? 1) - (ticks[0] ?? 0);
  return value.toFixed(Math.max(0, -Math.floor(Math.log10(step) + 1e-9)));
}

/** One legend entry: a label and the mark drawn beside it (centred on x+10, y). */
export interface LegendItem {
  label: string;
  mark: (x: number, y: number) => string;
}

/** A row of legend entries starting at (x, y), wrapping at `maxX`; returns the SVG and the height used. */
export function legend(x: number, y: number, items: readonly LegendItem[], maxX: number): { svg: string[]; height: number } {
  const svg: string[] = [];
  let cx = x;
  let cy = y;
  for (const item of items) {
    const w = 28 + textWidth(item.label) + 18;
    if (cx + w > maxX && cx > x) {
      cx = x;
      cy += 20;
    }
    svg.push(item.mark(cx, cy), text(cx + 26, cy + 4, item.label));
    cx += w;
  }
  return { svg, height: cy - y + 20 };
}

/** A legend mark: a filled swatch. */
export function swatch(fill: string): (x: number, y: number) => string {
  return (x, y) => element('rect', { x: x + 2, y: y - 6, width: 16, height: 12, fill, stroke: fill === FAILED_FILL ? FAILED_INK : 'none' });
}
