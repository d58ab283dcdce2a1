/**
 * @module tools/testbed/kept-runs — the pure rules of kept logs: how a kept run is named, which old
 * runs are pruned, where a kept directory may not lie, which files are logs worth keeping,
 * and the README that says what failed.
 */
import path from 'node:path';
import { inspect } from 'node:util';
import { FerryError } from '../../core/errors.ts';

/** A kept run's directory name: UTC time to the millisecond, then what failed (and `-N` after a clash). */
const KEPT_NAME = /^\d{8}-\d{6}-\d{3}-[a-z0-9][a-z0-9.-]*$/;

/** Longest slug of what failed, in a kept run's name. */
const MAX_WHAT = 64;

/** The slug of what failed: lower case, [a-z0-9.-] only, at most 64 characters ('run' when nothing is left). */
export function whatSlug(what: string): string {
  const slug = what.toLowerCase().replace(/[^a-z0-9.]+/g, '-').replace(/-{2,}/g, '-').replace(/^[-.]+/, '').slice(0, MAX_WHAT).replace(/[-.]+$/, '');
  return slug === '' ? 'run' : slug;
}

/** The directory name of a run kept at `now` for `what`: `20261206-102233-123-demo`. */
export function keptRunName(now: Date, what: string): string {
  const iso = now.toISOString(); // 2026-12-06T10:22:33.123Z
  const stamp = `${iso.slice(0, 10).replaceAll('-', '')}-${iso.slice(11, 19).replaceAll(':', '')}-${iso.slice(20, 23)}`;
  return `${stamp}-${whatSlug(what)}`;
}

/** True when a directory name is one {@link keptRunName} made (pruning never touches anything else). */
export function isKeptRunName(name: string): boolean {
  return KEPT_NAME.test(name);
}

/** The kept runs to remove so that `keep` remain, `current` among them: the oldest by name (names start with their time). */
export function runsToPrune(names: readonly string[], keep: number, current: string): string[] {
  const others = names.filter((n) => n !== current && isKeptRunName(n)).sort().reverse();
  return others.slice(Math.max(0, keep - 1)).sort();
}

/** True when `inner` is `outer` or lies below it. */
function within(inner: string, outer: string): boolean {
  const rel = path.relative(path.resolve(outer), path.resolve(inner));
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/** Why a kept directory cannot be used with a test bed (it would be removed with it), or null when it can. */
export function keptRootProblem(keptRoot: string, testbed: { stateDir: string; runDir: string }): string | null {
  for (const [what, dir] of [['state dir', testbed.stateDir], ['run dir', testbed.runDir]] as const) {
    if (within(keptRoot, dir)) {
      return `testbed.keptLogsDir ${keptRoot} lies in the test bed's ${what} ${dir}, which \`ferry testbed down\` removes; set testbed.keptLogsDir (FERRY_TESTBED_KEPT_LOGS_DIR) to a directory outside it`;
    }
  }
  return null;
}

/** CRIU's own logs as runc, Docker and ferry name them (dump.log, restore.log, pre-dump.log, lazy-pages.log, ferry's <migration>-restore.log and <migration>-lazy-pages.log, …). */
const CRIU_LOG = /^(m-[0-9a-f-]+-)?(dump|pre-dump|predump|restore|lazy-pages|page-server|check|cpuinfo|criu)([-.][\w.-]*)?\.log$/;
/** A container's output as Docker's json-file driver keeps it. */
const CONTAINER_LOG = /^[0-9a-f]{64}-json\.log(\.\d+)?$/;

/** What kind of log a file name is, or null when it is not one kept from the roots. */
export function logKind(name: string): 'criu' | 'container' | null {
  if (CRIU_LOG.test(name)) return 'criu';
  if (CONTAINER_LOG.test(name)) return 'container';
  return null;
}

/**
 * Directories never searched for logs: container file systems, image layers, volumes and
 * containerd's content and snapshots (large, and no CRIU or engine log lives there).
 */
const SKIPPED_DIRS = new Set([
  'overlay2', 'image', 'volumes', 'rootfs', 'buildkit', 'tmp', 'netns', 'plugins', 'trust', 'swarm',
  'io.containerd.content.v1.content', 'io.containerd.snapshotter.v1.overlayfs', 'io.containerd.snapshotter.v1.native',
  'io.containerd.snapshotter.v1.btrfs', 'io.containerd.snapshotter.v1.zfs', 'io.containerd.metadata.v1.bolt',
]);

/** True when the search for logs goes into a directory of this name. */
export function searchesDir(name: string): boolean {
  return !SKIPPED_DIRS.has(name);
}

/** One file copied into a kept run. */
export interface KeptFile {
  /** Path inside the kept run. */
  kept: string;
  /** Where it came from. */
  from: string;
  bytes: number;
  /** True when only the file's tail was kept (it was larger than the cap). */
  cut: boolean;
}

/** What a kept run's README says. */
export interface KeptSummary {
  what: string;
  at: Date;
  /** The error, in words (code and message; a stack for errors that are not ferry's). */
  error: string;
  stateDir: string;
  hosts: readonly string[];
  files: readonly KeptFile[];
  /** Things looked for and not there, or that could not be copied. */
  missing: readonly string[];
}

/** The README of a kept run. */
export function readmeText(s: KeptSummary): string {
  const size = (n: number): string => (n >= 1024 * 1024 ? `${(n / 1048576).toFixed(1)} MiB` : n >= 1024 ? `${(n / 1024).toFixed(1)} KiB` : `${n} B`);
  const criu = s.files.filter((f) => logKind(path.basename(f.kept)) === 'criu');
  return [
    '# ferry: logs kept after a failure',
    '',
    `- what failed: ${s.what}`,
    `- when: ${s.at.toISOString()}`,
    `- test bed: ${s.stateDir} (hosts ${s.hosts.join(', ') || 'none'})`,
    '',
    '## Error',
    '',
    '```',
    s.error.trim() || '(no error recorded)',
    '```',
    '',
    '## Files',
    '',
    'Per host: `logs/` (agent.log, dockerd.log — containerd, started by dockerd, writes into it),',
    '`agent/` (the agent\'s migration records), and CRIU and container logs found under the',
    'agent state dir (`agent-state/`), the Docker data root (`data-root/`) and exec root (`exec-root/`).',
    criu.length === 0 ? '\nNo CRIU log was found. runc removes its work directory (restore.log) when a restore fails; the error above and the agent log carry the tail of CRIU\'s log.\n' : '',
    ...s.files.map((f) => `- ${f.kept} (${size(f.bytes)}${f.cut ? ', tail only' : ''}) ← ${f.from}`),
    ...(s.missing.length ? ['', '## Not kept', '', ...s.missing.map((m) => `- ${m}`)] : []),
    '',
  ].join('\n');
}

/** An error in words: a FerryError's code and message, another Error's stack, then its causes (at most 5 deep). */
export function errorText(error: unknown, depth = 0): string {
  if (error === undefined) return '';
  const cause = error instanceof Error && error.cause !== undefined && depth < 5 ? `\ncaused by: ${errorText(error.cause, depth + 1)}` : '';
  if (error instanceof FerryError) return `${error.code}: ${error.message}${cause}`;
  if (error instanceof Error) return `${error.stack ?? `${error.name}: ${error.message}`}${cause}`;
  return typeof error === 'string' ? error : inspect(error);
}
