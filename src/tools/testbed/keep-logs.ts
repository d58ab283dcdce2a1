/**
 * @module tools/testbed/keep-logs — after a failure, copies what explains it out of the test bed
 * before teardown removes it: every host's agent and dockerd logs, the agent's migration
 * records, every CRIU log (source work dirs, Docker checkpoint dirs, runc work dirs) and the
 * containers' output, plus cluster.json and the `*.log` files beside the hosts (a controller's),
 * into `testbed.keptLogsDir/<time>-<what>` with a README saying what failed; old kept runs beyond `testbed.keptLogsRuns` are removed.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { copyFile, lstat, mkdir, readdir, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { FerryError } from '../../core/errors.ts';
import { loadConfig, type Config } from '../../core/config.ts';
import { planOfCluster, tryLoadCluster, type Cluster } from './cluster.ts';
import { errorText, keptRootProblem, keptRunName, logKind, readmeText, runsToPrune, searchesDir, type KeptFile } from './kept-runs.ts';
import type { HostPlan, TestbedPlan } from './plan.ts';

/** What failed, for the kept run's name and README. */
export interface KeepReason {
  /** Short name of what failed ("demo", "bench-stream-256-precopy", "migrate.test"); becomes part of the directory name. */
  what: string;
  /** The error (a FerryError, an Error, or words). */
  error?: unknown;
}

/** Options of {@link keepLogs}. */
export interface KeepLogsOptions {
  /** Supplies testbed.keptLogsDir and testbed.keptLogsRuns (default: this process's configuration). */
  config?: Config;
  now?: Date;
}

/** The largest part of one file that is kept (its tail), in bytes. */
const FILE_CAP = 32 * 1024 * 1024;
/** At most this many directory entries are looked at per root, so a huge data root cannot stall a failure path. */
const SEARCH_BUDGET = 200_000;
/** Deepest directory level searched below a root (runc work dirs sit at depth 4-8). */
const MAX_DEPTH = 10;

/** Keeps the logs of a running (or half torn down) test bed; returns the kept directory. */
export function keepLogs(cluster: Cluster, reason: KeepReason, options: KeepLogsOptions = {}): Promise<string> {
  return keepLogsOfPlan(planOfCluster(cluster), reason, options);
}

/**
 * Keeps the logs of the test bed in `stateDir`: from its cluster.json, else (a failed `up`)
 * from `fallback`'s names when a host has a log dir; null when there is no test bed to keep.
 */
export async function keepLogsOfStateDir(stateDir: string, reason: KeepReason, fallback?: () => TestbedPlan, options: KeepLogsOptions = {}): Promise<string | null> {
  const cluster = await tryLoadCluster(stateDir);
  if (cluster) return keepLogs(cluster, reason, options);
  const plan = fallback?.();
  if (!plan) return null;
  const started = await Promise.all(plan.hosts.map((h) => stat(h.logDir).then(() => true, () => false)));
  return started.includes(true) ? keepLogsOfPlan(plan, reason, options) : null;
}

/**
 * {@link keepLogsOfStateDir} on a failure path: never throws, so the failure stays the error
 * that is reported; says the kept directory (or why none could be kept) through `say`.
 */
export async function keepLogsAfterFailure(stateDir: string, reason: KeepReason, say: (line: string) => void, fallback?: () => TestbedPlan, options: KeepLogsOptions = {}): Promise<string | null> {
  try {
    const dir = await keepLogsOfStateDir(stateDir, reason, fallback, options);
    if (dir === null) say(`no test bed in ${stateDir}: no logs to keep`);
    return dir;
  } catch (err) {
    say(`could not keep the logs of ${stateDir}: ${errorText(err)}`);
    return null;
  }
}

/** Keeps the logs of a test bed by its plan (works before cluster.json exists, e.g. after a failed `up`); returns the kept directory. */
export async function keepLogsOfPlan(plan: TestbedPlan, reason: KeepReason, options: KeepLogsOptions = {}): Promise<string> {
  const config = options.config ?? loadConfig();
  const { keptLogsDir, keptLogsRuns } = config.testbed;
  const problem = keptRootProblem(keptLogsDir, plan);
  if (problem) throw new FerryError('FERRY_ERR_CONFIG', problem);
  const at = options.now ?? new Date();
  const dir = await makeRunDir(keptLogsDir, keptRunName(at, reason.what));
  const files: KeptFile[] = [];
  const missing: string[] = [];
  const keep = async (from: string, kept: string): Promise<void> => {
    try {
      files.push({ from, kept, ...await copyTail(from, path.join(dir, kept)) });
    } catch (err) {
      missing.push(`${kept}: ${(err as Error).message}`);
    }
  };
  if (await isFile(plan.clusterFile)) await keep(plan.clusterFile, 'cluster.json');
  else missing.push(`cluster.json (${plan.clusterFile} is not there)`);
  // Logs beside the hosts (a test's controller.log, say).
  for (const from of await filesIn(plan.stateDir, (name) => name.endsWith('.log'))) await keep(from, path.basename(from));
  for (const host of plan.hosts) {
    const found = await hostFiles(host);
    if (found.length === 0) missing.push(`${host.name}: no log under ${host.logDir}, ${host.agentStateDir}, ${host.dataRoot} or ${host.execRoot}`);
    for (const f of found) await keep(f.from, f.kept);
  }
  await writeFile(path.join(dir, 'README.md'), readmeText({
    what: reason.what, at, error: errorText(reason.error), stateDir: plan.stateDir,
    hosts: plan.hosts.map((h) => h.name), files, missing,
  }), { mode: 0o600 });
  await prune(keptLogsDir, keptLogsRuns, path.basename(dir));
  return dir;
}

