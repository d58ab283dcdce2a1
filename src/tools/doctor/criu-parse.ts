/** @module tools/doctor/criu-parse — pure helpers for the doctor's CRIU: suites, the private-prefix layout and its wrapper script, the probes' answers, the private apt tree (CRIU's own output is read by host/criu-output). */
import { join } from 'node:path';
import { compareVersions, type CriuVersion } from '../../adapters/host/criu-output.ts';

/**
 * Debian suites tried, newest first, when the private prefix is filled: the first whose CRIU
 * passes the functional probe is kept. Debian 13's 4.1.1 cannot dump inet sockets on kernels
 * >= 6.16 and hangs where hardware breakpoints do not fire; unstable has 4.2.
 */
export const CRIU_SUITES = ['sid', 'trixie'] as const;

/** A Debian suite ferry may take CRIU from. */
export type CriuSuite = (typeof CRIU_SUITES)[number];

/** What each suite is called in messages. */
export const SUITE_NAMES: Readonly<Record<CriuSuite, string>> = { sid: 'Debian unstable (sid)', trixie: 'Debian 13 (trixie)' };

/** CRIU's fault-injection code that makes compel trace syscalls instead of setting hardware breakpoints. */
export const CRIU_FAULT_NO_BREAKPOINTS = 130;

/** Where a Debian architecture keeps its libraries and dynamic loader. */
export interface ArchLayout {
  triplet: string;
  loader: string;
}

/** The library layout of a Debian architecture (`dpkg --print-architecture`); null when unsupported. */
export function archLayout(debArch: string): ArchLayout | null {
  switch (debArch.trim()) {
    case 'amd64': return { triplet: 'x86_64-linux-gnu', loader: 'ld-linux-x86-64.so.2' };
    case 'arm64': return { triplet: 'aarch64-linux-gnu', loader: 'ld-linux-aarch64.so.1' };
    default: return null;
  }
}

/** The paths of a CRIU unpacked into a private prefix. */
export interface CriuPrefixLayout {
  prefix: string;
  binary: string;
  libDir: string;
  loader: string;
  /** The wrapper script; its directory goes first on dockerd's PATH. */
  wrapper: string;
  wrapperDir: string;
}

/** The layout of a private CRIU prefix for an architecture. */
export function criuPrefixLayout(prefix: string, arch: ArchLayout): CriuPrefixLayout {
  const libDir = join(prefix, 'usr/lib', arch.triplet);
  return {
    prefix,
    binary: join(prefix, 'usr/sbin/criu'),
    libDir,
    loader: join(libDir, arch.loader),
    wrapper: join(prefix, 'bin/criu'),
    wrapperDir: join(prefix, 'bin'),
  };
}

/** Quotes a string for a POSIX shell (single quotes). */
export function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/**
 * The wrapper script that runs the prefix's CRIU through the prefix's own loader and
 * libraries; with `noBreakpoints` it sets CRIU_FAULT so compel never relies on a hardware
 * breakpoint (needed before CRIU 4.2 where breakpoints do not fire).
 */
export function criuWrapperScript(layout: CriuPrefixLayout, o: { noBreakpoints?: boolean } = {}): string {
  return [
    '#!/bin/sh',
    '# Written by `ferry doctor --fix`: runs CRIU from this prefix with its own C library.',
    ...(o.noBreakpoints ? [
      '# Hardware breakpoints do not fire on this machine and this CRIU is older than 4.2: trace syscalls instead.',
      `CRIU_FAULT=\${CRIU_FAULT:-${CRIU_FAULT_NO_BREAKPOINTS}}; export CRIU_FAULT`,
    ] : []),
    `exec ${shellQuote(layout.loader)} --library-path ${shellQuote(layout.libDir)} ${shellQuote(layout.binary)} "$@"`,
    '',
  ].join('\n');
}

/** Whether a hardware breakpoint set through ptrace fires on this machine. */
export type BreakpointState = 'works' | 'does-not-fire' | 'unknown';

/** Reads the hw-breakpoint helper's one line ("works", "does not fire", "unsupported: WHY"). */
export function parseBreakpointProbe(stdout: string): { state: BreakpointState; detail: string } {
  const line = stdout.trim().split('\n')[0] ?? '';
  if (line === 'works') return { state: 'works', detail: 'a ptrace hardware breakpoint fired' };
  if (line === 'does not fire') return { state: 'does-not-fire', detail: 'a ptrace hardware breakpoint was accepted but never fired' };
  return { state: 'unknown', detail: line || 'the breakpoint probe printed nothing' };
}

