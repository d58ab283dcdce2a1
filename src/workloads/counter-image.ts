/**
 * @module workloads/counter-image — builds the demo's workload image without a registry:
 * a root file system of Debian's static busybox (a shell for inspection) and the counter
 * (workloads/counter.c, compiled static), imported into a host's engine (`docker import`).
 */
import { spawn } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, rm, symlink } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { FerryError } from '../core/errors.ts';
import type { DockerEngine } from '../docker/engine.ts';
import { run } from '../host/run.ts';

/** The image's name. */
export const COUNTER_IMAGE = 'ferry/counter:2';

const APPLETS = ['sh', 'sleep', 'echo', 'cat', 'mkdir', 'tail', 'ls', 'ps', 'true'];
const WORKLOADS = path.join(import.meta.dirname, '..', '..', 'workloads');

/** Builds and imports the counter image unless the engine has it. */
export async function ensureCounterImage(engine: DockerEngine): Promise<void> {
  if (await engine.findImage(COUNTER_IMAGE)) return;
  const dir = await mkdtemp(path.join(os.tmpdir(), 'ferry-rootfs-'));
  try {
    await mkdir(path.join(dir, 'bin'), { recursive: true });
    await mkdir(path.join(dir, 'tmp'), { mode: 0o1777 });
    for (const d of ['data', 'proc', 'sys', 'dev', 'etc']) await mkdir(path.join(dir, d));
    await copyFile('/bin/busybox', path.join(dir, 'bin', 'busybox')).catch(() => {
      throw new FerryError('FERRY_ERR_PREREQUISITE', 'no /bin/busybox to build the workload image from; install busybox-static');
    });
    for (const a of APPLETS) await symlink('busybox', path.join(dir, 'bin', a));
    const cc = await run('gcc', ['-O2', '-static', '-o', path.join(dir, 'bin', 'counter'), path.join(WORKLOADS, 'counter.c')]);
    if (cc.code !== 0) throw new FerryError('FERRY_ERR_PREREQUISITE', `cannot compile the counter workload (gcc -static): ${cc.stderr.trim()}`);
    const tar = spawn('tar', ['-C', dir, '--numeric-owner', '-cf', '-', '.'], { stdio: ['ignore', 'pipe', 'inherit'] });
    await engine.importImage(tar.stdout, 'ferry/counter', '2', ['CMD ["/bin/counter"]']);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** One line of the counter's heartbeat log. */
export interface Beat {
  n: number;
  /** Wall-clock time of the beat, in ms since the epoch. */
  atMs: number;
}

/** Parses the heartbeat log. */
export function parseBeats(text: string): Beat[] {
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => {
      const [n, at] = l.trim().split(/\s+/);
      return { n: Number(n), atMs: Number(at) };
    });
}

/** Continuity of a heartbeat log: no reset, no repeat, no skip; and the longest silence. */
export function continuity(beats: Beat[]): { continuous: boolean; first: number; last: number; longestGapMs: number; problem?: string } {
  let longest = 0;
  for (let i = 1; i < beats.length; i++) {
    const prev = beats[i - 1] as Beat;
    const cur = beats[i] as Beat;
    if (cur.n !== prev.n + 1) return { continuous: false, first: beats[0]?.n ?? 0, last: cur.n, longestGapMs: longest, problem: `line ${i + 1}: ${cur.n} follows ${prev.n}` };
    longest = Math.max(longest, cur.atMs - prev.atMs);
  }
  const first = beats[0]?.n ?? 0;
  if (first !== 1) return { continuous: false, first, last: beats.at(-1)?.n ?? 0, longestGapMs: longest, problem: `the log starts at ${first}, not 1` };
  return { continuous: beats.length > 0, first, last: beats.at(-1)?.n ?? 0, longestGapMs: longest };
}
