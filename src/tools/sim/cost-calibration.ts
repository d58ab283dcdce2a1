/**
 * @module tools/sim/cost-calibration — fits the coefficients of sim/cost-model to the rows of
 * `ferry bench migrate`, one strategy from the rows of the same name, and keeps every measured
 * row beside its prediction so a report can show how far the model is off. Pure but for
 * `loadCalibration`, which only reads the results file.
 *
 * Every fit is a non-negative least squares on relative errors (each row weighs 1 / measured),
 * so a 0.5 s row counts as much as a 30 s one and no coefficient can turn a cost around:
 * 1. rounds (pre-copy, pre-store): a round's ms against [line time of what it sent, memory, 1];
 *    the MiB dirtied before the next round against the dirty rate × [line time sent, memory, 1];
 * 2. downtime minus the model's final round against [1, memory, line time of memory]; when every
 *    row ran at one bandwidth, memory and its line time are proportional and the downtime alone
 *    cannot tell CRIU's cost from the link's, so it goes in two steps:
 *    a. the frozen transfer the row reports (its `transfer` phase) minus the model's final round
 *       against [1, line time of memory]: the slope is `frozenLineFactor` (0 when no row reports
 *       the phase; the intercept is left to step b);
 *    b. downtime minus that line term and the model's final round against [1, memory];
 * 3. total minus the model's rounds and downtime against [1] (setup);
 * 4. wire MiB against [1, MiB the model sends].
 */
import { readFile } from 'node:fs/promises';
import { FerryError } from '../../core/errors.ts';
import { caseLabel, findRow, measured } from '../bench/cases.ts';
import type { BenchCase, BenchResults, BenchRow } from '../bench/results.ts';
import { PAGE } from '../../domain/pages/page-delta.ts';
import { DEFAULT_ROUND_LIMITS, MIB_PER_MB, MIGRATION_STRATEGIES, lineMs, migrationCost, planRounds, type CostModel, type MigrationCost, type MigrationInput, type MigrationStrategy, type RoundCoefficients, type RoundLimits, type StrategyCoefficients } from './cost-model.ts';

/** Where `ferry bench migrate` writes its results. */
export const BENCH_RESULTS_FILE = 'bench/results/migrate-latest.json';

/**
 * The results the model is fitted on unless a scenario names others (`migration.calibration`):
 * one machine on 2026-12-06 (kernel 6.18.44-fc-v1272, CRIU 4.2.1, Docker 20.10), every migration
 * thin with lazy restore. The rows fitted are stop-copy, precopy and prestore of two cases at
 * 1000 Mbit/s: stream 1024 MiB dirtying 50 MB/s (`ferry bench migrate --headline`) and stream
 * 256 MiB dirtying 20 MB/s (`ferry bench migrate --quick`); the files' other rows (baseline,
 * podman, the variants without deferral or threshold, the bound) are no strategy the model prices.
 * The older run on CRIU 4.1.1 without thin checkpoints stays in BENCH_RESULTS_FILE; a scenario
 * that names it as its calibration is priced as before.
 */
export const CALIBRATION_FILES: readonly string[] = ['bench/results/migrate-headline-latest.json', 'bench/results/migrate-quick-latest.json'];

/**
 * Workloads whose cost is their memory. compile's is mostly its files (stop-copy stages 5.9 of
 * its 10.3 s copying the writable layer) and its pages compress 7:1; neither is an input of the
 * model, so its rows are reported beside the others but not fitted.
 */
export const FITTED_WORKLOADS: readonly BenchCase['workload'][] = ['stream', 'loop'];

/** One measured row beside what the calibrated model predicts for it. */
export interface CalibrationPoint {
  /** The benchmark case in words. */
  case: string;
  /** Whether the row took part in the fit (see FITTED_WORKLOADS). */
  fitted: boolean;
  input: MigrationInput;
  measured: MigrationCost;
  predicted: MigrationCost;
  /** predicted ÷ measured − 1, per measure. */
  error: MigrationCost;
}

