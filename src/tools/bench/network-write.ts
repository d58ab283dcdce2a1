/** @module tools/bench/network-write — writes the network benchmark's JSON, Markdown, SVG and (with rsvg-convert) PNG. */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { renderNetworkMarkdown, renderNetworkSvg, type NetworkBenchResults } from './network-results.ts';
import { rsvgConvert } from '../report-kit/svg-to-png.ts';

/** Writes `network-latest.{json,md}` and `network-waits.{svg,png}` into `dir`; returns the paths written. */
export async function writeNetworkResults(dir: string, results: NetworkBenchResults): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const files: Array<[string, string]> = [
    ['network-latest.json', `${JSON.stringify(results, null, 2)}\n`],
    ['network-latest.md', renderNetworkMarkdown(results)],
    ['network-waits.svg', renderNetworkSvg(results)],
  ];
  const written: string[] = [];
  for (const [name, content] of files) {
    await writeFile(path.join(dir, name), content);
    written.push(path.join(dir, name));
  }
  const svg = path.join(dir, 'network-waits.svg');
  if (await rsvgConvert(svg, svg.replace(/\.svg$/, '.png'))) written.push(svg.replace(/\.svg$/, '.png'));
  return written;
}
