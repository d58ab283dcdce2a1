/**
 * @module tools/doctor/criu-probe — proves that a CRIU works here by using it: dump and restore a
 * helper process (workloads/sockets.c) that holds a TCP listener, a UDP socket, a connected
 * unix socket pair and anonymous memory, each checked after restore; and whether hardware
 * breakpoints fire (src/tools/doctor/hw-breakpoint.c). `criu check` alone passed for a CRIU that
 * hung in every dump and could not dump a socket.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { release, version as kernelVersion } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { criuLogCause } from '../../adapters/host/criu-log.ts';
import { run } from '../../adapters/host/run.ts';
import { judgeRestore, parseBreakpointProbe, parseSocketsAnswer, type BreakpointState, type SocketsAnswer } from './criu-parse.ts';
import { repoRoot } from '../../core/paths.ts';

/** The C sources of the probe helpers. */
const SOURCES = {
  sockets: path.join(repoRoot(), 'workloads', 'sockets.c'),
  'hw-breakpoint': path.join(import.meta.dirname, 'hw-breakpoint.c'),
} as const;

/** How one functional probe ended. */
export interface FunctionalProbe {
  ok: boolean;
  /** The step that failed, or 'done'. */
  step: 'build' | 'start' | 'dump' | 'restore' | 'check' | 'done';
  detail: string;
  ms: number;
  /** True when this result was read from the cache (same CRIU, kernel and helper). */
  cached?: boolean;
}

/** Compiles a helper statically into `dir` once per source version; returns its path. */
export async function helperBinary(name: keyof typeof SOURCES, dir: string): Promise<string> {
  const source = await readFile(SOURCES[name]);
  const out = path.join(dir, `${name}-${createHash('sha256').update(source).digest('hex').slice(0, 12)}`);
  if (await stat(out).then(() => true, () => false)) return out;
  await mkdir(dir, { recursive: true });
  const tmp = `${out}.${process.pid}.tmp`;
  const cc = await run('gcc', ['-O2', '-static', '-o', tmp, SOURCES[name]], { timeoutMs: 120_000 });
  if (cc.code !== 0 || cc.failure) throw new Error(`gcc -static ${name}.c failed (gcc and libc6-dev are needed): ${(cc.failure ?? cc.stderr).trim().split('\n').slice(-2).join(' | ')}`);
  await rename(tmp, out);
  return out;
}

/** Whether a hardware breakpoint set through ptrace fires on this machine. */
export async function probeBreakpoints(helperDir: string): Promise<{ state: BreakpointState; detail: string }> {
  try {
    const bin = await helperBinary('hw-breakpoint', helperDir);
    const r = await run(bin, [], { timeoutMs: 15_000 });
    if (r.failure) return { state: 'unknown', detail: `the breakpoint probe failed: ${r.failure}` };
    return parseBreakpointProbe(r.stdout);
  } catch (err) {
    return { state: 'unknown', detail: (err as Error).message };
  }
}

/** Asks a sockets helper "check" over TCP on loopback. */
export function askSockets(port: number, timeoutMs = 5000): Promise<SocketsAnswer | null> {
  return new Promise((resolve) => {
    let text = '';
    const s = connect({ host: '127.0.0.1', port });
    const done = (a: SocketsAnswer | null): void => { clearTimeout(timer); s.destroy(); resolve(a); };
    const timer = setTimeout(() => done(null), timeoutMs);
    s.setEncoding('utf8');
    s.on('connect', () => s.write('check\n'));
    s.on('data', (d: string) => { text += d; if (text.includes('\n')) done(parseSocketsAnswer(text)); });
    s.on('error', () => done(null));
    s.on('end', () => done(parseSocketsAnswer(text)));
  });
}

/** The last lines of a CRIU log that say what went wrong. */
async function logTail(file: string): Promise<string> {
  return criuLogCause(await readFile(file, 'utf8').catch(() => ''));
}

/** Options of {@link probeCriuFunction}. */
export interface ProbeOptions {
  /** Where the helpers are built and the images are written. */
  workDir: string;
  /** Deadline of each CRIU call, in ms. */
  timeoutMs: number;
  /** Extra environment for CRIU (CRIU_FAULT). */
  env?: NodeJS.ProcessEnv;
}

