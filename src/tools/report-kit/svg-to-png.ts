/**
 * @module tools/report-kit/svg-to-png — a PNG beside each chart when `rsvg-convert` is installed;
 * the PNG is optional, so any failure means none.
 */
import { execFile } from 'node:child_process';

/** Turns an SVG file into a PNG file; resolves false when it cannot (the PNG is optional). */
export type SvgToPng = (svgFile: string, pngFile: string) => Promise<boolean>;

/** `rsvg-convert` when it is on PATH; any failure (not installed included) means no PNG. */
export function rsvgConvert(svgFile: string, pngFile: string): Promise<boolean> {
  return new Promise((resolve) => {
    execFile('rsvg-convert', ['--format', 'png', '--output', pngFile, svgFile], (err) => resolve(!err));
  });
}
