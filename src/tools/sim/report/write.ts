/**
 * @module tools/sim/report/write — the one place the simulator's report touches the disk: the JSON
 * (timelines included), the Markdown, the three charts as SVG, and a PNG of each chart when
 * `rsvg-convert` manages it (when it cannot, a process warning says the PNGs are missing). The
 * report it replaces, when one is there, is read first and its numbers kept in the new one.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { rsvgConvert, type SvgToPng } from '../../report-kit/svg-to-png.ts';
import { simMarkdown } from './markdown.ts';
import { previousRun } from './previous.ts';
import { SIM_CHARTS } from './svg.ts';
import type { SimReport } from './types.ts';

/** The warning code emitted when no PNG could be made. */
export const NO_PNG_WARNING = 'FERRY_SIM_NO_PNG';

/**
 * Writes `<baseName>.json`, `<baseName>.md`, and `<baseName>-<chart>.svg` with its `.png` for
 * each chart (active-hosts, energy, migrations) into `dir`, made if missing. Returns the paths
 * written, in that order; a PNG the converter could not make is left out of the list. When
 * `<baseName>.json` already holds a report of the same scenario, the new one keeps its numbers
 * as `previous` (sim/report/previous); anything else there is simply replaced.
 */
export async function writeSimReport(dir: string, baseName: string, fresh: SimReport, toPng: SvgToPng = rsvgConvert): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const previous = previousRun(await readJson(path.join(dir, `${baseName}.json`)), fresh.scenario);
  const report: SimReport = previous ? { ...fresh, previous } : fresh;
  const written: string[] = [];
  const put = async (name: string, content: string): Promise<string> => {
    const file = path.join(dir, name);
    await writeFile(file, content);
    written.push(file);
    return file;
  };
  await put(`${baseName}.json`, `${JSON.stringify(report, null, 2)}\n`);
  await put(`${baseName}.md`, simMarkdown(report));
  const missing: string[] = [];
  for (const chart of SIM_CHARTS) {
    const svg = await put(`${baseName}-${chart.name}.svg`, chart.render(report));
    const png = svg.replace(/\.svg$/, '.png');
    if (await toPng(svg, png)) written.push(png);
    else missing.push(path.basename(png));
  }
  if (missing.length) process.emitWarning(`no PNG made (is rsvg-convert installed?): ${missing.join(', ')}; the SVGs are written`, { code: NO_PNG_WARNING });
  return written;
}

/** A JSON file's content; nothing when it is missing or not JSON. */
async function readJson(file: string): Promise<unknown> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as unknown;
  } catch {
    return undefined;
  }
}
