/**
 * @module tools/doctor/criu — finds a CRIU that works here (the system's, else a private prefix),
 * judged by a functional probe (dump and restore of a process holding sockets and memory),
 * installs one into the prefix from the newest Debian suite whose CRIU passes the probe,
 * and says which directory dockerd needs first on PATH.
 */
import { access, mkdir, readdir, rename, rm, writeFile, chmod, readFile, realpath } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { FerryError } from '../../core/errors.ts';
import { defaultConfig, type Config } from '../../core/config.ts';
import { run, runOrThrow, which } from '../../adapters/host/run.ts';
import {
  checkSaysNoBreakpoints, criuVersionOk, parseCriuCheck, parseCriuFeature, parseCriuVersion,
  type CriuCheckResult, type CriuFeature, type CriuVersion,
} from '../../adapters/host/criu-output.ts';
import {
  archLayout, aptSourcesLine, type ArchLayout, aptTree, aptTreeOptions, CRIU_SUITES, criuPrefixLayout, criuWrapperScript,
  needsNoBreakpointSwitch, parsePrefixMarker, SUITE_NAMES, type BreakpointState, type CriuPrefixLayout, type CriuSuite, type PrefixMarker,
} from './criu-parse.ts';
import { probeBreakpoints, probeCriuCached, probeCriuFunction, type FunctionalProbe } from './criu-probe.ts';
import type { Check, CriuChoice } from './report.ts';

/** What one CRIU binary (or wrapper) answered. */
export interface CriuProbe {
  path: string;
  version: CriuVersion | null;
  check: CriuCheckResult;
  /** `criu check` warned that hardware breakpoints do not work (CRIU >= 4.2 says so and copes). */
  noBreakpointsWarning: boolean;
  /** Version >= 4 and `criu check` passed. */
  usable: boolean;
}

/** A marker file that says a prefix was made by ferry (so --fix may replace it); JSON since CRIU came from more than one suite. */
const MARKER = '.ferry-criu-prefix';

/** Deadline of each CRIU call of the functional probe, in ms (a small process dumps in well under a second). */
const PROBE_TIMEOUT_MS = 30_000;

/** Runs `criu --version` and `criu check` for one binary. */
export async function probeCriuAt(path: string, env?: NodeJS.ProcessEnv): Promise<CriuProbe> {
  const o = env ? { env: { ...process.env, ...env } } : {};
  const v = await run(path, ['--version'], { timeoutMs: 30_000, ...o });
  const version = parseCriuVersion(v.stdout);
  if (!criuVersionOk(version)) {
    const detail = version ? `version ${version.text} is older than 4` : `\`${path} --version\` gave no version (${v.failure ?? v.stderr.trim()})`;
    return { path, version, check: { ok: false, detail }, noBreakpointsWarning: false, usable: false };
  }
  const c = await run(path, ['check'], { timeoutMs: 60_000, ...o });
  const check = parseCriuCheck(c.failure ? -1 : c.code, c.stdout, c.stderr);
  return { path, version, check, noBreakpointsWarning: checkSaysNoBreakpoints(`${c.stdout}\n${c.stderr}`), usable: check.ok };
}

/** This machine's library layout (throws when the architecture is unsupported). */
export async function machineArch(): Promise<ArchLayout> {
  const r = await runOrThrow('FERRY_ERR_PREREQUISITE', 'dpkg', ['--print-architecture'], 'ferry needs a Debian-based system');
  const arch = archLayout(r.stdout);
  if (!arch) throw new FerryError('FERRY_ERR_PREREQUISITE', `architecture ${r.stdout.trim()} has no CRIU prefix layout; install CRIU >= 4.2 system-wide`);
  return arch;
}

/** The prefix layout for this machine's architecture. */
export async function prefixLayout(prefix: string): Promise<CriuPrefixLayout> {
  return criuPrefixLayout(prefix, await machineArch());
}

/** Where the doctor builds its probe helpers and caches probe results. */
export function probeDir(config: Config): string {
  return config.prerequisites.probeDir;
}

/** One CRIU candidate, judged: `criu check`, then the functional probe. */
export interface CriuCandidate {
  probe: CriuProbe;
  functional: FunctionalProbe | null;
}

async function judge(path: string, workDir: string): Promise<CriuCandidate> {
  const probe = await probeCriuAt(path);
  if (!probe.usable || !probe.version) return { probe, functional: null };
  return { probe, functional: await probeCriuCached(path, probe.version.text, { workDir, timeoutMs: PROBE_TIMEOUT_MS }) };
}

