/**
 * @module doctor/criu — finds a CRIU >= 4 that passes `criu check` (the system's, else a private prefix),
 * installs CRIU 4 from Debian 13 into that prefix, and says which directory dockerd needs first on PATH.
 */
import { access, mkdir, readdir, rename, rm, writeFile, chmod, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { FerryError } from '../core/errors.ts';
import { defaultConfig, type Config } from '../core/config.ts';
import { run, runOrThrow, which } from '../host/run.ts';
import {
  archLayout, aptSourcesLine, type ArchLayout, aptTree, aptTreeOptions, criuPrefixLayout, criuVersionOk, criuWrapperScript,
  parseCriuCheck, parseCriuFeature, parseCriuVersion, type CriuCheckResult, type CriuFeature, type CriuPrefixLayout, type CriuVersion,
} from './criu-parse.ts';
import type { Check, CriuChoice } from './report.ts';

/** What one CRIU binary (or wrapper) answered. */
export interface CriuProbe {
  path: string;
  version: CriuVersion | null;
  check: CriuCheckResult;
  /** Version >= 4 and `criu check` passed. */
  usable: boolean;
}

/** A marker file that says a prefix was made by ferry (so --fix may replace it). */
const MARKER = '.ferry-criu-prefix';

/** Runs `criu --version` and `criu check` for one binary. */
export async function probeCriuAt(path: string): Promise<CriuProbe> {
  const v = await run(path, ['--version'], { timeoutMs: 30_000 });
  const version = parseCriuVersion(v.stdout);
  if (!criuVersionOk(version)) {
    const detail = version ? `version ${version.text} is older than 4` : `\`${path} --version\` gave no version (${v.failure ?? v.stderr.trim()})`;
    return { path, version, check: { ok: false, detail }, usable: false };
  }
  const c = await run(path, ['check'], { timeoutMs: 60_000 });
  const check = parseCriuCheck(c.failure ? -1 : c.code, c.stdout, c.stderr);
  return { path, version, check, usable: check.ok };
}

/** This machine's library layout (throws when the architecture is unsupported). */
export async function machineArch(): Promise<ArchLayout> {
  const r = await runOrThrow('FERRY_ERR_PREREQUISITE', 'dpkg', ['--print-architecture'], 'ferry needs a Debian-based system');
  const arch = archLayout(r.stdout);
  if (!arch) throw new FerryError('FERRY_ERR_PREREQUISITE', `architecture ${r.stdout.trim()} has no CRIU prefix layout; install CRIU >= 4 system-wide`);
  return arch;
}

/** The prefix layout for this machine's architecture. */
export async function prefixLayout(prefix: string): Promise<CriuPrefixLayout> {
  return criuPrefixLayout(prefix, await machineArch());
}

/** The usable CRIU: the system's if it is >= 4 and passes `criu check`, else the prefix wrapper if that does. */
export async function findCriu(prefix: string): Promise<{ choice: CriuChoice | null; system: CriuProbe | null; private: CriuProbe | null }> {
  const systemPath = which('criu');
  const system = systemPath ? await probeCriuAt(systemPath) : null;
  if (system?.usable && system.version) {
    return { choice: { path: system.path, dir: dirname(system.path), version: system.version.text, source: 'system' }, system, private: null };
  }
  const layout = await prefixLayout(prefix);
  const exists = await access(layout.wrapper).then(() => true, () => false);
  const priv = exists ? await probeCriuAt(layout.wrapper) : null;
  if (priv?.usable && priv.version) {
    return { choice: { path: layout.wrapper, dir: layout.wrapperDir, version: priv.version.text, source: 'prefix' }, system, private: priv };
  }
  return { choice: null, system, private: priv };
}

const dirCache = new Map<string, Promise<string>>();

/** The directory to put first on dockerd's PATH so runc finds a working CRIU (throws FERRY_ERR_PREREQUISITE if none). */
export function criuBinDir(config: Config = defaultConfig()): Promise<string> {
  const prefix = config.prerequisites.criuPrefix;
  let p = dirCache.get(prefix);
  if (!p) {
    p = findCriu(prefix).then(({ choice, system }) => {
      if (choice) return choice.dir;
      const why = system ? `${system.path}: ${system.check.detail}` : 'no criu on PATH';
      throw new FerryError('FERRY_ERR_PREREQUISITE', `no CRIU >= 4 passing \`criu check\` (${why}; nothing usable in ${prefix}); run \`ferry doctor --fix\` as root`);
    });
    p.catch(() => dirCache.delete(prefix));
    dirCache.set(prefix, p);
  }
  return p;
}

/** Checks for the doctor: the CRIU verdict, plus soft-dirty and userfaultfd as facts. */
export async function probeCriu(prefix: string): Promise<{ checks: Check[]; choice: CriuChoice | null }> {
  const found = await findCriu(prefix);
  const why = 'Docker checkpoints and restores containers through runc and CRIU';
  const fix = { kind: 'criu-prefix' as const, prefix };
  const checks: Check[] = [];
  if (found.choice) {
    checks.push({ id: 'criu:usable', group: 'criu', title: 'criu >= 4', status: 'ok', detail: `${found.choice.version} at ${found.choice.path} (${found.choice.source}), criu check: Looks good.`, why, fix });
    const features = await Promise.all(['mem_dirty_track', 'uffd-noncoop'].map((f) => criuFeature(found.choice!.path, f)));
    for (const f of features) {
      const title = f.name === 'mem_dirty_track' ? 'soft-dirty (mem_dirty_track)' : 'userfaultfd (uffd-noncoop)';
      const use = f.name === 'mem_dirty_track' ? 'iterative pre-copy dumps need it' : 'lazy (post-copy) restore needs it';
      checks.push({ id: `criu:${f.name}`, group: 'criu', title, status: 'fact', detail: `${f.supported ? 'on' : 'off'}: ${f.detail}`, why: use });
    }
  } else {
    const parts = [found.system ? `system ${found.system.path}: ${found.system.check.detail}` : 'no system criu',
      found.private ? `${found.private.path}: ${found.private.check.detail}` : `nothing in ${prefix}`];
    checks.push({ id: 'criu:usable', group: 'criu', title: 'criu >= 4', status: 'missing', detail: parts.join('; '), why, fix });
  }
  return { checks, choice: found.choice };
}

async function criuFeature(path: string, name: string): Promise<CriuFeature> {
  const r = await run(path, ['check', '--feature', name], { timeoutMs: 30_000 });
  return parseCriuFeature(name, r.failure ? -1 : r.code, r.stdout, r.stderr);
}

/** Downloads CRIU and its libraries from Debian 13 with a private apt tree and unpacks them into `prefix` (with a wrapper). */
export async function installCriuPrefix(prefix: string, log: (line: string) => void = () => {}): Promise<string> {
  const arch = await machineArch();
  const layout = criuPrefixLayout(prefix, arch);
  await assertReplaceable(prefix);
  const work = `${prefix}.ferry-tmp`;
  await rm(work, { recursive: true, force: true });
  const tree = aptTree(join(work, 'apt'));
  for (const d of [join(tree.stateDir, 'lists/partial'), join(tree.archives, 'partial'), dirname(tree.sourcesList)]) await mkdir(d, { recursive: true });
  await writeFile(tree.statusFile, '');
  await writeFile(tree.sourcesList, aptSourcesLine());
  const opts = aptTreeOptions(tree);
  const fixNet = 'check that deb.debian.org is reachable and debian-archive-keyring is installed';
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  log(`apt-get update (private tree ${tree.root}, Debian 13)`);
  await runOrThrow('FERRY_ERR_PREREQUISITE', 'apt-get', [...opts, 'update'], fixNet, { env, timeoutMs: 10 * 60_000 });
  log('apt-get -d install criu (download only)');
  await runOrThrow('FERRY_ERR_PREREQUISITE', 'apt-get', [...opts, '-d', '-y', 'install', 'criu'], fixNet, { env, timeoutMs: 10 * 60_000 });
  const staging = join(work, 'root');
  await mkdir(staging, { recursive: true });
  const debs = (await readdir(tree.archives)).filter((f) => f.endsWith('.deb')).sort();
  if (!debs.some((d) => d.startsWith('criu_'))) throw new FerryError('FERRY_ERR_PREREQUISITE', `apt downloaded no criu package into ${tree.archives}; ${fixNet}`);
  log(`unpacking ${debs.length} packages`);
  for (const deb of debs) {
    await runOrThrow('FERRY_ERR_PREREQUISITE', 'dpkg-deb', ['-x', join(tree.archives, deb), staging], 'the download may be corrupt; run `ferry doctor --fix` again');
  }
  const staged = criuPrefixLayout(staging, arch);
  await mkdir(staged.wrapperDir, { recursive: true });
  await writeFile(staged.wrapper, criuWrapperScript(layout));
  await chmod(staged.wrapper, 0o755);
  const trial = await run(staged.loader, ['--library-path', staged.libDir, staged.binary, 'check'], { timeoutMs: 60_000 });
  const trialCheck = parseCriuCheck(trial.failure ? -1 : trial.code, trial.stdout, trial.stderr);
  if (!trialCheck.ok) throw new FerryError('FERRY_ERR_PREREQUISITE', `the downloaded CRIU fails \`criu check\` on this kernel: ${trialCheck.detail}; ${prefix} was left as it was`);
  await writeFile(join(staging, MARKER), `CRIU from Debian 13, unpacked by ferry doctor --fix on ${new Date().toISOString()}\n`);
  await rm(prefix, { recursive: true, force: true });
  await mkdir(dirname(prefix), { recursive: true });
  await rename(staging, prefix);
  await rm(work, { recursive: true, force: true });
  const probe = await probeCriuAt(layout.wrapper);
  if (!probe.usable) throw new FerryError('FERRY_ERR_PREREQUISITE', `CRIU unpacked into ${prefix} does not work: ${probe.check.detail}; see \`${layout.wrapper} check\``);
  dirCache.delete(prefix);
  return `installed CRIU ${probe.version?.text ?? '?'} into ${prefix} (wrapper ${layout.wrapper}): criu check: Looks good.`;
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
