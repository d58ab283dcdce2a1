/** @module doctor/criu-parse — pure helpers for CRIU: output parsers, the private-prefix layout and its wrapper script. */
import { join } from 'node:path';

/** The least CRIU major version that works on ferry's kernels (3.17 fails `criu check` on 6.x). */
export const CRIU_MIN_MAJOR = 4;

/** Debian suite whose CRIU (4.x) is unpacked into the private prefix. */
export const CRIU_SUITE = 'trixie';

/** A parsed CRIU version. */
export interface CriuVersion {
  major: number;
  minor: number;
  patch: number;
  text: string;
}

/** Parses `criu --version` output ("Version: 4.1.1"); null when there is no version line. */
export function parseCriuVersion(output: string): CriuVersion | null {
  const m = /^Version:\s*(\d+)\.(\d+)(?:\.(\d+))?/m.exec(output);
  if (!m) return null;
  const major = Number(m[1]);
  const minor = Number(m[2]);
  const patch = Number(m[3] ?? 0);
  return { major, minor, patch, text: `${major}.${minor}.${patch}` };
}

/** True when a version is new enough for ferry. */
export function criuVersionOk(version: CriuVersion | null): boolean {
  return version !== null && version.major >= CRIU_MIN_MAJOR;
}

/** The verdict of `criu check`. */
export interface CriuCheckResult {
  ok: boolean;
  /** The first error line CRIU printed, or "Looks good." */
  detail: string;
}

/** Interprets `criu check`: it passes when it exits 0 and says "Looks good.". */
export function parseCriuCheck(code: number, stdout: string, stderr: string): CriuCheckResult {
  const all = `${stdout}\n${stderr}`;
  if (code === 0 && /Looks good\./.test(all)) return { ok: true, detail: 'Looks good.' };
  const errorLine = all.split('\n').map((l) => l.trim()).find((l) => /^Error\b/.test(l));
  return { ok: false, detail: errorLine ?? (all.trim().split('\n').pop() || `criu check exited with ${code}`) };
}

/** Whether one CRIU feature is available, as `criu check --feature NAME` reports it. */
export interface CriuFeature {
  name: string;
  supported: boolean;
  detail: string;
}

/** Interprets `criu check --feature NAME` (exit 0 and "is supported" means on). */
export function parseCriuFeature(name: string, code: number, stdout: string, stderr: string): CriuFeature {
  const all = `${stdout}\n${stderr}`;
  const supported = code === 0 && /is supported/.test(all);
  const line = all.split('\n').map((l) => l.trim()).filter((l) => l !== '').pop() ?? '';
  // "Warn  (criu/cr-check.c:824): Dirty tracking is OFF. ..." → keep the part after the source location.
  const detail = line.replace(/^(Warn|Error)\s*\([^)]*\):\s*/, '');
  return { name, supported, detail: detail || (supported ? `${name} is supported` : `${name} is not supported`) };
}

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

/** The wrapper script that runs the prefix's CRIU through the prefix's own loader and libraries. */
export function criuWrapperScript(layout: CriuPrefixLayout): string {
  return [
    '#!/bin/sh',
    '# Written by `ferry doctor --fix`: runs CRIU 4 from this prefix with its own C library.',
    `exec ${shellQuote(layout.loader)} --library-path ${shellQuote(layout.libDir)} ${shellQuote(layout.binary)} "$@"`,
    '',
  ].join('\n');
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
export function aptSourcesLine(suite: string = CRIU_SUITE): string {
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
