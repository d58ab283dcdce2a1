/**
 * @module tools/workloads/debian-rootfs — root file systems made of Debian packages, for images
 * that need a tool chain inside: `debootstrap --variant=minbase` from the mirror this
 * machine's apt already uses, and upstream sources of a Debian source package fetched with a
 * private apt tree (the machine's own apt configuration is never touched).
 */
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { FerryError } from '../../core/errors.ts';
import { aptTree, aptTreeOptions } from '../doctor/index.ts';
import { runOrThrow } from '../../adapters/host/run.ts';
import { unmountUnder } from '../testbed/index.ts';
import { DEFAULT_MIRROR, mirrorFor, parseDeb822Sources, parseOneLineSources, type AptSource } from './apt-sources.ts';

const APT_DIR = '/etc/apt';
const KEYRING = '/usr/share/keyrings/debian-archive-keyring.gpg';
const FIX_NET = 'check that the Debian mirror is reachable and debian-archive-keyring is installed';
const ENV = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
const TEN_MINUTES = 10 * 60_000;
/** What a build inside the image never reads; dropped to keep the image small. */
const PRUNED = ['var/cache/apt/archives', 'var/lib/apt/lists', 'usr/share/doc', 'usr/share/man', 'usr/share/info', 'usr/share/locale', 'dev'];

/** The mirror apt on this machine uses for `suite` (/etc/apt/sources.list and sources.list.d), else deb.debian.org. */
export async function localMirror(suite: string): Promise<string> {
  const sources: AptSource[] = [];
  const read = (f: string): Promise<string> => readFile(f, 'utf8').catch(() => '');
  sources.push(...parseOneLineSources(await read(path.join(APT_DIR, 'sources.list'))));
  const parts = path.join(APT_DIR, 'sources.list.d');
  for (const f of (await readdir(parts).catch(() => [] as string[])).sort()) {
    if (f.endsWith('.list')) sources.push(...parseOneLineSources(await read(path.join(parts, f))));
    if (f.endsWith('.sources')) sources.push(...parseDeb822Sources(await read(path.join(parts, f))));
  }
  return mirrorFor(sources, suite) ?? DEFAULT_MIRROR;
}

/** Where and what to fetch from Debian. */
export interface DebianSource {
  suite: string;
  mirror: string;
  log: (line: string) => void;
}

/** A minimal Debian in `root` with `packages` installed, without what a build never reads (apt lists, .debs, docs, device nodes). */
export async function debootstrap(root: string, packages: readonly string[], from: DebianSource): Promise<void> {
  from.log(`debootstrap --variant=minbase --include=${packages.join(',')} ${from.suite} from ${from.mirror}`);
  const args = ['--variant=minbase', `--include=${packages.join(',')}`, '--components=main', `--keyring=${KEYRING}`, from.suite, root, from.mirror];
  try {
    await runOrThrow('FERRY_ERR_PREREQUISITE', 'debootstrap', args, FIX_NET, { env: ENV, timeoutMs: 2 * TEN_MINUTES });
  } finally {
    // a failed debootstrap can leave the target's /proc and /sys mounted
    await unmountUnder([root]);
  }
  for (const p of PRUNED) {
    const dir = path.join(root, p);
    for (const entry of await readdir(dir).catch(() => [] as string[])) await rm(path.join(dir, entry), { recursive: true, force: true });
  }
}

/** Downloads source package `pkg` with a private apt tree and unpacks its upstream tarball into `dest` (top directory stripped). */
export async function fetchUpstreamSource(pkg: string, dest: string, scratch: string, from: DebianSource): Promise<void> {
  const tree = aptTree(path.join(scratch, 'apt'));
  const opts = [...aptTreeOptions(tree), '-o', 'APT::Sandbox::User=root'];
  const downloads = path.join(scratch, 'source');
  for (const d of [path.join(tree.stateDir, 'lists/partial'), path.join(tree.archives, 'partial'), path.dirname(tree.sourcesList), downloads, dest]) await mkdir(d, { recursive: true });
  await writeFile(tree.statusFile, '');
  await writeFile(tree.sourcesList, `deb-src [signed-by=${KEYRING}] ${from.mirror} ${from.suite} main\n`);
  from.log(`apt-get source --download-only ${pkg} (${from.suite}, private apt tree ${tree.root})`);
  await runOrThrow('FERRY_ERR_PREREQUISITE', 'apt-get', [...opts, 'update'], FIX_NET, { env: ENV, timeoutMs: TEN_MINUTES });
  // apt-get source writes into its working directory; env --chdir sets it without a shell.
  await runOrThrow('FERRY_ERR_PREREQUISITE', 'env', ['--chdir', downloads, 'apt-get', ...opts, 'source', '--download-only', pkg], FIX_NET, { env: ENV, timeoutMs: TEN_MINUTES });
  const files = await readdir(downloads);
  const upstream = files.find((f) => /\.orig\.tar\.\w+$/.test(f)) ?? files.find((f) => /\.tar\.\w+$/.test(f) && !f.includes('.debian.tar.'));
  if (!upstream) throw new FerryError('FERRY_ERR_PREREQUISITE', `apt-get source ${pkg} downloaded no upstream tarball (got ${files.join(', ') || 'nothing'}); ${FIX_NET}`);
  from.log(`unpacking ${upstream}`);
  await runOrThrow('FERRY_ERR_PREREQUISITE', 'tar', ['-xf', path.join(downloads, upstream), '-C', dest, '--strip-components=1', '--no-same-owner'],
    `the download may be corrupt (xz-utils is needed for .tar.xz); build again`);
}
