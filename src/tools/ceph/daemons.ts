/**
 * @module tools/ceph/daemons — the cluster's daemons as processes: start one detached with its
 * PID recorded, find the live ones (PID file verified by argv, or exact arguments), stop them.
 */
import { spawn } from 'node:child_process';
import { mkdir, open, rm, writeFile } from 'node:fs/promises';
import { FerryError } from '../../core/errors.ts';
import { logTail, listProcesses, readPidFile, terminate, verifiedPid, type ProcessEntry } from '../testbed/index.ts';
import { isDaemon, type CephPlan, type DaemonPlan } from './plan.ts';

/** How long a daemon gets to exit after SIGTERM before SIGKILL, in ms (they take about 2 s). */
export const STOP_GRACE_MS = 15_000;

/** A daemon and its live PID (null: not running). */
export interface DaemonState {
  daemon: DaemonPlan;
  pid: number | null;
}

/** The live PIDs of a daemon: its PID file's (verified by argv) and any process with its exact arguments. */
async function livePids(d: DaemonPlan, procs: readonly ProcessEntry[]): Promise<number[]> {
  const pids = new Set(procs.filter((p) => isDaemon(d, p.argv)).map((p) => p.pid));
  const recorded = await verifiedPid(await readPidFile(d.pidFile), (argv) => isDaemon(d, argv));
  if (recorded) pids.add(recorded);
  return [...pids];
}

/** Every daemon of the plan with its live PID (one pass over /proc). */
export async function daemonStates(plan: CephPlan): Promise<DaemonState[]> {
  const procs = await listProcesses();
  return Promise.all(plan.daemons.map(async (daemon) => ({ daemon, pid: (await livePids(daemon, procs))[0] ?? null })));
}

/** Starts a daemon in the foreground, detached (own session, output to its .out file), and records its PID. */
export async function startDaemon(plan: CephPlan, d: DaemonPlan): Promise<number> {
  await mkdir(plan.logDir, { recursive: true });
  await mkdir(plan.runDir, { recursive: true });
  const out = await open(d.outFile, 'a');
  try {
    const child = spawn(d.command.file, d.command.args, { detached: true, cwd: plan.stateDir, stdio: ['ignore', out.fd, out.fd] });
    const pid = await new Promise<number>((resolve, reject) => {
      child.once('spawn', () => resolve(child.pid ?? -1));
      child.once('error', (err) => reject(new FerryError('FERRY_ERR_PREREQUISITE', `cannot start ${d.name} (${d.command.file}): ${err.message}; run \`ferry doctor --fix\``)));
    });
    child.unref();
    await writeFile(d.pidFile, `${pid}\n`);
    return pid;
  } finally {
    await out.close();
  }
}

/** The error for a cluster that did not come up, with the tails of the output and log of the daemon to blame. */
export async function daemonFailure(d: DaemonPlan, message: string): Promise<FerryError> {
  const out = await logTail(d.outFile, 4);
  const log = await logTail(d.logFile, 4);
  return new FerryError('FERRY_ERR_STORE_UNREACHABLE', `${message}; ${d.outFile}: ${out}; ${d.logFile}: ${log}`);
}

/** Stops the given daemons together (SIGTERM, SIGKILL after the grace); returns one line per process stopped. */
async function stopGroup(group: readonly DaemonPlan[], procs: readonly ProcessEntry[]): Promise<string[]> {
  const lines = await Promise.all(group.map(async (d) => {
    const stopped: string[] = [];
    for (const pid of await livePids(d, procs)) stopped.push(`${d.name} ${pid} (${await terminate(pid, STOP_GRACE_MS)})`);
    await rm(d.pidFile, { force: true });
    return stopped;
  }));
  return lines.flat();
}

/**
 * Stops every daemon of the plan: radosgw, then the OSDs (together, while the monitor can still
 * mark them down), then the manager, then the monitor. Returns one line per process stopped.
 */
export async function stopDaemons(plan: CephPlan, log: (line: string) => void = () => {}): Promise<string[]> {
  const procs = await listProcesses();
  const done: string[] = [];
  for (const kind of ['rgw', 'osd', 'mgr', 'mon'] as const) {
    const lines = await stopGroup(plan.daemons.filter((d) => d.kind === kind), procs);
    for (const l of lines) log(`stopped ${l}`);
    done.push(...lines);
  }
  return done;
}
