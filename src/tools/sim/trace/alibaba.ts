/**
 * @module tools/sim/trace/alibaba — reads Alibaba's cluster-trace-v2018 (headerless CSV) into a
 * simulated workload: each container's irregular usage samples, resampled onto a fixed
 * interval, become a SimContainerSpec. Parsing and resampling are pure; `readAlibaba` is the
 * only I/O (plain or gzipped files, streamed line by line, since container_usage.csv is tens
 * of gigabytes: choose containers and a time window there).
 *
 * Column layout and units, from alibaba/clusterdata cluster-trace-v2018/schema.md ("The index
 * below is aligned with the data column in each file"); the maintainers' answers in
 * alibaba/clusterdata issues #62 and #58 settle the units:
 * - cpu_request, cpu_limit: 1/100 of a core (100 = 1 core), so cpuMillis = cpu_request × 10.
 * - container cpu_util_percent: percent of the container's own request, not of the machine
 *   (issue #62), so CPU demand = cpu_util_percent / 100 × request.
 * - mem_size: normalised to [0, 100] of the largest machine's memory (issue #58), so
 *   memoryMiB = mem_size / 100 × `machineMemoryMiB`.
 * - container mem_util_percent: read, like the CPU, as percent of the container's own memory
 *   (mem_size); the schema leaves it unsaid — an interpretation, not a documented fact.
 * - machine cpu_util_percent / mem_util_percent: percent of the machine, [0, 100].
 * Empty cells, which the real files hold, are NaN in the rows and carried forward over time.
 */
import { open, stat } from 'node:fs/promises';
import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { pipeline } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { FerryError } from '../../../core/errors.ts';
import type { SimContainerSpec } from './types.ts';

/** A row of container_meta.csv: a container's placement and size at an event time. */
export interface ContainerMetaRow {
  containerId: string; machineId: string; timeS: number; appDu: string; status: string;
  /** 100 = 1 core. */
  cpuRequest: number; cpuLimit: number;
  /** [0, 100] of the largest machine's memory. */
  memSize: number;
}

/** A row of container_usage.csv: one usage sample of a container. */
export interface ContainerUsageRow {
  containerId: string; machineId: string; timeS: number;
  /** Percent of the container's CPU request. */
  cpuUtilPercent: number; memUtilPercent: number;
  cpi: number; memGps: number; mpki: number; netIn: number; netOut: number; diskIoPercent: number;
}

/** A row of machine_usage.csv: one usage sample of a machine, percentages of the machine. */
export interface MachineUsageRow {
  machineId: string; timeS: number; cpuUtilPercent: number; memUtilPercent: number;
  memGps: number; mpki: number; netIn: number; netOut: number; diskIoPercent: number;
}

/** A row of machine_meta.csv: a machine's size and failure domains at an event time. */
export interface MachineMetaRow {
  machineId: string; timeS: number; failureDomain1: string; failureDomain2: string;
  cpuNum: number;
  /** [0, 100] of the largest machine's memory. */
  memSize: number;
  status: string;
}

/** Reads the cells of one row by column name; `at` says where, for errors. */
interface Cells {
  id(column: string): string;
  num(column: string): number;
  text(column: string): string;
}

/** One file of the trace: its name, its columns in order, and how a row reads. */
interface AlibabaTable<Row> {
  file: string;
  columns: readonly string[];
  row(cells: Cells): Row;
}

const CONTAINER_META: AlibabaTable<ContainerMetaRow> = {
  file: 'container_meta',
  columns: ['container_id', 'machine_id', 'time_stamp', 'app_du', 'status', 'cpu_request', 'cpu_limit', 'mem_size'],
  row: (c) => ({
    containerId: c.id('container_id'), machineId: c.text('machine_id'), timeS: c.num('time_stamp'), appDu: c.text('app_du'),
    status: c.text('status'), cpuRequest: c.num('cpu_request'), cpuLimit: c.num('cpu_limit'), memSize: c.num('mem_size'),
  }),
};


