/** @module apps/cli/scheduling-format — how `ferry nodes`, `ferry ps` and `ferry events` print, and how sizes on the command line parse. */
import { FerryError } from '../../core/errors.ts';
import type { NodeReport } from '../controller/node-report.ts';
import type { ContainerRecord, EventRow } from '../controller/records.ts';

/** "0.5" cores or "500m" millicores → millicores. */
export function parseCpus(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(m?)$/.exec(text.trim());
  if (!m) throw new FerryError('FERRY_ERR_INVALID_INPUT', `--cpus "${text}": give cores (0.5) or millicores (500m)`);
  const v = m[2] ? Number(m[1]) : Number(m[1]) * 1000;
  if (!(v >= 1)) throw new FerryError('FERRY_ERR_INVALID_INPUT', `--cpus "${text}" is less than 1 millicore`);
  return Math.round(v);
}

/** "256m", "1g", "512" (MiB) → MiB. */
export function parseMemoryMiB(text: string): number {
  const m = /^(\d+(?:\.\d+)?)([kmgKMG]?)i?[bB]?$/.exec(text.trim());
  if (!m) throw new FerryError('FERRY_ERR_INVALID_INPUT', `--memory "${text}": give a size such as 256m or 1g`);
  const unit = (m[2] ?? '').toLowerCase();
  const v = Number(m[1]) * (unit === 'g' ? 1024 : unit === 'k' ? 1 / 1024 : 1);
  if (!(v >= 1)) throw new FerryError('FERRY_ERR_INVALID_INPUT', `--memory "${text}" is less than 1 MiB`);
  return Math.round(v);
}

const pct = (x: number): string => `${Math.round(x * 100)}%`;

/** The `ferry nodes` table. */
export function formatNodes(nodes: readonly NodeReport[]): string {
  const rows = [['NODE', 'STATE', 'COLOUR', 'Wi', 'λ·Wm', 'α·Wc', 'β·Wn', 'CPU', 'MEM', 'NET', 'CONTAINERS']];
  for (const n of nodes) {
    rows.push([n.name, n.state, n.colour ?? '-', n.wi.toFixed(3), n.parts.memory.toFixed(3), n.parts.cpu.toFixed(3), n.parts.network.toFixed(3),
      pct(n.usage.cpu), pct(n.usage.memory), pct(n.usage.network), String(n.containers)]);
  }
  return table(rows);
}

/** The `ferry ps` table. */
export function formatContainers(list: readonly ContainerRecord[]): string {
  const rows = [['NAME', 'APP', 'TYPE', 'NODE', 'STATUS', 'CPU', 'MEMORY', 'IMAGE']];
  for (const c of list) rows.push([c.name, c.app, c.appType, c.node, c.status, `${c.request.cpuMillis}m`, `${c.request.memoryMiB}Mi`, c.image]);
  return table(rows);
}

/** One line of `ferry events`. */
export function formatEvent(e: EventRow): string {
  const nums = Object.entries(e.numbers).map(([k, v]) => `${k}=${Number.isInteger(v) ? v : v.toFixed(3)}`).join(' ');
  return `${e.id}\t${new Date(e.at).toISOString()}\t${e.kind}\t${e.subject}\t${e.reason}\t${e.detail}${nums ? `\t[${nums}]` : ''}`;
}

/** Left-aligned columns. */
function table(rows: string[][]): string {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  return rows.map((r) => r.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join('  ').trimEnd()).join('\n');
}
