/**
 * @module adapters/host/runc — CRIU dumps through runc directly. Docker's checkpoint API passes the
 * image set through containerd's content store (tar, digest, write, read, untar), which
 * costs ~5 s for 256 MiB here against 0.7 s for runc + CRIU alone; the frozen time is what
 * that costs. The image set is the same one Docker's API writes, and Docker restores it.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { FerryError } from '../../core/errors.ts';
import { criuLogCause } from './criu-log.ts';
import { criuTimeoutError } from './deadline.ts';
import { withRuncCriuConfig, type RuncCriuConfigOptions } from './runc-criu-config.ts';
import { run } from './run.ts';

/** True when runc keeps state for this container under `runcRoot` (so runc can dump it). */
export function runcKnows(runcRoot: string, containerId: string): boolean {
  return existsSync(path.join(runcRoot, containerId, 'state.json'));
}

/** Options of {@link runcCheckpoint}. */
export interface RuncCheckpoint {
  runcRoot: string;
  containerId: string;
  imageDir: string;
  workDir: string;
  /** The CRIU runc runs (`runc --criu`; config agent.criuPath). */
  criuPath: string;
  /** The dump's deadline (config deadlines.criuDumpMs), in ms: then runc and its CRIU are killed. */
  timeoutMs: number;
  /** The machine's runc CRIU config file, held during the dump so that no other agent's options apply to it. */
  criuConfig: RuncCriuConfigOptions;
  /** Connected TCP sockets: dumped with their state to move with the container, or closed (the copy's clients reconnect). */
  tcp: TcpMode;
}

/** What a dump does with connected TCP sockets. */
export type TcpMode = 'established' | 'close';

/**
 * CRIU's options for a dump's TCP sockets. `established`: their state is dumped
 * (--tcp-established); half-open ones still in the listener's queue are left out
 * (--skip-in-flight), their clients' SYN retransmits reach the destination. `close`: every
 * connection is restored closed (--tcp-close).
 */
export function tcpOptions(mode: TcpMode): string[] {
  return mode === 'established' ? ['tcp-established', 'skip-in-flight'] : ['tcp-close'];
}

/**
 * Dumps a container with CRIU through runc into `imageDir`, leaving it as it was (a paused
 * container stays paused). CRIU's log goes to `workDir`; on failure its tail is in the error,
 * and a dump past its deadline is FERRY_ERR_CRIU_TIMEOUT.
 */
export async function runcCheckpoint(o: RuncCheckpoint): Promise<void> {
  await mkdir(o.imageDir, { recursive: true, mode: 0o700 });
  await rm(o.workDir, { recursive: true, force: true });
  await mkdir(o.workDir, { recursive: true, mode: 0o700 });
  const logPath = path.join(o.workDir, 'dump.log');
  const args = ['--root', o.runcRoot, '--criu', o.criuPath, 'checkpoint', '--image-path', o.imageDir, '--work-path', o.workDir, '--leave-running', o.containerId];
  const r = await withRuncCriuConfig(o.criuConfig, tcpOptions(o.tcp), () => run('runc', args, { timeoutMs: o.timeoutMs }));
  if (r.code === 0 && !r.failure) return;
  const log = await readFile(logPath, 'utf8').catch(() => '');
  const subject = `container ${o.containerId.slice(0, 12)}`;
  if (r.timedOut) throw criuTimeoutError({ step: 'dump', subject, deadlineMs: o.timeoutMs, logPath, logText: log });
  const tail = criuLogCause(log);
  throw new FerryError('FERRY_ERR_CHECKPOINT', `CRIU could not dump ${subject}: ${tail || r.stderr.trim() || r.failure || `runc exited ${r.code}`} (log: ${logPath})`);
}

/**
 * Freezes a container through runc alone. Used only to bring Docker back in step: a CRIU that
 * failed midway thaws the cgroup it froze, while Docker still records the container as paused,
 * and `docker unpause` then fails with "container not paused" until runc sees it frozen again.
 */
export async function runcPause(o: { runcRoot: string; containerId: string; timeoutMs: number }): Promise<void> {
  const r = await run('runc', ['--root', o.runcRoot, 'pause', o.containerId], { timeoutMs: o.timeoutMs });
  if (r.code !== 0 || r.failure) throw new FerryError('FERRY_ERR_DOCKER', `runc could not re-freeze container ${o.containerId.slice(0, 12)} to bring Docker's paused state in step: ${r.failure ?? r.stderr.trim()}`);
}