const CONTAINER_USAGE: AlibabaTable<ContainerUsageRow> = {
  file: 'container_usage',
  columns: ['container_id', 'machine_id', 'time_stamp', 'cpu_util_percent', 'mem_util_percent', 'cpi', 'mem_gps', 'mpki', 'net_in', 'net_out', 'disk_io_percent'],
  row: (c) => ({ containerId: c.id('container_id'), machineId: c.text('machine_id'), cpi: c.num('cpi'), ...usageCells(c) }),
};

/** Like container_usage without cpi; the schema spells mpki "mkpi" here. */
const MACHINE_USAGE: AlibabaTable<MachineUsageRow> = {
  file: 'machine_usage',
  columns: ['machine_id', 'time_stamp', 'cpu_util_percent', 'mem_util_percent', 'mem_gps', 'mpki', 'net_in', 'net_out', 'disk_io_percent'],
  row: (c) => ({ machineId: c.id('machine_id'), ...usageCells(c) }),
};

const MACHINE_META: AlibabaTable<MachineMetaRow> = {
  file: 'machine_meta',
  columns: ['machine_id', 'time_stamp', 'failure_domain_1', 'failure_domain_2', 'cpu_num', 'mem_size', 'status'],
  row: (c) => ({
    machineId: c.id('machine_id'), timeS: c.num('time_stamp'), failureDomain1: c.text('failure_domain_1'),
    failureDomain2: c.text('failure_domain_2'), cpuNum: c.num('cpu_num'), memSize: c.num('mem_size'), status: c.text('status'),
  }),
};

/** The time and usage columns that containers and machines share. */
function usageCells(c: Cells): Omit<MachineUsageRow, 'machineId'> {
  return {
    timeS: c.num('time_stamp'), cpuUtilPercent: c.num('cpu_util_percent'), memUtilPercent: c.num('mem_util_percent'),
    memGps: c.num('mem_gps'), mpki: c.num('mpki'), netIn: c.num('net_in'), netOut: c.num('net_out'),
    diskIoPercent: c.num('disk_io_percent'),
  };
}

/** One line as a row; undefined for a blank line. A wrong column count or a cell that is not a number is refused. */
function parseLine<Row>(table: AlibabaTable<Row>, line: string, lineNo: number, source: string): Row | undefined {
  const trimmed = line.trim();
  if (!trimmed) return undefined;
  const cells = trimmed.split(',');
  const at = `${source} line ${lineNo}`;
  if (cells.length !== table.columns.length) {
    throw new FerryError('FERRY_ERR_INVALID_INPUT', `${at}: ${cells.length} columns, expected ${table.columns.length} (${table.columns.join(',')}); is this ${table.file}.csv of cluster-trace-v2018?`);
  }
  const cell = (column: string): string => (cells[table.columns.indexOf(column)] ?? '').trim();
  return table.row({
    id: (column) => cell(column) || fail(`${at}: ${column} is empty; every row needs one`),
    text: cell,
    num: (column) => {
      const raw = cell(column);
      const value = raw === '' ? NaN : Number(raw);
      return raw === '' || Number.isFinite(value) ? value : fail(`${at}: ${column} "${raw}" is not a number`);
    },
  });
}

function fail(message: string): never {
  throw new FerryError('FERRY_ERR_INVALID_INPUT', message);
}

function parseTable<Row>(table: AlibabaTable<Row>, text: string, source: string): Row[] {
  const rows: Row[] = [];
  text.split('\n').forEach((line, i) => {
    const row = parseLine(table, line, i + 1, source);
    if (row) rows.push(row);
  });
  return rows;
}

/** Parses the text of container_meta.csv. */
export function parseContainerMeta(text: string, source = 'container_meta.csv'): ContainerMetaRow[] {
  return parseTable(CONTAINER_META, text, source);
}