/** A cost model with where it came from and how well it reproduces what it came from. */
export interface CostCalibration extends CostModel {
  source: string;
  points: CalibrationPoint[];
}

const MIB = 2 ** 20;

/** One usable row of a strategy, in the model's terms. */
interface Sample {
  row: BenchRow;
  fitted: boolean;
  input: MigrationInput;
  measured: MigrationCost;
  /** The time the row reports for sending while frozen (its `transfer` phase), ms. */
  frozenTransferMs?: number;
}

/** Fits every strategy to `results`; refuses results that lack one, naming it and the command that measures it. */
export function calibrateFrom(results: BenchResults, source = 'the benchmark results'): CostCalibration {
  if (results?.kind !== 'ferry-bench-migrate' || !Array.isArray(results.rows)) throw notResults(source);
  const samples = results.rows.flatMap((row) => sampleOf(row, results.rows));
  const strategies = {} as Record<MigrationStrategy, StrategyCoefficients>;
  for (const strategy of MIGRATION_STRATEGIES) {
    const fit = samples.filter((s) => s.input.strategy === strategy && s.fitted);
    if (!fit.length) {
      throw new FerryError('FERRY_ERR_INVALID_INPUT', `${source} has no successful ${strategy} row of a ${FITTED_WORKLOADS.join(' or ')} workload, so the migration cost model cannot price ${strategy}; run \`ferry bench migrate\` (it writes ${BENCH_RESULTS_FILE}) and load its results`);
    }
    strategies[strategy] = fitStrategy(strategy, fit, DEFAULT_ROUND_LIMITS);
  }
  const model: CostModel = { strategies, limits: DEFAULT_ROUND_LIMITS };
  return { ...model, source, points: samples.map((s) => pointOf(s, model)) };
}

/** The table of every measured ferry row against the model's prediction, fitted rows first. */
export function calibrationReport(calibration: CostCalibration): CalibrationPoint[] {
  return [...calibration.points].sort((a, b) => Number(b.fitted) - Number(a.fitted));
}

/** Reads the results of one or more `ferry bench migrate` runs on one machine and calibrates the model on all their rows. */
export async function loadCalibration(files: string | readonly string[] = CALIBRATION_FILES): Promise<CostCalibration> {
  const list = typeof files === 'string' ? [files] : files;
  const runs: BenchResults[] = [];
  for (const file of list) {
    try {
      runs.push(JSON.parse(await readFile(file, 'utf8')) as BenchResults);
    } catch (cause) {
      throw new FerryError('FERRY_ERR_INVALID_INPUT', `${file} cannot be read as benchmark results (${(cause as Error).message}); run \`ferry bench migrate\` to measure migrations and write it`, { cause });
    }
  }
  return calibrateFrom(mergeRuns(runs, list), list.join(' + '));
}

/** The rows of several runs as one; refuses a file that is no benchmark run, and runs from different machines (a fit across them prices neither). */
export function mergeRuns(runs: readonly BenchResults[], files: readonly string[]): BenchResults {
  runs.forEach((r, i) => {
    if (r?.kind !== 'ferry-bench-migrate' || !Array.isArray(r.rows)) throw notResults(files[i] ?? 'the benchmark results');
  });
  const machineOf = (r: BenchResults): string => `kernel ${r.machine?.kernel}, CRIU ${r.machine?.criu}`;
  const [first, ...rest] = runs;
  if (!first) throw new FerryError('FERRY_ERR_INVALID_INPUT', `no benchmark results to calibrate the migration cost model on; name at least one file \`ferry bench migrate\` wrote, such as ${CALIBRATION_FILES.join(' and ')}`);
  rest.forEach((r, i) => {
    if (machineOf(r) !== machineOf(first)) {
      throw new FerryError('FERRY_ERR_INVALID_INPUT', `${files[i + 1]} was measured on ${machineOf(r)} but ${files[0]} on ${machineOf(first)}; calibrate on the results of one machine (run \`ferry bench migrate\` there)`);
    }
  });
  return { ...first, rows: runs.flatMap((r) => r.rows) };
}

