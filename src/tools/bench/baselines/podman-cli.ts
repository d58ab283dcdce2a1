/**
 * @module tools/bench/baselines/podman-cli — podman as one test-bed host's second container engine:
 * run inside the host's network namespace with storage, run root, temp dir (file locks) and
 * network configuration of its own under the host's test-bed directories, runc with the
 * private CRIU first on PATH, cgroupfs and file events (cgroup v1, no systemd here).
 */
import path from 'node:path';
import { FerryError, type ErrorCode } from '../../../core/errors.ts';
import { criuBinDir } from '../../doctor/index.ts';
import { run, runOrThrow } from '../../../adapters/host/run.ts';
import { loadConfig } from '../../../core/config.ts';
import type { CommandLine, HostPlan } from '../../testbed/index.ts';
import { inNetns } from './netns.ts';

/** Flags every podman workload needs on these machines: runc (which finds the private CRIU on PATH), and limits no higher than the hard ones (CAP_SYS_RESOURCE is withheld). */
export const PODMAN_WORKLOAD_FLAGS = ['--runtime', 'runc', '--ulimit', 'nofile=1024:1024', '--ulimit', 'nproc=1024:1024'] as const;

const TIMEOUT_MS = 10 * 60_000;
const FIX = 'see podman\'s message; `ferry doctor --fix` installs podman';

/** Where one host's podman keeps everything; all of it is removed after a run. */
export interface PodmanPaths {
  netnsPath: string;
  /** Under the host's test-bed directory, so `ferry testbed down` also sweeps leftovers. */
  base: string;
  root: string;
  /** Under the host's exec root (a tmpfs-like /run path). */
  runroot: string;
  tmpDir: string;
  networkDir: string;
  confFile: string;
  /** Checkpoint archives: written here on the source, received here on the destination. */
  xferDir: string;
}

/** The podman paths of a test-bed host. */
export function podmanPaths(host: HostPlan): PodmanPaths {
  const base = path.join(host.dir, 'podman');
  return {
    netnsPath: host.netnsPath, base,
    root: path.join(base, 'root'), runroot: path.join(host.execRoot, 'podman'),
    tmpDir: path.join(base, 'tmp'), networkDir: path.join(base, 'networks'),
    confFile: path.join(base, 'containers.conf'), xferDir: path.join(base, 'xfer'),
  };
}

/**
 * The host's containers.conf (CONTAINERS_CONF, which replaces the system's): file locks in
 * its own temp dir — the default SHM locks are one segment for the whole machine, which a
 * second podman with a fresh run root would reset under the first.
 */
export function containersConf(p: PodmanPaths): string {
  return [
    '[engine]',
    'lock_type = "file"',
    'cgroup_manager = "cgroupfs"',
    'events_logger = "file"',
    'runtime = "runc"',
    `tmp_dir = "${p.tmpDir}"`,
    `static_dir = "${path.join(p.root, 'libpod')}"`,
    `volume_path = "${path.join(p.root, 'volumes')}"`,
    '[network]',
    `network_config_dir = "${p.networkDir}"`,
    '',
  ].join('\n');
}

/** A podman command line for a host: in its namespace, on its storage. */
export function podmanCommand(p: PodmanPaths, args: readonly string[]): CommandLine {
  return inNetns(p.netnsPath, 'podman', [
    '--root', p.root, '--runroot', p.runroot, '--tmpdir', p.tmpDir, '--network-config-dir', p.networkDir,
    '--storage-driver', 'overlay', '--runtime', 'runc', '--cgroup-manager', 'cgroupfs', '--events-backend', 'file',
    ...args,
  ]);
}

/** `podman run -d` of a workload. */
export function runArgs(o: { name: string; image: string; env: readonly string[]; labels?: Readonly<Record<string, string>> }): string[] {
  return [
    'run', '-d', '--name', o.name, ...PODMAN_WORKLOAD_FLAGS,
    ...o.env.flatMap((e) => ['--env', e]),
    ...Object.entries(o.labels ?? {}).flatMap(([k, v]) => ['--label', `${k}=${v}`]),
    o.image,
  ];
}

/** The version in `podman --version` ("podman version 4.3.1" → "4.3.1"). */
export function parsePodmanVersion(text: string): string {
  const m = /version\s+(\S+)/.exec(text);
  if (!m?.[1]) throw new FerryError('FERRY_ERR_PREREQUISITE', `cannot read a version from \`podman --version\`: ${JSON.stringify(text.trim())}`);
  return m[1];
}

/** The first image name `podman load` reports ("Loaded image: localhost/ferry/counter:2"). */
export function parseLoadedImage(stdout: string): string {
  const m = /^Loaded image(?:\(s\))?:\s*([^\s,]+)/m.exec(stdout);
  if (!m?.[1]) throw new FerryError('FERRY_ERR_TESTBED', `podman load named no image: ${JSON.stringify(stdout.trim().slice(0, 200))}`);
  return m[1];
}

/** The installed podman's version, for the benchmark's machine record. */
export async function podmanVersion(): Promise<string> {
  const r = await run('podman', ['--version'], { timeoutMs: 10_000 });
  if (r.code !== 0) throw new FerryError('FERRY_ERR_PREREQUISITE', `podman does not run (${r.failure ?? r.stderr.trim()}); run \`ferry doctor --fix\``);
  return parsePodmanVersion(r.stdout);
}

/** One host's podman. */
export class Podman {
  readonly paths: PodmanPaths;
  private readonly env: NodeJS.ProcessEnv;

  private constructor(paths: PodmanPaths, criuDir: string) {
    this.paths = paths;
    this.env = { ...process.env, PATH: `${criuDir}:${process.env['PATH'] ?? '/usr/sbin:/usr/bin:/sbin:/bin'}`, CONTAINERS_CONF: paths.confFile };
  }

  /** The podman of a host, with the CRIU that `ferry doctor` settled on first on its PATH. */
  static async of(host: HostPlan): Promise<Podman> {
    return new Podman(podmanPaths(host), await criuBinDir(loadConfig()));
  }

  /** Runs podman; a failure throws `code` with podman's own message. Returns stdout. */
  async run(args: readonly string[], code: ErrorCode = 'FERRY_ERR_TESTBED'): Promise<string> {
    const cmd = podmanCommand(this.paths, args);
    return (await runOrThrow(code, cmd.file, cmd.args, FIX, { env: this.env, timeoutMs: TIMEOUT_MS })).stdout;
  }

  /** Runs podman and only reports whether it worked (for cleanup). */
  async try(args: readonly string[]): Promise<boolean> {
    const cmd = podmanCommand(this.paths, args);
    const r = await run(cmd.file, cmd.args, { env: this.env, timeoutMs: TIMEOUT_MS });
    return r.code === 0 && !r.failure;
  }
}
