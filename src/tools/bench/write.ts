/**
 * @module tools/bench/write — the one place benchmark results touch the disk: the JSON, the
 * Markdown report, both charts, and a PNG of each chart when `rsvg-convert` is installed.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { rsvgConvert, type SvgToPng } from '../report-kit/svg-to-png.ts';
import { renderMarkdown } from './markdown.ts';
import type { BenchResults } from './results.ts';
import { renderBarsSvg, renderRoundsSvg } from './svg.ts';

/**
 * Writes `<baseName>-latest.json`, `<baseName>-latest.md`, `<baseName>-bars.svg` and
 * `<baseName>-rounds.svg` into `dir` (made if missing), plus a PNG beside each SVG when the
 * converter manages it. Returns the paths written, in that order.
 */
export async function writeResults(dir: string, results: BenchResults, baseName = 'migrate', toPng: SvgToPng = rsvgConvert): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const files: [string, string][] = [
    [`${baseName}-latest.json`, JSON.stringify(results, null, 2) + '\n'],
    [`${baseName}-latest.md`, renderMarkdown(results)],
    [`${baseName}-bars.svg`, renderBarsSvg(results)],
    [`${baseName}-rounds.svg`, renderRoundsSvg(results)],
  ];
  const written: string[] = [];
  for (const [name, content] of files) {
    const file = path.join(dir, name);
    await writeFile(file, content);
    written.push(file);
  }
  for (const svg of written.filter((f) => f.endsWith('.svg'))) {
    const png = svg.replace(/\.svg$/, '.png');
    if (await toPng(svg, png)) written.push(png);
  }
  return written;
}
