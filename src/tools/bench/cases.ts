/**
 * @module tools/bench/cases — pure: finding rows by case, strategy and links (TLS or its TLS-off
 * twin), and naming a case and a row in words, for the summary and the renderers alike.
 */
import { BENCH_STRATEGIES, type BenchCase, type BenchRow, type BenchStrategy } from './results.ts';

/** Whether two cases are the same cell of the matrix. */
export function sameCase(a: BenchCase, b: BenchCase): boolean {
  return a.workload === b.workload && a.sizeMiB === b.sizeMiB && a.dirtyMBps === b.dirtyMBps && (a.hotPercent ?? 0) === (b.hotPercent ?? 0) && a.bandwidthMbit === b.bandwidthMbit;
}

/** A case in words, e.g. "stream 1024 MiB, dirtying 50 MB/s, 1000 Mbit/s". */
export function caseLabel(c: BenchCase): string {
  const dirty = c.dirtyMBps > 0 ? `dirtying ${c.dirtyMBps} MB/s${c.hotPercent ? ` (90 % into ${c.hotPercent} % of pages)` : ''}` : 'own dirty rate';
  return `${c.workload} ${c.sizeMiB} MiB, ${dirty}, ${c.bandwidthMbit} Mbit/s`;
}

/** The distinct cases of the rows, in the order they first appear. */
export function benchCases(rows: readonly BenchRow[]): BenchCase[] {
  const out: BenchCase[] = [];
  for (const r of rows) if (!out.some((c) => sameCase(c, r.case))) out.push(r.case);
  return out;
}

/** The rows of one case, in the order of BENCH_STRATEGIES (the order every table uses), a TLS-off twin right after its row. */
export function rowsOfCase(rows: readonly BenchRow[], c: BenchCase): BenchRow[] {
  return rows.filter((r) => sameCase(r.case, c)).sort((a, b) => rowRank(a) - rowRank(b));
}

/** Which links a row ran over: `tls` (the default, and every row that uses no ferry link) or `plain` (a TLS-off twin). */
export type RowLinks = 'tls' | 'plain';

/** The links of a row: only a ferry row marked tls=false is plain. */
export function linksOf(row: BenchRow): RowLinks {
  return row.tls === false ? 'plain' : 'tls';
}

/** The row of one strategy in one case, if it is there: the TLS row unless `links` asks for its TLS-off twin. */
export function findRow(rows: readonly BenchRow[], c: BenchCase, strategy: BenchStrategy, links: RowLinks = 'tls'): BenchRow | undefined {
  return rows.find((r) => r.strategy === strategy && linksOf(r) === links && sameCase(r.case, c));
}

/** A row's name in tables and charts: its strategy, with "TLS off" for a twin on plain links. */
export function rowLabel(row: BenchRow): string {
  return linksOf(row) === 'plain' ? `${row.strategy}, TLS off` : row.strategy;
}

/** The measures a ratio can be taken of. */
export type RowMeasure = 'downtimeMs' | 'frozenMs' | 'totalMs' | 'wireBytes' | 'footprintBytes' | 'compressedFootprintBytes';

/** A row's measure when the row succeeded and the number is finite and positive; otherwise nothing. */
export function measured(row: BenchRow | undefined, measure: RowMeasure): number | undefined {
  if (!row?.ok) return undefined;
  const v = row[measure];
  return v !== undefined && Number.isFinite(v) && v > 0 ? v : undefined;
}

/** numerator ÷ denominator when both are there, else nothing. */
export function ratioOf(numerator: number | undefined, denominator: number | undefined): number | undefined {
  return numerator === undefined || denominator === undefined ? undefined : numerator / denominator;
}

/** Rounded to 3 decimals, as every ratio of the summary is. */
export function round3(v: number): number {
  return Math.round(v * 1000) / 1000;
}

function rowRank(r: BenchRow): number {
  return 2 * BENCH_STRATEGIES.indexOf(r.strategy) + (linksOf(r) === 'plain' ? 1 : 0);
}