function notResults(source: string): FerryError {
  return new FerryError('FERRY_ERR_INVALID_INPUT', `${source} is not the output of \`ferry bench migrate\` (kind "ferry-bench-migrate"); run \`ferry bench migrate\` to write ${BENCH_RESULTS_FILE}`);
}

/** A row in the model's terms, when it is a ferry strategy that ran and measured all three costs. */
function sampleOf(row: BenchRow, rows: readonly BenchRow[]): Sample[] {
  const strategy = MIGRATION_STRATEGIES.find((s) => s === row.strategy);
  // A "TLS off" twin measures what TLS costs, not the migration the model prices: the fit takes the rows as ferry runs them.
  if (row.tls === false) return [];
  const totalMs = measured(row, 'totalMs');
  const downtimeMs = measured(row, 'downtimeMs');
  const wireBytes = measured(row, 'wireBytes');
  if (!strategy || totalMs === undefined || downtimeMs === undefined || wireBytes === undefined) return [];
  const input: MigrationInput = { memoryMiB: memoryOf(row, rows), dirtyRateMBps: dirtyRateOf(row), bandwidthMbps: row.case.bandwidthMbit, strategy };
  const transfer = row.phases?.transfer;
  const frozenTransferMs = transfer !== undefined && Number.isFinite(transfer) && transfer >= 0 ? { frozenTransferMs: transfer } : {};
  return [{ row, fitted: FITTED_WORKLOADS.includes(row.case.workload), input, measured: { totalMs, downtimeMs, wireMiB: wireBytes / MIB }, ...frozenTransferMs }];
}

/** The case's memory; for workloads that size themselves, the footprint the benchmark measured. */
function memoryOf(row: BenchRow, rows: readonly BenchRow[]): number {
  if (row.case.sizeMiB > 0) return row.case.sizeMiB;
  const bytes = measured(findRow(rows, row.case, 'bound'), 'footprintBytes') ?? measured(row, 'footprintBytes') ?? (row.rounds?.[0]?.dirtyPages ?? 0) * PAGE;
  return bytes / MIB;
}

/** The case's dirty rate; for workloads that set their own, the MB dirtied per second of the rounds before. */
function dirtyRateOf(row: BenchRow): number {
  if (row.case.dirtyMBps > 0) return row.case.dirtyMBps;
  const rounds = (row.rounds ?? []).filter((r) => !r.final);
  const dirtied = rounds.slice(1).reduce((a, r) => a + r.dirtyPages * PAGE, 0);
  const seconds = rounds.slice(0, -1).reduce((a, r) => a + r.ms / 1000, 0);
  return seconds > 0 ? dirtied / 1e6 / seconds : 0;
}

/** The coefficients of one strategy from its fitted samples (steps 1–4 of the module header). */
function fitStrategy(strategy: MigrationStrategy, fit: readonly Sample[], limits: RoundLimits): StrategyCoefficients {
  const rounds = strategy === 'stop-copy' ? undefined : fitRounds(fit);
  const plans = fit.map((s) => (rounds ? planRounds(s.input.memoryMiB, s.input.dirtyRateMBps, s.input.bandwidthMbps, rounds, limits) : undefined));
  const [freezeMs, checkpointMsPerMiB, frozenLineFactor] = fitDowntime(fit, plans.map((p) => p?.finalMs ?? 0));
  const downtime = (s: Sample, i: number): number => freezeMs + checkpointMsPerMiB * s.input.memoryMiB + frozenLineFactor * lineMs(s.input.memoryMiB, s.input.bandwidthMbps) + (plans[i]?.finalMs ?? 0);
  const [setupMs = 0] = relativeFit(
    fit.map(() => [1]),
    fit.map((s, i) => s.measured.totalMs - (plans[i]?.roundsMs ?? 0) - downtime(s, i)),
    fit.map((s) => s.measured.totalMs),
  );
  const [wireBaseMiB = 0, wireFactor = 0] = relativeFit(
    fit.map((s, i) => [1, plans[i] ? plans[i].sentMiB + plans[i].finalMiB : s.input.memoryMiB]),
    fit.map((s) => s.measured.wireMiB),
    fit.map((s) => s.measured.wireMiB),
  );
  return { freezeMs, checkpointMsPerMiB, frozenLineFactor, setupMs, wireBaseMiB, wireFactor, ...(rounds ? { rounds } : {}) };
}

