/** @module tools/testbed/procs — processes by PID: reading argv and state from /proc, finding by exact arguments, stopping with a grace period. */
import { readFile, readdir } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseProcStat } from './parse.ts';

/** The argument vector of a process, or null when it is gone. */
export async function readArgv(pid: number): Promise<string[] | null> {
  const raw = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => null);
  if (raw === null || raw === '') return null;
  return raw.replace(/\0$/, '').split('\0');
}

/** True when the process exists and is not a zombie. */
export async function isAlive(pid: number): Promise<boolean> {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => null);
  const parsed = stat === null ? null : parseProcStat(stat);
  return parsed !== null && parsed.state !== 'Z' && parsed.state !== 'X';
}

async function allPids(): Promise<number[]> {
  const entries = await readdir('/proc');
  return entries.filter((e) => /^\d+$/.test(e)).map(Number);
}

/** A process and its argument vector. */
export interface ProcessEntry {
  pid: number;
  argv: string[];
}

/** Every live process but this one, with its argv (one pass over /proc). */
export async function listProcesses(): Promise<ProcessEntry[]> {
  const out: ProcessEntry[] = [];
  for (const pid of await allPids()) {
    if (pid === process.pid) continue;
    const argv = await readArgv(pid);
    if (argv && (await isAlive(pid))) out.push({ pid, argv });
  }
  return out;
}

/** Live processes whose argv satisfies `match` (callers match exact arguments, never patterns). */
export async function findProcesses(match: (argv: readonly string[]) => boolean): Promise<number[]> {
  return (await listProcesses()).filter((p) => match(p.argv)).map((p) => p.pid);
}

/** The live children of a process. */
export async function childrenOf(ppid: number): Promise<number[]> {
  const out: number[] = [];
  for (const pid of await allPids()) {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => null);
    const parsed = stat === null ? null : parseProcStat(stat);
    if (parsed && parsed.ppid === ppid && parsed.state !== 'Z') out.push(pid);
  }
  return out;
}

/** The PID in a pid file, or null when the file is missing or holds no number. */
export async function readPidFile(path: string): Promise<number | null> {
  const raw = await readFile(path, 'utf8').catch(() => null);
  const pid = raw === null ? NaN : Number(raw.trim());
  return Number.isInteger(pid) && pid > 0 ? pid : null;
}

/** The PID if it is alive and its argv satisfies `match` (guards against a reused PID), else null. */
export async function verifiedPid(pid: number | null | undefined, match: (argv: readonly string[]) => boolean): Promise<number | null> {
  if (!pid || !(await isAlive(pid))) return null;
  const argv = await readArgv(pid);
  return argv && match(argv) ? pid : null;
}

/** Waits until a process is gone; true when it went within `timeoutMs`. */
export async function waitGone(pid: number, timeoutMs: number): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (!(await isAlive(pid))) return true;
    await sleep(50);
  }
  return !(await isAlive(pid));
}

/** Sends a signal, ignoring a process that is already gone. */
export function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
  }
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves once the process is gone. */
export async function terminate(pid: number, graceMs = 10_000): Promise<'exited' | 'killed'> {
  signal(pid, 'SIGTERM');
  if (await waitGone(pid, graceMs)) return 'exited';
  signal(pid, 'SIGKILL');
  await waitGone(pid, 10_000);
  return 'killed';
}
