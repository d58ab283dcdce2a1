/**
 * @module host/criu — what this host's CRIU can do: version, `criu check`, the features
 * that decide a strategy, and the CPU description that must match between two hosts.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { run } from './run.ts';

/** CRIU probes that hang are a failure, not a wait. */
const T = { timeoutMs: 60_000 };

/** CRIU facts of one host. */
export interface CriuFacts {
  version: string;
  checkOk: boolean;
  checkOutput: string;
  /** Soft-dirty tracking (incremental pre-dump). */
  memDirtyTrack: boolean;
  /** userfaultfd for lazy pages (post-copy). */
  uffdNoncoop: boolean;
}

/** Probes CRIU (`criu` on PATH). */
export async function criuFacts(): Promise<CriuFacts> {
  const [v, check, dirty, uffd] = await Promise.all([
    run('criu', ['--version'], T),
    run('criu', ['check'], T),
    run('criu', ['check', '--feature', 'mem_dirty_track'], T),
    run('criu', ['check', '--feature', 'uffd-noncoop'], T),
  ]);
  const version = /Version:\s*(\S+)/.exec(v.stdout)?.[1] ?? (v.failure ? 'absent' : 'unknown');
  return {
    version,
    checkOk: check.code === 0 && /Looks good/.test(check.stdout + check.stderr),
    checkOutput: (check.stdout + check.stderr).trim().split('\n').slice(-3).join(' | '),
    memDirtyTrack: dirty.code === 0,
    uffdNoncoop: uffd.code === 0,
  };
}

/** True when a CRIU version string is at least major 4. */
export function criuVersionOk(version: string): boolean {
  const major = Number(/^(\d+)/.exec(version)?.[1] ?? 0);
  return major >= 4;
}

/** This host's CPU description as `criu cpuinfo dump` writes it (base64 of cpuinfo.img). */
export async function dumpCpuinfo(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'ferry-cpuinfo-'));
  try {
    const r = await run('criu', ['cpuinfo', 'dump', '-D', dir]);
    if (r.code !== 0) throw new Error(`criu cpuinfo dump failed: ${r.stderr.trim()}`);
    return (await readFile(path.join(dir, 'cpuinfo.img'))).toString('base64');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Checks a source's CPU description against this host; returns the reason when it does not fit. */
export async function checkCpuinfo(cpuinfoBase64: string): Promise<string | undefined> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'ferry-cpuinfo-'));
  try {
    await writeFile(path.join(dir, 'cpuinfo.img'), Buffer.from(cpuinfoBase64, 'base64'));
    const r = await run('criu', ['cpuinfo', 'check', '-D', dir]);
    return r.code === 0 ? undefined : (r.stdout + r.stderr).trim().split('\n').slice(-2).join(' | ') || `criu cpuinfo check exited ${r.code}`;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