/**
 * freezeMs, checkpointMsPerMiB and frozenLineFactor (step 2 of the module header) from the
 * downtime less the model's final round of each sample: together against [1, memory, line
 * time] when the rows ran at more than one bandwidth, else the line term first from the frozen
 * transfer the rows report.
 */
function fitDowntime(fit: readonly Sample[], finalMs: readonly number[]): [number, number, number] {
  const line = (s: Sample): number => lineMs(s.input.memoryMiB, s.input.bandwidthMbps);
  const frozen = fit.map((s, i) => s.measured.downtimeMs - (finalMs[i] ?? 0));
  const weights = fit.map((s) => s.measured.downtimeMs);
  if (new Set(fit.map((s) => s.input.bandwidthMbps)).size > 1) {
    const [freezeMs = 0, checkpointMsPerMiB = 0, frozenLineFactor = 0] = relativeFit(fit.map((s) => [1, s.input.memoryMiB, line(s)]), frozen, weights);
    return [freezeMs, checkpointMsPerMiB, frozenLineFactor];
  }
  const sent = fit.flatMap((s, i) => (s.frozenTransferMs === undefined ? [] : [{ s, y: s.frozenTransferMs - (finalMs[i] ?? 0) }]));
  const [, frozenLineFactor = 0] = relativeFit(sent.map(({ s }) => [1, line(s)]), sent.map(({ y }) => y), sent.map(({ s }) => s.frozenTransferMs ?? 0));
  const [freezeMs = 0, checkpointMsPerMiB = 0] = relativeFit(fit.map((s) => [1, s.input.memoryMiB]), frozen.map((y, i) => y - frozenLineFactor * line(fit[i]!)), weights);
  return [freezeMs, checkpointMsPerMiB, frozenLineFactor];
}

/** Round time and dirtying from the measured rounds (the final, frozen round aside). */
function fitRounds(fit: readonly Sample[]): RoundCoefficients {
  const time: { x: number[]; y: number }[] = [];
  const dirty: { x: number[]; y: number }[] = [];
  for (const s of fit) {
    const { memoryMiB: m, bandwidthMbps: bw } = s.input;
    const rounds = (s.row.rounds ?? []).filter((r) => !r.final);
    const dirtyMiBps = s.row.case.dirtyMBps * MIB_PER_MB;
    rounds.forEach((r, i) => {
      const sentLineMs = lineMs((r.sentPages * PAGE) / MIB, bw);
      if (r.ms > 0) time.push({ x: [sentLineMs, m, 1], y: r.ms });
      const next = rounds[i + 1];
      if (next && next.dirtyPages > 0 && dirtyMiBps > 0) dirty.push({ x: [sentLineMs, m, 1].map((v) => (dirtyMiBps * v) / 1000), y: (next.dirtyPages * PAGE) / MIB });
    });
  }
  const [sendFactor = 0, scanMsPerMiB = 0, roundMs = 0] = relativeFit(time.map((p) => p.x), time.map((p) => p.y), time.map((p) => p.y));
  const [dirtySendFactor = 0, dirtyMsPerMiB = 0, dirtyMs = 0] = relativeFit(dirty.map((p) => p.x), dirty.map((p) => p.y), dirty.map((p) => p.y));
  return { sendFactor, scanMsPerMiB, roundMs, dirtySendFactor, dirtyMsPerMiB, dirtyMs };
}

