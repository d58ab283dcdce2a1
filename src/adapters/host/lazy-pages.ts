/**
 * @module adapters/host/lazy-pages — CRIU's lazy-pages daemon for a restore: the restored processes
 * resume before their memory is filled, and the daemon fills each page on its first fault
 * (userfaultfd) and the rest in the background, then exits 0. It reads the pages from the
 * images' page files, or asks ferry's page server for them (adapters/host/page-server.ts). In the
 * default strategy every page is on this host before the restore begins, so only the copying
 * into the container's memory is deferred; in post-copy the page server fetches from the source. The daemon runs in a process group
 * of its own and outlives an agent that dies during the window (the container needs it).
 */
import { spawn } from 'node:child_process';
import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { FerryError } from '../../core/errors.ts';
import { criuLogCause } from './criu-log.ts';
import { GUARD_PID, type GuardArgs } from './lazy-guard.ts';
import { fileURLToPath } from 'node:url';

/** The socket the daemon listens on, in its work directory; CRIU's restore connects to it. */
export const LAZY_SOCKET = 'lazy-pages.socket';

/** The guard's script: run by this Node, beside this file. */
const GUARD_SCRIPT = fileURLToPath(new URL('./lazy-guard.ts', import.meta.url));

/** A running lazy-pages daemon. */
export interface LazyPages {
  pid: number;
  /** The work directory a restore must use (`work-dir` in the runc CRIU config) to find the daemon. */
  workDir: string;
  /** Resolves when every page is in (the daemon exited 0), with the time it did; rejects with FERRY_ERR_RESTORE otherwise. */
  done: Promise<number>;
  /** Ends the daemon (an aborted restore). */
  stop(): void;
  /** Names the resumed container's init pid: if the daemon fails from now on, that process is killed. */
  guard(pid: number): Promise<void>;
}

/** Options of {@link startLazyPages}. */
export interface LazyPagesOptions {
  /** The CRIU to run (config agent.criuPath). */
  criu: string;
  imagesDir: string;
  workDir: string;
  logFile: string;
  /** How long the daemon may take to listen, in ms. */
  startMs?: number;
  /** Ask a page server on this loopback port for the pages instead of reading the images' page files (adapters/host/page-server.ts). */
  pageServerPort?: number;
  /** The page server's request header bytes for this CRIU (24 or 32; adapters/host/page-server-protocol.ts). */
  layout?: number;
}

/** Starts the daemon and waits until it listens. */
export async function startLazyPages(o: LazyPagesOptions): Promise<LazyPages> {
  await mkdir(o.workDir, { recursive: true, mode: 0o700 });
  await mkdir(path.dirname(o.logFile), { recursive: true, mode: 0o700 });
  const socket = path.join(o.workDir, LAZY_SOCKET);
  await rm(socket, { force: true });
  // The guard (adapters/host/lazy-guard.ts) runs the daemon and kills the resumed container before
  // it could read a page the daemon never filled; the agent need not be alive for that.
  await rm(path.join(o.workDir, GUARD_PID), { force: true });
  const args: GuardArgs = { criu: o.criu, daemonArgs: ['lazy-pages', '-D', o.imagesDir, '-W', o.workDir, '-o', o.logFile, '-v4'], workDir: o.workDir, ...(o.pageServerPort ? { upstreamPort: o.pageServerPort, layout: o.layout ?? 32 } : {}) };
  const child = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', GUARD_SCRIPT, JSON.stringify(args)], { detached: true, stdio: 'ignore', cwd: o.workDir });
  child.unref();
  const cause = async () => criuLogCause(await readFile(o.logFile, 'utf8').catch(() => '')) || 'no log';
  let exited: number | null | undefined;
  const done = new Promise<number>((resolve, reject) => {
    child.on('error', (err) => { exited = -1; reject(new FerryError('FERRY_ERR_RESTORE', `CRIU's lazy-pages daemon did not start: ${err.message}`)); });
    child.on('exit', (code, signal) => {
      exited = code;
      if (code === 0) resolve(Date.now());
      else void cause().then((c) => reject(new FerryError('FERRY_ERR_RESTORE', `CRIU's lazy-pages daemon ended before every page was in (${signal ?? `exit ${code}`}): ${c} (log ${o.logFile})`)));
    });
  });
  done.catch(() => { /* the caller awaits it when it needs it */ });
  const until = Date.now() + (o.startMs ?? 5000);
  while (!(await stat(socket).then(() => true, () => false))) {
    if (exited !== undefined) await done;
    if (Date.now() > until) {
      if (child.pid) process.kill(-child.pid, 'SIGKILL');
      throw new FerryError('FERRY_ERR_RESTORE', `CRIU's lazy-pages daemon did not listen on ${socket} within ${o.startMs ?? 5000} ms: ${await cause()}`);
    }
    await sleep(10);
  }
  return {
    pid: child.pid ?? 0,
    workDir: o.workDir,
    done,
    stop: () => {
      if (exited === undefined && child.pid) process.kill(-child.pid, 'SIGKILL');
    },
    guard: (pid: number) => writeFile(path.join(o.workDir, GUARD_PID), String(pid), { mode: 0o600 }),
  };
}