/** Parses the text of container_usage.csv. */
export function parseContainerUsage(text: string, source = 'container_usage.csv'): ContainerUsageRow[] {
  return parseTable(CONTAINER_USAGE, text, source);
}

/** Parses the text of machine_usage.csv. */
export function parseMachineUsage(text: string, source = 'machine_usage.csv'): MachineUsageRow[] {
  return parseTable(MACHINE_USAGE, text, source);
}

/** Parses the text of machine_meta.csv. */
export function parseMachineMeta(text: string, source = 'machine_meta.csv'): MachineMetaRow[] {
  return parseTable(MACHINE_META, text, source);
}

/** A time window of the trace, resampled every intervalS seconds. */
export interface AlibabaWindow {
  /** Trace time (time_stamp, seconds) that becomes the simulation's start. */
  fromS: number;
  /** Seconds of trace to take. */
  durationS: number;
  /** Seconds between samples of the resampled series. */
  intervalS: number;
}

/** What `alibabaWorkload` needs: the rows, the window, and what the trace does not say. */
export interface AlibabaWorkloadOptions extends AlibabaWindow {
  meta: readonly ContainerMetaRow[];
  usage: readonly ContainerUsageRow[];
  /** MiB that mem_size 100 stands for: the memory of the trace's largest machine. */
  machineMemoryMiB: number;
  /** App type per app_du; others get defaultAppType. */
  appTypes?: Readonly<Record<string, string>>;
  /** Default 'balanced'. */
  defaultAppType?: string;
  /** Network each container asks for, Mbit/s (the trace's net_in/net_out are normalised to an unknown scale); default 0. */
  networkMbps?: number;
  /** Pages each container rewrites, MB/s (the trace does not say); default 0. */
  dirtyRateMBps?: number;
  /** A container unseen for this many seconds before the window's end has ended; default 600. */
  goneAfterS?: number;
}

/**
 * The containers seen in the window, with their demand resampled (last value carried
 * forward; before the first sample, the first). A container seen before the window starts at
 * 0; one first seen inside it, at the start of the interval that sample falls in. Its request
 * is its latest meta row at its start (empty cells filled from earlier rows). Containers with
 * no cpu_request or mem_size in the meta are left out, since what they ask for is unknown.
 */
export function alibabaWorkload(options: AlibabaWorkloadOptions): SimContainerSpec[] {
  const { fromS, durationS, intervalS, machineMemoryMiB } = checkWindow(options);
  if (!(machineMemoryMiB > 0)) fail(`machineMemoryMiB ${machineMemoryMiB}: give the MiB of the trace's largest machine, > 0`);
  const goneAfterS = options.goneAfterS ?? 600;
  const metaOf = groupByTime(options.meta, (r) => r.containerId, (r) => (Number.isNaN(r.timeS) ? -Infinity : r.timeS));
  const specs: SimContainerSpec[] = [];
  for (const [containerId, samples] of groupByTime(options.usage, (r) => r.containerId, (r) => r.timeS)) {
    const seen = samples.filter((s) => s.timeS < fromS + durationS);
    const first = seen.find((s) => s.timeS >= fromS);
    const last = seen.at(-1);
    if (!first || !last) continue;
    const startS = (seen[0]?.timeS ?? fromS) < fromS ? 0 : Math.floor((first.timeS - fromS) / intervalS) * intervalS;
    const request = requestAt(metaOf.get(containerId) ?? [], fromS + startS);
    if (!request) continue;
    const cpuMillis = request.cpuRequest * 10;
    const memoryMiB = (request.memSize / 100) * machineMemoryMiB;
    const ended = fromS + durationS - last.timeS > goneAfterS;
    const endS = ended ? Math.min(durationS, last.timeS - fromS + intervalS) : undefined;
    const grid = { fromS: fromS + startS, intervalS, samples: Math.max(1, Math.ceil(((endS ?? durationS) - startS) / intervalS)) };
    const cpu = resample(seen, (s) => s.cpuUtilPercent, grid) ?? new Float32Array(grid.samples);
    const memory = resample(seen, (s) => s.memUtilPercent, grid);
    const spec: SimContainerSpec = {
      name: containerId,
      app: request.appDu,
      appType: options.appTypes?.[request.appDu] ?? options.defaultAppType ?? 'balanced',
      request: { cpuMillis, memoryMiB, networkMbps: options.networkMbps ?? 0 },
      startS,
      demand: { intervalS, cpuMillis: cpu.map((p) => (p / 100) * cpuMillis) },
      dirtyRateMBps: options.dirtyRateMBps ?? 0,
    };
    if (endS !== undefined) spec.endS = endS;
    if (memory) spec.demand.memoryMiB = memory.map((p) => (p / 100) * memoryMiB);
    specs.push(spec);
  }
  if (specs.length === 0 && options.usage.length > 0) {
    fail(`no container of container_usage has both a sample in [${fromS}, ${fromS + durationS}) s and a cpu_request and mem_size in container_meta; pass the meta rows of the same containers and a window their samples fall in`);
  }
  return specs;
}

