/** @module adapters/host/run — runs programs with argument arrays (never a shell) and finds binaries on PATH. */
import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { FerryError, type ErrorCode } from '../../core/errors.ts';

/** What a finished program left behind. */
export interface RunResult {
  /** Exit code; -1 when the program could not start or was killed by a signal. */
  code: number;
  stdout: string;
  stderr: string;
  /** Why the program could not start or was stopped (ENOENT, timeout, signal), if so. */
  failure?: string;
  /** True when the deadline (`timeoutMs`) ended the program and its process group. */
  timedOut?: boolean;
}

/** Options of {@link run}. */
export interface RunOptions {
  env?: NodeJS.ProcessEnv;
  /**
   * Kill the program and every process of its group (SIGKILL) after this long, in ms. The
   * program runs as the leader of its own process group, so a child it started (runc's CRIU,
   * a wrapper's sleep) dies with it instead of living on as an orphan.
   */
  timeoutMs?: number;
  /** Written to the program's stdin, which is closed afterwards. */
  input?: string;
}

const MAX_OUTPUT = 8 * 1024 * 1024;

/** After the group is killed, how long to wait for the pipes to close (a process that left the group may hold them). */
const CLOSE_GRACE_MS = 2000;

/** Process groups of programs still running, killed when this process exits. */
const liveGroups = new Set<number>();
let exitHook = false;

/** Sends `signal` to a whole process group; a group already gone is not an error. */
export function killGroup(pgid: number, signal: NodeJS.Signals = 'SIGKILL'): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // the group is gone
  }
}

/** Runs `file` with `args` and collects its output; never throws for a failing program. */
export function run(file: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve) => {
    let stdout = '';
    let stderr = '';
    let failure: string | undefined;
    let timedOut = false;
    let done = false;
    // Its own process group (detached), so that a deadline can end the program's children too.
    const child = spawn(file, args, { env: options.env ?? process.env, stdio: ['pipe', 'pipe', 'pipe'], detached: true });
    const pgid = child.pid;
    if (pgid !== undefined) trackGroup(pgid);
    let grace: NodeJS.Timeout | undefined;
    const finish = (code: number | null, signal: NodeJS.Signals | null): void => {
      if (done) return;
      done = true;
      if (timer) clearTimeout(timer);
      if (grace) clearTimeout(grace);
      if (pgid !== undefined) liveGroups.delete(pgid);
      if (signal && !failure) failure = `killed by ${signal}`;
      resolve({ code: code ?? -1, stdout, stderr, ...(failure ? { failure } : {}), ...(timedOut ? { timedOut } : {}) });
    };
    const timer = options.timeoutMs === undefined ? undefined : setTimeout(() => {
      failure = `timed out after ${options.timeoutMs} ms`;
      timedOut = true;
      if (pgid !== undefined) killGroup(pgid);
      else child.kill('SIGKILL');
      // A process that left the group may still hold the pipes; the deadline holds regardless.
      grace = setTimeout(() => {
        child.stdout.destroy();
        child.stderr.destroy();
        finish(null, 'SIGKILL');
      }, CLOSE_GRACE_MS);
    }, options.timeoutMs);
    child.stdout.setEncoding('utf8').on('data', (d: string) => { if (stdout.length < MAX_OUTPUT) stdout += d; });
    child.stderr.setEncoding('utf8').on('data', (d: string) => { if (stderr.length < MAX_OUTPUT) stderr += d; });
    child.stdin.on('error', () => { /* the program may exit without reading its input */ });
    child.stdin.end(options.input ?? '');
    child.on('error', (err) => { failure ??= err.message; });
    child.on('close', finish);
  });
}

/** Remembers a running program's group, so that an exiting ferry does not leave it behind. */
function trackGroup(pgid: number): void {
  liveGroups.add(pgid);
  if (exitHook) return;
  exitHook = true;
  process.once('exit', () => {
    for (const g of liveGroups) killGroup(g);
  });
}

/**
 * Passes a signal on to every program still running: in their own groups they no longer
 * get the terminal's Ctrl-C. The CLI calls it from its signal handler.
 */
export function signalLiveGroups(signal: NodeJS.Signals): void {
  for (const g of liveGroups) killGroup(g, signal);
}

/** One line describing how a run failed, for error messages. */
export function describeRun(file: string, args: readonly string[], result: RunResult): string {
  const output = (result.stderr.trim() || result.stdout.trim()).split('\n').slice(-5).join(' | ');
  const how = result.failure ?? `exit code ${result.code}`;
  return `\`${[file, ...args].join(' ')}\` failed (${how})${output ? `: ${output}` : ''}`;
}

/** Runs a program and throws a FerryError of `code` (with `fix` appended) when it does not exit 0. */
export async function runOrThrow(
  code: ErrorCode, file: string, args: readonly string[], fix: string, options: RunOptions = {},
): Promise<RunResult> {
  const result = await run(file, args, options);
  if (result.code !== 0 || result.failure) {
    throw new FerryError(code, `${describeRun(file, args, result)}; ${fix}`);
  }
  return result;
}

/** Directories searched for binaries besides PATH (sbin is often missing from a user's PATH). */
const EXTRA_DIRS = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];

/** The absolute path of an executable named `name` on PATH (or a standard bin/sbin dir), or null. */
export function which(name: string, path: string = process.env.PATH ?? ''): string | null {
  const dirs = [...path.split(delimiter).filter((d) => d !== ''), ...EXTRA_DIRS];
  for (const dir of dirs) {
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return null;
}
