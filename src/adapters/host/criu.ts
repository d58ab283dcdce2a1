/**
 * @module adapters/host/criu — what this host's CRIU can do: version, `criu check`, the features
 * that decide a strategy, and the CPU description that must match between two hosts.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { criuTimeoutError } from './deadline.ts';
import { run } from './run.ts';
import { criuVersionOk, parseCriuCheck, parseCriuFeature, parseCriuVersion } from './criu-output.ts';

/** CRIU probes that hang are a failure, not a wait. */
const T = { timeoutMs: 60_000 };

/** CRIU facts of one host. */
export interface CriuFacts {
  version: string;
  /** At least the major version ferry needs (4). */
  versionOk: boolean;
  checkOk: boolean;
  checkOutput: string;
  /** Soft-dirty tracking (incremental pre-dump). */
  memDirtyTrack: boolean;
  /** userfaultfd for lazy pages (post-copy). */
  uffdNoncoop: boolean;
}

/** Probes CRIU (`criu` on PATH), reading its answers with the doctor's parsers. */
export async function criuFacts(env?: NodeJS.ProcessEnv): Promise<CriuFacts> {
  const o = { ...T, ...(env ? { env: { ...process.env, ...env } } : {}) };
  const [v, check, dirty, uffd] = await Promise.all([
    run('criu', ['--version'], o),
    run('criu', ['check'], o),
    run('criu', ['check', '--feature', 'mem_dirty_track'], o),
    run('criu', ['check', '--feature', 'uffd-noncoop'], o),
  ]);
  const version = parseCriuVersion(v.stdout);
  const verdict = parseCriuCheck(check.code, check.stdout, check.stderr);
  return {
    version: version?.text ?? (v.failure ? 'absent' : 'unknown'),
    versionOk: criuVersionOk(version),
    checkOk: verdict.ok,
    checkOutput: verdict.detail,
    memDirtyTrack: parseCriuFeature('mem_dirty_track', dirty.code, dirty.stdout, dirty.stderr).supported,
    uffdNoncoop: parseCriuFeature('uffd-noncoop', uffd.code, uffd.stdout, uffd.stderr).supported,
  };
}

/** This host's CPU description as `criu cpuinfo dump` writes it (base64 of cpuinfo.img); past `timeoutMs` (deadlines.criuProbeMs), FERRY_ERR_CRIU_TIMEOUT. */
export async function dumpCpuinfo(timeoutMs = 30_000): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'ferry-cpuinfo-'));
  try {
    const r = await run('criu', ['cpuinfo', 'dump', '-D', dir], { timeoutMs });
    if (r.timedOut) throw criuTimeoutError({ step: 'cpuinfo dump', subject: 'this host\'s CPU', deadlineMs: timeoutMs, logText: r.stderr });
    if (r.code !== 0) throw new Error(`criu cpuinfo dump failed: ${r.stderr.trim()}`);
    return (await readFile(path.join(dir, 'cpuinfo.img'))).toString('base64');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Checks a source's CPU description against this host; returns the reason when it does not fit. Past `timeoutMs`, FERRY_ERR_CRIU_TIMEOUT. */
export async function checkCpuinfo(cpuinfoBase64: string, timeoutMs = 30_000): Promise<string | undefined> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'ferry-cpuinfo-'));
  try {
    await writeFile(path.join(dir, 'cpuinfo.img'), Buffer.from(cpuinfoBase64, 'base64'));
    const r = await run('criu', ['cpuinfo', 'check', '-D', dir], { timeoutMs });
    if (r.timedOut) throw criuTimeoutError({ step: 'cpuinfo check', subject: 'the source\'s CPU description', deadlineMs: timeoutMs, logText: r.stderr });
    return r.code === 0 ? undefined : (r.stdout + r.stderr).trim().split('\n').slice(-2).join(' | ') || `criu cpuinfo check exited ${r.code}`;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