/** A machine's utilisation over the window, fractions 0..1 (NaN where the trace has none). */
export interface MachineUsageSeries {
  machineId: string;
  intervalS: number;
  cpu: Float32Array;
  memory: Float32Array;
}

/** Each machine's usage resampled onto the window like containers' demand, to compare a simulation with the trace. */
export function machineUsageSeries(rows: readonly MachineUsageRow[], window: AlibabaWindow): MachineUsageSeries[] {
  const { fromS, durationS, intervalS } = checkWindow(window);
  const grid = { fromS, intervalS, samples: Math.max(1, Math.ceil(durationS / intervalS)) };
  const fraction = (series: Float32Array | undefined): Float32Array => (series ? series.map((p) => p / 100) : new Float32Array(grid.samples).fill(NaN));
  const out: MachineUsageSeries[] = [];
  for (const [machineId, samples] of groupByTime(rows, (r) => r.machineId, (r) => r.timeS)) {
    const seen = samples.filter((s) => s.timeS < fromS + durationS);
    if (!seen.some((s) => s.timeS >= fromS)) continue;
    out.push({ machineId, intervalS, cpu: fraction(resample(seen, (s) => s.cpuUtilPercent, grid)), memory: fraction(resample(seen, (s) => s.memUtilPercent, grid)) });
  }
  return out;
}

function checkWindow<W extends AlibabaWindow>(window: W): W {
  if (!Number.isFinite(window.fromS)) fail(`fromS ${window.fromS}: give the trace time (s) where the simulation starts`);
  if (!(window.durationS > 0)) fail(`durationS ${window.durationS}: give the seconds of trace to take, > 0`);
  if (!(window.intervalS > 0)) fail(`intervalS ${window.intervalS}: give the seconds between samples, > 0`);
  return window;
}

/** Rows grouped by key, each group sorted by time; rows whose time is NaN are dropped. */
function groupByTime<Row>(rows: readonly Row[], key: (row: Row) => string, time: (row: Row) => number): Map<string, Row[]> {
  const groups = new Map<string, Row[]>();
  for (const row of rows) {
    if (Number.isNaN(time(row))) continue;
    const group = groups.get(key(row));
    if (group) group.push(row);
    else groups.set(key(row), [row]);
  }
  for (const group of groups.values()) group.sort((a, b) => time(a) - time(b));
  return groups;
}