/** Creates the kept run's directory (mode 0700: logs may name internal paths and addresses), `-2`… after a clash. */
async function makeRunDir(root: string, name: string): Promise<string> {
  await mkdir(root, { recursive: true, mode: 0o755 });
  for (let n = 1; ; n++) {
    const dir = path.join(root, n === 1 ? name : `${name}-${n}`);
    try {
      await mkdir(dir, { mode: 0o700 });
      return dir;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || n >= 100) throw err;
    }
  }
}

/** The files of one host worth keeping, each with its path inside the kept run. */
async function hostFiles(h: HostPlan): Promise<Array<{ from: string; kept: string }>> {
  const out: Array<{ from: string; kept: string }> = [];
  for (const from of await filesIn(h.logDir)) out.push({ from, kept: path.join(h.name, 'logs', path.basename(from)) });
  for (const name of ['agent.db', 'agent.db-wal']) {
    const from = path.join(h.agentStateDir, name);
    if (await isFile(from)) out.push({ from, kept: path.join(h.name, 'agent', name) });
  }
  for (const [label, root] of [['agent-state', h.agentStateDir], ['data-root', h.dataRoot], ['exec-root', h.execRoot]] as const) {
    for (const from of await findLogs(root)) out.push({ from, kept: path.join(h.name, label, path.relative(root, from)) });
  }
  return out;
}

/** CRIU and container logs below `root`: regular files only, never through a symlink or into another file system. */
async function findLogs(root: string): Promise<string[]> {
  const top = await lstat(root).catch(() => null);
  if (!top?.isDirectory()) return [];
  const found: string[] = [];
  let budget = SEARCH_BUDGET;
  const queue: Array<{ dir: string; depth: number }> = [{ dir: root, depth: 0 }];
  while (queue.length > 0 && budget > 0) {
    const { dir, depth } = queue.shift() as { dir: string; depth: number };
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
    budget -= entries.length;
    for (const e of entries) {
      const p = path.join(dir, e.name);
      if (e.isFile() && logKind(e.name)) found.push(p);
      else if (e.isDirectory() && depth < MAX_DEPTH && searchesDir(e.name)) {
        const st = await lstat(p).catch(() => null);
        if (st?.dev === top.dev) queue.push({ dir: p, depth: depth + 1 });
      }
    }
  }
  return found;
}

/** Copies a file, or only its last FILE_CAP bytes when it is larger; returns what was kept. */
async function copyTail(from: string, to: string): Promise<{ bytes: number; cut: boolean }> {
  await mkdir(path.dirname(to), { recursive: true, mode: 0o700 });
  const { size } = await stat(from);
  if (size <= FILE_CAP) {
    await copyFile(from, to);
    return { bytes: size, cut: false };
  }
  const out = createWriteStream(to, { mode: 0o600 });
  out.write(`[ferry: the first ${size - FILE_CAP} bytes of ${from} were not kept]\n`);
  await pipeline(createReadStream(from, { start: size - FILE_CAP }), out);
  return { bytes: FILE_CAP, cut: true };
}

/** Removes kept runs beyond `keep` (the newest stay); a run that cannot be removed is left. */
async function prune(root: string, keep: number, current: string): Promise<void> {
  const names = await readdir(root).catch(() => [] as string[]);
  for (const name of runsToPrune(names, keep, current)) await rm(path.join(root, name), { recursive: true, force: true }).catch(() => undefined);
}

/** The regular files directly in `dir` whose names `wanted` accepts (none when it cannot be read). */
async function filesIn(dir: string, wanted: (name: string) => boolean = () => true): Promise<string[]> {
  const out: string[] = [];
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    const p = path.join(dir, name);
    if (wanted(name) && await isFile(p)) out.push(p);
  }
  return out;
}

async function isFile(p: string): Promise<boolean> {
  return stat(p).then((st) => st.isFile(), () => false);
}