/** What the doctor found: the chosen CRIU (if any) and how each candidate fared. */
export interface CriuFindings {
  choice: CriuChoice | null;
  system: CriuCandidate | null;
  private: CriuCandidate | null;
  /** The prefix's marker (null when ferry did not make it or it does not exist). */
  marker: PrefixMarker | null;
  /** True when the prefix was made by a doctor older than the functional probe (a plain-text marker). */
  outdatedPrefix: boolean;
}

/** The usable CRIU: the system's if it passes `criu check` and the functional probe, else the prefix's if it does. */
export async function findCriu(config: Config): Promise<CriuFindings> {
  const prefix = config.prerequisites.criuPrefix;
  const workDir = probeDir(config);
  const layout = await prefixLayout(prefix);
  const markerText = await readFile(join(prefix, MARKER), 'utf8').catch(() => null);
  const marker = markerText === null ? null : parsePrefixMarker(markerText);
  const outdatedPrefix = markerText !== null && !markerText.trimStart().startsWith('{');
  const systemPath = which('criu');
  const systemIsPrefix = systemPath !== null && (await realpath(systemPath).catch(() => systemPath)).startsWith(`${prefix}/`);
  const system = systemPath && !systemIsPrefix ? await judge(systemPath, workDir) : null;
  const base = { system, marker, outdatedPrefix };
  if (system?.functional?.ok) {
    return { ...base, private: null, choice: choiceOf({ ...system, functional: system.functional }, { path: system.probe.path, dir: dirname(system.probe.path), source: 'system' }) };
  }
  const exists = await access(layout.wrapper).then(() => true, () => false);
  const priv = exists ? await judge(layout.wrapper, workDir) : null;
  if (priv?.functional?.ok) {
    return { ...base, private: priv, choice: choiceOf({ ...priv, functional: priv.functional }, { path: layout.wrapper, dir: layout.wrapperDir, source: 'prefix', ...(marker ? { suite: marker.suite, noBreakpoints: marker.noBreakpoints } : {}) }) };
  }
  return { ...base, private: priv, choice: null };
}

function choiceOf(c: CriuCandidate & { functional: FunctionalProbe }, where: Pick<CriuChoice, 'path' | 'dir' | 'source'> & { suite?: CriuSuite; noBreakpoints?: boolean }): CriuChoice {
  return {
    ...where,
    version: c.probe.version?.text ?? 'unknown',
    noBreakpoints: where.noBreakpoints ?? false,
    probe: c.functional,
  };
}

const dirCache = new Map<string, Promise<string>>();

/** The directory to put first on dockerd's PATH so runc finds a working CRIU (throws FERRY_ERR_PREREQUISITE if none). */
export function criuBinDir(config: Config = defaultConfig()): Promise<string> {
  const prefix = config.prerequisites.criuPrefix;
  let p = dirCache.get(prefix);
  if (!p) {
    p = findCriu(config).then((found) => {
      if (found.choice) return found.choice.dir;
      throw new FerryError('FERRY_ERR_PREREQUISITE', `no CRIU that works on this machine (${describeCandidates(found, prefix)}); run \`ferry doctor --fix\` as root`);
    });
    p.catch(() => dirCache.delete(prefix));
    dirCache.set(prefix, p);
  }
  return p;
}

function describeCandidate(c: CriuCandidate): string {
  const v = c.probe.version?.text ?? '?';
  if (!c.probe.usable) return `${c.probe.path}: ${c.probe.check.detail}`;
  const f = c.functional;
  return `${c.probe.path} (CRIU ${v}): ${f ? `functional probe failed at ${f.step}: ${f.detail}` : 'not probed'}`;
}

function describeCandidates(found: CriuFindings, prefix: string): string {
  return [found.system ? `system ${describeCandidate(found.system)}` : 'no usable system criu',
    found.private ? describeCandidate(found.private) : `nothing in ${prefix}`].join('; ');
}