/** The request in force at a time: the meta rows up to it folded, empty cells carried forward; before the first row, the first. */
function requestAt(rows: readonly ContainerMetaRow[], atS: number): { appDu: string; cpuRequest: number; memSize: number } | undefined {
  const upTo = rows.filter((r, i) => i === 0 || r.timeS <= atS);
  const latest = <T>(pick: (r: ContainerMetaRow) => T, empty: (v: T) => boolean): T | undefined => upTo.map(pick).filter((v) => !empty(v)).at(-1);
  const cpuRequest = latest((r) => r.cpuRequest, Number.isNaN);
  const memSize = latest((r) => r.memSize, Number.isNaN);
  if (cpuRequest === undefined || memSize === undefined) return undefined;
  return { appDu: latest((r) => r.appDu, (v) => v === '') ?? 'unknown', cpuRequest, memSize };
}

/**
 * Samples sorted by time, resampled at grid.fromS + k·intervalS: the last value at or before
 * each point, empty (NaN) values skipped; before the first value, the first. Undefined when no
 * sample has a value.
 */
function resample<S extends { timeS: number }>(samples: readonly S[], value: (s: S) => number, grid: { fromS: number; intervalS: number; samples: number }): Float32Array | undefined {
  let current = samples.map(value).find((v) => !Number.isNaN(v));
  if (current === undefined) return undefined;
  const out = new Float32Array(grid.samples);
  let j = 0;
  for (let k = 0; k < grid.samples; k++) {
    const t = grid.fromS + k * grid.intervalS;
    for (let s = samples[j]; s !== undefined && s.timeS <= t; s = samples[++j]) {
      const v = value(s);
      if (!Number.isNaN(v)) current = v;
    }
    out[k] = current;
  }
  return out;
}

/** The trace's files; any may be absent. */
export interface AlibabaFiles {
  containerMeta?: string;
  containerUsage?: string;
  machineMeta?: string;
  machineUsage?: string;
}

/** What of the (very large) usage files to keep. */
export interface AlibabaReadOptions {
  /** Usage rows before this trace time are dropped, but for each series' latest (carried into the window). */
  fromS?: number;
  /** Usage rows at or after this trace time are dropped. */
  toS?: number;
  /** Only these containers. */
  containerIds?: readonly string[];
  /** Only the first N containers of container_meta (in file order), when containerIds is absent. */
  maxContainers?: number;
  /** Only these machines' usage; default: the machines of the chosen containers when they are a subset, else all. */
  machineIds?: readonly string[];
}

/** The rows read from the trace's files. */
export interface AlibabaTrace {
  containerMeta: ContainerMetaRow[];
  containerUsage: ContainerUsageRow[];
  machineMeta: MachineMetaRow[];
  machineUsage: MachineUsageRow[];
}

/**
 * Reads the trace from a directory holding `<table>.csv` or `<table>.csv.gz` files, or from
 * files named one by one; files that are absent give no rows.
 */
export async function readAlibaba(source: string | AlibabaFiles, options: AlibabaReadOptions = {}): Promise<AlibabaTrace> {
  const files = typeof source === 'string' ? await filesIn(source) : source;
  const containerMeta = files.containerMeta ? await readTable(files.containerMeta, CONTAINER_META) : [];
  const chosen = chooseContainers(containerMeta, options);
  const machines = options.machineIds ? new Set(options.machineIds) : chosen && new Set(containerMeta.filter((r) => chosen.has(r.containerId)).map((r) => r.machineId));
  const fromS = options.fromS ?? -Infinity;
  const toS = options.toS ?? Infinity;
  return {
    containerMeta: chosen ? containerMeta.filter((r) => chosen.has(r.containerId)) : containerMeta,
    containerUsage: files.containerUsage ? await readTable(files.containerUsage, CONTAINER_USAGE, inWindow(fromS, toS, (r) => r.containerId, chosen)) : [],
    machineMeta: files.machineMeta ? await readTable(files.machineMeta, MACHINE_META) : [],
    machineUsage: files.machineUsage ? await readTable(files.machineUsage, MACHINE_USAGE, inWindow(fromS, toS, (r) => r.machineId, machines)) : [],
  };
}

