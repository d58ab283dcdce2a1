/** @module dashboard/plot — the geometry of the hand-drawn SVG plots: scales, a line's path, bars. */

/** A plot's drawing area in SVG units, with margins for the axes. */
export interface Frame {
  width: number;
  height: number;
  left: number;
  bottom: number;
  top: number;
  right: number;
}

/** The default frame. */
export const FRAME: Frame = { width: 640, height: 220, left: 64, bottom: 24, top: 10, right: 10 };

/** A linear scale from [d0, d1] to [r0, r1] (a flat domain maps to r0). */
export function scale(d0: number, d1: number, r0: number, r1: number): (v: number) => number {
  return d1 === d0 ? () => r0 : (v) => r0 + ((v - d0) / (d1 - d0)) * (r1 - r0);
}

/** The SVG path of a series over x in [x0, x1] and y in [0, yMax], as steps when `step`. */
export function linePath(points: ReadonlyArray<{ x: number; y: number }>, x0: number, x1: number, yMax: number, f: Frame = FRAME, step = false): string {
  const sx = scale(x0, x1, f.left, f.width - f.right);
  const sy = scale(0, yMax || 1, f.height - f.bottom, f.top);
  let d = '';
  let prevY: number | undefined;
  for (const p of points) {
    const x = sx(p.x).toFixed(1);
    const y = sy(p.y).toFixed(1);
    if (d === '') d = `M${x},${y}`;
    else d += step && prevY !== undefined ? `H${x}V${y}` : `L${x},${y}`;
    prevY = sy(p.y);
  }
  return d;
}

/** Bars of values, left to right (at most `maxWidth` wide): each bar's x, y, width and height. */
export function bars(values: readonly number[], yMax: number, f: Frame = FRAME, maxWidth = 40): Array<{ x: number; y: number; w: number; h: number }> {
  const inner = f.width - f.left - f.right;
  const slot = values.length ? inner / values.length : inner;
  const sy = scale(0, yMax || 1, 0, f.height - f.top - f.bottom);
  return values.map((v, i) => {
    const h = sy(v);
    const w = Math.min(slot * 0.7, maxWidth);
    return { x: f.left + i * slot + (slot - w) / 2, y: f.height - f.bottom - h, w, h };
  });
}

/** A round upper bound for an axis (1, 2 or 5 times a power of ten). */
export function niceMax(v: number): number {
  if (v <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}