/** Dumps and restores the sockets helper with `criu` and checks what survived; never throws. */
export async function probeCriuFunction(criu: string, o: ProbeOptions): Promise<FunctionalProbe> {
  const started = Date.now();
  const end = (ok: boolean, step: FunctionalProbe['step'], detail: string): FunctionalProbe => ({ ok, step, detail, ms: Date.now() - started });
  let bin: string;
  try {
    bin = await helperBinary('sockets', path.join(o.workDir, 'bin'));
  } catch (err) {
    return end(false, 'build', (err as Error).message);
  }
  await mkdir(o.workDir, { recursive: true });
  const dir = await mkdtemp(path.join(o.workDir, 'probe-'));
  const images = path.join(dir, 'images');
  await mkdir(images);
  const stateFile = path.join(dir, 'state');
  const env = { ...process.env, ...o.env };
  const child = spawn(bin, ['serve'], {
    detached: true, stdio: 'ignore',
    env: { PATH: '/usr/bin:/bin', BIND: '127.0.0.1', PORT: '0', UDP_PORT: '0', MEM_MIB: '4', STATE_FILE: stateFile },
  });
  child.on('error', () => { /* reported through the missing state file */ });
  child.unref();
  let pid = child.pid ?? 0;
  try {
    let state = '';
    for (let i = 0; i < 100 && state === ''; i++) {
      state = await readFile(stateFile, 'utf8').catch(() => '');
      if (state === '') await sleep(50);
    }
    const [p, tcp] = state.trim().split(' ').map(Number);
    if (!p || !tcp) return end(false, 'start', 'the sockets helper did not start listening within 5 s');
    pid = p;
    const before = await askSockets(tcp);
    if (!before?.ok) return end(false, 'start', `the sockets helper did not answer before the dump (${before ? 'bad state' : 'no answer'})`);
    const dump = await run(criu, ['dump', '-t', String(pid), '-D', images, '-o', 'dump.log', '-v4'], { timeoutMs: o.timeoutMs, env });
    if (dump.failure || dump.code !== 0) {
      const why = dump.failure ? `no answer within ${o.timeoutMs} ms (${dump.failure})` : `exit ${dump.code}`;
      return end(false, 'dump', `criu dump: ${why}; ${await logTail(path.join(images, 'dump.log'))}`);
    }
    const restore = await run(criu, ['restore', '-d', '-D', images, '-o', 'restore.log', '-v4'], { timeoutMs: o.timeoutMs, env });
    if (restore.failure || restore.code !== 0) {
      const why = restore.failure ? `no answer within ${o.timeoutMs} ms (${restore.failure})` : `exit ${restore.code}`;
      return end(false, 'restore', `criu restore: ${why}; ${await logTail(path.join(images, 'restore.log'))}`);
    }
    const lost = judgeRestore(before, await askSockets(tcp));
    if (lost) return end(false, 'check', `after restore: ${lost}`);
    return end(true, 'done', 'dumped and restored a process holding a TCP listener, a UDP socket, a unix socket pair and 4 MiB of memory; all intact');
  } finally {
    if (pid > 0) { try { process.kill(pid, 'SIGKILL'); } catch { /* already gone */ } }
    await rm(dir, { recursive: true, force: true });
  }
}

/** What makes a cached probe result still true: the same CRIU file, kernel and helper. */
export async function probeKey(criuPath: string, version: string): Promise<string> {
  const st = await stat(criuPath).catch(() => null);
  const helper = await readFile(SOURCES.sockets).catch(() => Buffer.alloc(0));
  return createHash('sha256')
    .update([criuPath, version, st ? `${st.size}:${st.mtimeMs}` : 'absent', release(), kernelVersion(), createHash('sha256').update(helper).digest('hex')].join('\n'))
    .digest('hex');
}

/** Runs the probe, or returns the cached success for the same key (failures are always probed again). */
export async function probeCriuCached(criuPath: string, version: string, o: ProbeOptions): Promise<FunctionalProbe> {
  const cacheFile = path.join(o.workDir, 'criu-probe.json');
  const key = await probeKey(criuPath, version);
  const cache = JSON.parse(await readFile(cacheFile, 'utf8').catch(() => '{}')) as Record<string, FunctionalProbe>;
  const hit = cache[key];
  if (hit?.ok) return { ...hit, cached: true };
  const result = await probeCriuFunction(criuPath, o);
  if (result.ok) {
    await mkdir(o.workDir, { recursive: true });
    await writeFile(cacheFile, JSON.stringify({ [key]: result }, null, 2));
  }
  return result;
}