function chooseContainers(meta: readonly ContainerMetaRow[], options: AlibabaReadOptions): Set<string> | undefined {
  if (options.containerIds) return new Set(options.containerIds);
  if (options.maxContainers === undefined) return undefined;
  const chosen = new Set<string>();
  for (const row of meta) {
    if (chosen.size >= options.maxContainers) break;
    chosen.add(row.containerId);
  }
  return chosen;
}

/** Where the rows of a file go as they are read (all of a file need not stay in memory). */
interface Collector<Row> {
  add(row: Row): void;
  rows(): Row[];
}

/** Keeps the rows of the chosen series in [fromS, toS), plus each series' latest row before fromS. */
function inWindow<Row extends { timeS: number }>(fromS: number, toS: number, key: (row: Row) => string, only: Set<string> | undefined): Collector<Row> {
  const before = new Map<string, Row>();
  const inside: Row[] = [];
  return {
    add(row) {
      if (Number.isNaN(row.timeS) || row.timeS >= toS || (only && !only.has(key(row)))) return;
      const kept = before.get(key(row));
      if (row.timeS >= fromS) inside.push(row);
      else if (!kept || kept.timeS <= row.timeS) before.set(key(row), row);
    },
    rows: () => [...before.values(), ...inside],
  };
}

function keepAll<Row>(): Collector<Row> {
  const rows: Row[] = [];
  return { add: (row) => rows.push(row), rows: () => rows };
}

/** Streams a file (gzip or plain) through a table's parser into a collector. */
async function readTable<Row>(file: string, table: AlibabaTable<Row>, collector: Collector<Row> = keepAll()): Promise<Row[]> {
  let lineNo = 0;
  try {
    for await (const line of await lines(file)) {
      const row = parseLine(table, line, ++lineNo, file);
      if (row) collector.add(row);
    }
  } catch (e) {
    if (e instanceof FerryError) throw e;
    throw new FerryError('FERRY_ERR_INVALID_INPUT', `${file}${lineNo ? ` after line ${lineNo}` : ''}: ${(e as Error).message}; name a readable, complete ${table.file}.csv or .csv.gz (download or extract it again)`, { cause: e });
  }
  return collector.rows();
}

/** The lines of a file, gunzipped when it starts with the gzip magic bytes. */
async function lines(file: string): Promise<AsyncIterable<string>> {
  const handle = await open(file);
  const magic = Buffer.alloc(2);
  await handle.read(magic, 0, 2, 0).finally(() => handle.close());
  const raw = createReadStream(file);
  const input = magic[0] === 0x1f && magic[1] === 0x8b ? pipeline(raw, createGunzip(), () => undefined) : raw;
  return (async function* () {
    try {
      yield* createInterface({ input, crlfDelay: Infinity });
    } finally {
      raw.destroy();
    }
  })();
}

/** The trace's files in a directory: `<table>.csv`, else `<table>.csv.gz`. */
async function filesIn(dir: string): Promise<AlibabaFiles> {
  const find = async (table: AlibabaTable<unknown>): Promise<string | undefined> => {
    for (const name of [`${table.file}.csv`, `${table.file}.csv.gz`]) {
      const path = join(dir, name);
      if (await exists(path)) return path;
    }
    if (await exists(join(dir, `${table.file}.tar.gz`))) fail(`${dir} holds ${table.file}.tar.gz, an archive: extract it there (tar -xzf ${table.file}.tar.gz) so that ${table.file}.csv is readable`);
    return undefined;
  };
  const files: AlibabaFiles = {
    containerMeta: await find(CONTAINER_META),
    containerUsage: await find(CONTAINER_USAGE),
    machineMeta: await find(MACHINE_META),
    machineUsage: await find(MACHINE_USAGE),
  };
  if (!Object.values(files).some(Boolean)) fail(`${dir} holds none of container_meta, container_usage, machine_meta, machine_usage (.csv or .csv.gz); point at the folder of the extracted cluster-trace-v2018`);
  return files;
}

async function exists(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw e;
  }
}