/** Checks for the doctor: the CRIU verdict with its probe, breakpoints, CAP_SYS_RESOURCE, soft-dirty and userfaultfd. */
export async function probeCriu(config: Config): Promise<{ checks: Check[]; choice: CriuChoice | null; breakpoints: { state: BreakpointState; detail: string } }> {
  const prefix = config.prerequisites.criuPrefix;
  const [found, breakpoints] = await Promise.all([findCriu(config), probeBreakpoints(join(probeDir(config), 'bin'))]);
  const why = 'Docker checkpoints and restores containers through runc and CRIU; it must dump and restore sockets and memory on this kernel';
  const fix = { kind: 'criu-prefix' as const, prefix };
  const checks: Check[] = [];
  const bpDetail = `${breakpoints.state}: ${breakpoints.detail}`;
  checks.push({ id: 'criu:breakpoints', group: 'criu', title: 'hardware breakpoints', status: 'fact', detail: bpDetail, why: 'CRIU before 4.2 hangs in every dump where they do not fire (it then needs CRIU_FAULT=130)' });
  if (found.choice) {
    const c = found.choice;
    const from = c.suite ? `, from ${SUITE_NAMES[c.suite as CriuSuite] ?? c.suite}` : '';
    const sw = c.noBreakpoints ? ', run with CRIU_FAULT=130' : '';
    checks.push({ id: 'criu:usable', group: 'criu', title: 'criu (functional probe)', status: 'ok', detail: `${c.version} at ${c.path} (${c.source}${from}${sw}); probe: ${c.probe.detail} in ${c.probe.ms} ms${c.probe.cached ? ', cached' : ''}`, why, fix });
    if (found.outdatedPrefix && c.source === 'prefix') {
      checks.push({ id: 'criu:prefix-current', group: 'criu', title: 'criu prefix up to date', status: 'limitation', detail: `${prefix} was made by an older doctor (CRIU ${c.version} from ${SUITE_NAMES.trixie}); \`ferry doctor --fix\` upgrades it in place`, why: 'newer CRIU fixes socket dumps on kernels >= 6.16 and hardware-breakpoint hangs', fix });
    }
    const features = await Promise.all(['mem_dirty_track', 'uffd-noncoop'].map((f) => criuFeature(c.path, f)));
    for (const f of features) {
      const title = f.name === 'mem_dirty_track' ? 'soft-dirty (mem_dirty_track)' : 'userfaultfd (uffd-noncoop)';
      const use = f.name === 'mem_dirty_track' ? 'iterative pre-copy dumps need it' : 'lazy (post-copy) restore needs it';
      checks.push({ id: `criu:${f.name}`, group: 'criu', title, status: 'fact', detail: `${f.supported ? 'on' : 'off'}: ${f.detail}`, why: use });
    }
  } else {
    checks.push({ id: 'criu:usable', group: 'criu', title: 'criu (functional probe)', status: 'missing', detail: describeCandidates(found, prefix), why, fix });
  }
  return { checks, choice: found.choice, breakpoints };
}

async function criuFeature(path: string, name: string): Promise<CriuFeature> {
  const r = await run(path, ['check', '--feature', name], { timeoutMs: 30_000 });
  return parseCriuFeature(name, r.failure ? -1 : r.code, r.stdout, r.stderr);
}

/** Downloads the `criu` package of one Debian suite and its libraries with a private apt tree, unpacked into `staging`. */
async function downloadSuite(suite: CriuSuite, work: string, staging: string, log: (line: string) => void): Promise<void> {
  const tree = aptTree(join(work, 'apt'));
  for (const d of [join(tree.stateDir, 'lists/partial'), join(tree.archives, 'partial'), dirname(tree.sourcesList)]) await mkdir(d, { recursive: true });
  await writeFile(tree.statusFile, '');
  await writeFile(tree.sourcesList, aptSourcesLine(suite));
  const opts = aptTreeOptions(tree);
  const fixNet = 'check that deb.debian.org is reachable and debian-archive-keyring is installed';
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  log(`apt-get update (private tree ${tree.root}, ${SUITE_NAMES[suite]})`);
  await runOrThrow('FERRY_ERR_PREREQUISITE', 'apt-get', [...opts, 'update'], fixNet, { env, timeoutMs: 10 * 60_000 });
  log(`apt-get -d install criu (download only, ${suite})`);
  await runOrThrow('FERRY_ERR_PREREQUISITE', 'apt-get', [...opts, '-d', '-y', 'install', 'criu'], fixNet, { env, timeoutMs: 10 * 60_000 });
  const debs = (await readdir(tree.archives)).filter((f) => f.endsWith('.deb')).sort();
  if (!debs.some((d) => d.startsWith('criu_'))) throw new FerryError('FERRY_ERR_PREREQUISITE', `apt downloaded no criu package into ${tree.archives}; ${fixNet}`);
  log(`unpacking ${debs.length} packages`);
  await mkdir(staging, { recursive: true });
  for (const deb of debs) {
    await runOrThrow('FERRY_ERR_PREREQUISITE', 'dpkg-deb', ['-x', join(tree.archives, deb), staging], 'the download may be corrupt; run `ferry doctor --fix` again');
  }
}