/** True when a CRIU must be run with the no-breakpoints switch: breakpoints do not fire and it is older than 4.2. */
export function needsNoBreakpointSwitch(version: CriuVersion | null, breakpoints: BreakpointState): boolean {
  return version !== null && breakpoints === 'does-not-fire' && compareVersions(version, { major: 4, minor: 2, patch: 0 }) < 0;
}

/** What the sockets probe answered to "check" (see workloads/sockets.c). */
export interface SocketsAnswer {
  ok: boolean;
  pid: number;
  count: number;
  mem: string;
  tcpPort: number;
  udpPort: number;
  unix: string;
  udpEcho: string;
}

/** Parses "ok pid=P count=N mem=HASH tcp=PORT udp=PORT unix=ok udp_echo=ok"; null when it is not such a line. */
export function parseSocketsAnswer(line: string): SocketsAnswer | null {
  const m = /^(ok|bad) pid=(\d+) count=(\d+) mem=([0-9a-f]+) tcp=(\d+) udp=(\d+) unix=(\w+) udp_echo=(\w+)/.exec(line.trim());
  if (!m) return null;
  return {
    ok: m[1] === 'ok', pid: Number(m[2]), count: Number(m[3]), mem: m[4] as string,
    tcpPort: Number(m[5]), udpPort: Number(m[6]), unix: m[7] as string, udpEcho: m[8] as string,
  };
}

/**
 * Judges a restored probe process against what it answered before the dump: every part
 * intact, the same process, memory and ports, and a counter that went on (never back).
 * Returns null when all holds, else what was lost.
 */
export function judgeRestore(before: SocketsAnswer, after: SocketsAnswer | null): string | null {
  if (!after) return 'the restored process did not answer over TCP';
  const lost: string[] = [];
  if (after.pid !== before.pid) lost.push(`pid ${before.pid} became ${after.pid}`);
  if (after.mem !== before.mem) lost.push('anonymous memory changed');
  if (after.tcpPort !== before.tcpPort || after.udpPort !== before.udpPort) lost.push('socket ports changed');
  if (after.unix !== 'ok') lost.push('the unix socket pair lost its queued message');
  if (after.udpEcho !== 'ok') lost.push('the UDP socket no longer receives');
  if (after.count < before.count) lost.push(`the counter went back from ${before.count} to ${after.count}`);
  return lost.length === 0 ? null : lost.join('; ');
}

/** What ferry writes into a prefix it made (JSON in the marker file). */
export interface PrefixMarker {
  suite: CriuSuite;
  version: string;
  noBreakpoints: boolean;
  installedAt: string;
}

/** Reads a prefix marker; the plain-text marker of older doctors means Debian 13. */
export function parsePrefixMarker(text: string): PrefixMarker | null {
  try {
    const m = JSON.parse(text) as Partial<PrefixMarker>;
    if (typeof m.suite === 'string' && (CRIU_SUITES as readonly string[]).includes(m.suite) && typeof m.version === 'string') {
      return { suite: m.suite, version: m.version, noBreakpoints: m.noBreakpoints === true, installedAt: String(m.installedAt ?? '') };
    }
    return null;
  } catch {
    const old = /CRIU from Debian 13, unpacked by ferry doctor --fix on (\S+)/.exec(text);
    return old ? { suite: 'trixie', version: 'unknown', noBreakpoints: false, installedAt: old[1] as string } : null;
  }
}

/** The directories of a private apt tree used to download CRIU without touching the system's apt state. */
export interface AptTree {
  root: string;
  sourcesList: string;
  stateDir: string;
  statusFile: string;
  cacheDir: string;
  archives: string;
}

/** The layout of a private apt tree under `root`. */
export function aptTree(root: string): AptTree {
  return {
    root,
    sourcesList: join(root, 'etc/sources.list'),
    stateDir: join(root, 'state'),
    statusFile: join(root, 'state/status'),
    cacheDir: join(root, 'cache'),
    archives: join(root, 'cache/archives'),
  };
}

/** The sources.list line of the private apt tree. */
export function aptSourcesLine(suite: CriuSuite): string {
  return `deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian ${suite} main\n`;
}

/** apt-get options that point apt at the private tree (and nowhere else). */
export function aptTreeOptions(tree: AptTree): string[] {
  const opts: Array<[string, string]> = [
    ['Dir::Etc::SourceList', tree.sourcesList],
    ['Dir::Etc::SourceParts', '/dev/null'],
    ['Dir::Etc::Preferences', '/dev/null'],
    ['Dir::Etc::PreferencesParts', '/dev/null'],
    ['Dir::State', tree.stateDir],
    ['Dir::State::status', tree.statusFile],
    ['Dir::Cache', tree.cacheDir],
    ['APT::Install-Recommends', 'false'],
  ];
  return opts.flatMap(([k, v]) => ['-o', `${k}=${v}`]);
}