/** A measured row beside the model's prediction. */
function pointOf(s: Sample, model: CostModel): CalibrationPoint {
  const predicted = migrationCost(s.input, model);
  const rel = (key: keyof MigrationCost): number => predicted[key] / s.measured[key] - 1;
  return { case: caseLabel(s.row.case), fitted: s.fitted, input: s.input, measured: s.measured, predicted, error: { totalMs: rel('totalMs'), downtimeMs: rel('downtimeMs'), wireMiB: rel('wireMiB') } };
}

/** Non-negative least squares of y on x, each row weighed by 1 / scale (relative errors). */
function relativeFit(x: readonly number[][], y: readonly number[], scale: readonly number[]): number[] {
  const w = scale.map((v) => 1 / Math.max(Math.abs(v), 1e-9));
  return nonNegativeLeastSquares(x.map((row, i) => row.map((v) => v * (w[i] ?? 0))), y.map((v, i) => v * (w[i] ?? 0)));
}

/**
 * argmin ‖A·c − b‖ over c ≥ 0, exactly, for the few coefficients here: the optimum is the
 * unconstrained least squares on some subset of the coefficients (the others 0), so try every
 * subset (2^k systems, k ≤ 3) and keep the best one whose coefficients are all ≥ 0.
 */
export function nonNegativeLeastSquares(a: readonly number[][], b: readonly number[]): number[] {
  const k = a[0]?.length ?? 0;
  let best = { c: new Array<number>(k).fill(0), sse: sumOfSquares(a, b, new Array<number>(k).fill(0)) };
  for (let mask = 1; mask < 1 << k; mask++) {
    const cols = [...Array(k).keys()].filter((j) => mask & (1 << j));
    const sub = solveNormal(a.map((row) => cols.map((j) => row[j] ?? 0)), b);
    if (!sub || sub.some((v) => v < 0)) continue;
    const c = new Array<number>(k).fill(0);
    cols.forEach((j, i) => (c[j] = sub[i] ?? 0));
    const sse = sumOfSquares(a, b, c);
    if (sse < best.sse) best = { c, sse };
  }
  return best.c;
}

function sumOfSquares(a: readonly number[][], b: readonly number[], c: readonly number[]): number {
  return a.reduce((sum, row, i) => sum + (row.reduce((p, v, j) => p + v * (c[j] ?? 0), 0) - (b[i] ?? 0)) ** 2, 0);
}

/** Solves AᵀA·c = Aᵀb by Gaussian elimination with partial pivoting; undefined when singular. */
function solveNormal(a: readonly number[][], b: readonly number[]): number[] | undefined {
  const k = a[0]?.length ?? 0;
  const idx = [...Array(k).keys()];
  const at = (row: readonly number[] | undefined, j: number): number => row?.[j] ?? 0;
  const m = idx.map((i) => [...idx.map((j) => a.reduce((s, row) => s + at(row, i) * at(row, j), 0)), a.reduce((s, row, n) => s + at(row, i) * (b[n] ?? 0), 0)]);
  const tiny = 1e-12 * Math.max(0, ...idx.map((i) => Math.abs(at(m[i], i))));
  for (const i of idx) {
    const p = idx.filter((j) => j >= i).reduce((best, j) => (Math.abs(at(m[j], i)) > Math.abs(at(m[best], i)) ? j : best), i);
    const pivot = m[p] ?? [];
    m[p] = m[i] ?? [];
    m[i] = pivot;
    if (Math.abs(at(pivot, i)) <= tiny) return undefined;
    for (const row of m) {
      if (row === pivot) continue;
      const f = at(row, i) / at(pivot, i);
      for (let c = i; c <= k; c++) row[c] = at(row, c) - f * at(pivot, c);
    }
  }
  return idx.map((i) => at(m[i], k) / at(m[i], i));
}
