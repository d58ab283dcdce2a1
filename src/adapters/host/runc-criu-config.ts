/**
 * @module adapters/host/runc-criu-config — the CRIU configuration file runc hands CRIU on every
 * checkpoint and restore of this machine (`/etc/criu/runc.conf`; CRIU applies it after runc's
 * own options). ferry writes it only around one of its own runc calls — `images-dir` makes
 * `docker start --checkpoint` read CRIU's images from ferry's directory, so Docker's
 * checkpoint directory holds only runc's `descriptors.json` and containerd's content store
 * copies kilobytes instead of the whole memory. Docker 20.10 cannot set the per-container
 * annotation (`org.criu.config`, Docker >= 24) that would avoid a machine-wide file.
 *
 * The file is its own lock: it is created exclusively with its owner's pid and start time in
 * a comment, so two agents of one machine (test-bed hosts share it) never use it at once; a
 * file whose owner is dead is stale and removed (also when an agent starts); a file without
 * ferry's comment is an operator's and is never touched.
 */
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Config } from '../../core/config.ts';
import { FerryError } from '../../core/errors.ts';

/** The comment line that names the owner of a file ferry wrote. */
const OWNER = /^# written by ferry: pid=(\d+) start=(\d+)/m;

/** Who owns a runc CRIU config file ferry wrote. */
export interface ConfigOwner {
  pid: number;
  /** The owner's start time in clock ticks since boot (/proc/PID/stat field 22), against pid reuse. */
  start: number;
}

/** The owner named in a file's text; null when ferry did not write it. */
export function parseOwner(text: string): ConfigOwner | null {
  const m = OWNER.exec(text);
  return m ? { pid: Number(m[1]), start: Number(m[2]) } : null;
}

/** The text of a config file: the owner comment, then CRIU options one per line. */
export function configText(owner: ConfigOwner, options: readonly string[]): string {
  for (const o of options) if (/[\n\r]/.test(o)) throw new FerryError('FERRY_ERR_INTERNAL', `a CRIU option spans lines: ${JSON.stringify(o)}`);
  return [`# written by ferry: pid=${owner.pid} start=${owner.start} (removed right after its runc call; a stale one is removed by any ferry agent)`, ...options, ''].join('\n');
}

/** A process's start time (/proc/PID/stat field 22), or null when it does not exist. */
export function processStart(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // comm (field 2) may hold spaces and parentheses: count fields after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[19]);
  } catch {
    return null;
  }
}

/** True when the owner of a file still runs (the same process, not a reused pid). */
export function ownerAlive(owner: ConfigOwner): boolean {
  return processStart(owner.pid) === owner.start;
}

/** This process as an owner. */
export function self(): ConfigOwner {
  return { pid: process.pid, start: processStart(process.pid) ?? 0 };
}

/** Removes the file when ferry wrote it and its owner is gone; says whether it did. */
export async function clearStale(file: string): Promise<boolean> {
  const text = await readFile(file, 'utf8').catch(() => null);
  if (text === null) return false;
  const owner = parseOwner(text);
  if (!owner || ownerAlive(owner)) return false;
  await rm(file, { force: true });
  return true;
}

/** Options of {@link withRuncCriuConfig}. */
export interface RuncCriuConfigOptions {
  /** The file (config agent.runcCriuConfig). */
  file: string;
  /** How long to wait for another ferry call that holds the file, in ms. */
  waitMs: number;
}

/** The file and wait of a configuration: a holder lasts at most one CRIU call, so wait as long as the longest deadline. */
export function runcCriuConfigOf(config: Config): RuncCriuConfigOptions {
  return { file: config.agent.runcCriuConfig, waitMs: Math.max(config.deadlines.criuDumpMs, config.deadlines.criuRestoreMs) };
}

/**
 * Runs `fn` with the file in place holding `options` (none: the file only locks out other
 * agents' options, for a runc call of ferry's that must see no one else's), and removes it
 * afterwards, also when `fn` fails.
 */
export async function withRuncCriuConfig<T>(o: RuncCriuConfigOptions, options: readonly string[], fn: () => Promise<T>): Promise<T> {
  const me = self();
  const text = configText(me, options);
  await mkdir(path.dirname(o.file), { recursive: true });
  const until = Date.now() + o.waitMs;
  for (;;) {
    try {
      await writeFile(o.file, text, { flag: 'wx', mode: 0o644 });
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const held = await readFile(o.file, 'utf8').catch(() => '');
    const owner = parseOwner(held);
    if (held !== '' && !owner) {
      throw new FerryError('FERRY_ERR_CRIU_CONFIG', `${o.file} exists and was not written by ferry; runc hands it to CRIU on every checkpoint and restore of this machine, so ferry will not overwrite it. Move it away, or point agent.runcCriuConfig at the file runc reads here`);
    }
    if (owner && !ownerAlive(owner)) await rm(o.file, { force: true });
    else if (Date.now() > until) {
      throw new FerryError('FERRY_ERR_CRIU_CONFIG', `${o.file} stayed held by ferry process ${owner?.pid ?? '?'} for ${o.waitMs} ms; another checkpoint or restore of this machine is still running. Retry when it ends`);
    } else await sleep(25);
  }
  try {
    return await fn();
  } finally {
    const now = await readFile(o.file, 'utf8').catch(() => '');
    if (now === text) await rm(o.file, { force: true });
  }
}