/** Tries one suite: download, unpack, probe in the staging directory; returns the staged result. */
async function trySuite(suite: CriuSuite, work: string, arch: ArchLayout, config: Config, breakpoints: BreakpointState, log: (line: string) => void) {
  const staging = join(work, `root-${suite}`);
  await downloadSuite(suite, join(work, suite), staging, log);
  const staged = criuPrefixLayout(staging, arch);
  await mkdir(staged.wrapperDir, { recursive: true });
  const version = parseCriuVersion((await run(staged.loader, ['--library-path', staged.libDir, staged.binary, '--version'], { timeoutMs: 30_000 })).stdout);
  const noBreakpoints = needsNoBreakpointSwitch(version, breakpoints);
  await writeFile(staged.wrapper, criuWrapperScript(staged, { noBreakpoints }));
  await chmod(staged.wrapper, 0o755);
  const check = await probeCriuAt(staged.wrapper);
  if (!check.usable) return { suite, staging, version, noBreakpoints, ok: false, detail: `criu check: ${check.check.detail}` };
  log(`functional probe of CRIU ${version?.text ?? '?'} from ${suite}${noBreakpoints ? ' (CRIU_FAULT=130)' : ''}`);
  const probe = await probeCriuFunction(staged.wrapper, { workDir: probeDir(config), timeoutMs: PROBE_TIMEOUT_MS });
  return { suite, staging, version, noBreakpoints, ok: probe.ok, detail: probe.ok ? probe.detail : `probe failed at ${probe.step}: ${probe.detail}` };
}

/**
 * Fills (or upgrades in place) the private prefix with the CRIU of the newest Debian suite
 * that passes the functional probe; the prefix is replaced only by a CRIU that passed.
 */
export async function installCriuPrefix(config: Config, log: (line: string) => void = () => {}, knownBreakpoints?: BreakpointState): Promise<string> {
  const prefix = config.prerequisites.criuPrefix;
  const arch = await machineArch();
  const layout = criuPrefixLayout(prefix, arch);
  await assertReplaceable(prefix);
  const work = `${prefix}.ferry-tmp`;
  await rm(work, { recursive: true, force: true });
  const breakpoints = knownBreakpoints ?? (await probeBreakpoints(join(probeDir(config), 'bin'))).state;
  const tried: string[] = [];
  try {
    for (const suite of CRIU_SUITES) {
      const r = await trySuite(suite, work, arch, config, breakpoints, log).catch((err: unknown) => ({ suite, ok: false as const, detail: (err as Error).message, staging: '', version: null, noBreakpoints: false }));
      tried.push(`${suite}${r.version ? ` (CRIU ${r.version.text})` : ''}: ${r.detail}`);
      if (!r.ok) continue;
      const final = criuPrefixLayout(r.staging, arch);
      await writeFile(final.wrapper, criuWrapperScript(layout, { noBreakpoints: r.noBreakpoints }));
      const marker: PrefixMarker = { suite, version: r.version?.text ?? 'unknown', noBreakpoints: r.noBreakpoints, installedAt: new Date().toISOString() };
      await writeFile(join(r.staging, MARKER), `${JSON.stringify(marker, null, 2)}\n`);
      await rm(prefix, { recursive: true, force: true });
      await mkdir(dirname(prefix), { recursive: true });
      await rename(r.staging, prefix);
      dirCache.delete(prefix);
      const found = await findCriu(config);
      if (!found.choice) {
        throw new FerryError('FERRY_ERR_PREREQUISITE', `CRIU unpacked into ${prefix} does not work there: ${describeCandidates(found, prefix)}`);
      }
      return `installed CRIU ${marker.version} from ${SUITE_NAMES[suite]} into ${prefix} (wrapper ${layout.wrapper}${r.noBreakpoints ? ', CRIU_FAULT=130' : ''}): functional probe passed`;
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  throw new FerryError('FERRY_ERR_PREREQUISITE', `no Debian suite has a CRIU that works on this machine; ${prefix} was left as it was. Tried ${tried.join('; ')}`);
}

/** Refuses to replace a non-empty directory that ferry did not make. */
async function assertReplaceable(prefix: string): Promise<void> {
  const entries = await readdir(prefix).catch(() => null);
  if (entries === null || entries.length === 0) return;
  const marker = await readFile(join(prefix, MARKER), 'utf8').catch(() => null);
  if (marker === null) {
    throw new FerryError('FERRY_ERR_PREREQUISITE', `${prefix} exists and was not made by ferry (no ${MARKER}); empty it or set prerequisites.criuPrefix to another directory`);
  }
}
