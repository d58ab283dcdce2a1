/**
 * @module adapters/host/cgroup-stats — a process's cgroup v1 counters: where its cgroup of each
 * controller lives (from /proc/<pid>/cgroup and the cgroup mounts of /proc/self/mountinfo),
 * cumulative CPU time from cpuacct.usage and resident memory from memory.stat. Parsers are
 * pure; the readers only read files.
 *
 * @example
 *   const dirs = cgroupDirs(parseProcCgroup(text), parseCgroupMounts(mountinfo));
 *   const ns = await readCpuNs(dirs.get('cpuacct')!);
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';

/** One cgroup v1 hierarchy as mounted: its controllers, where it is mounted, and the cgroup at the mount point. */
export interface CgroupMount {
  controllers: string[];
  mountPoint: string;
  /** The cgroup path that the mount point shows (`/` unless a sub-tree is bind-mounted). */
  root: string;
}

/** Parses a /proc/<pid>/cgroup text into controller → cgroup path (v1 lines; the v2 line `0::` is under ''). */
export function parseProcCgroup(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^\d+:([^:]*):(.*)$/.exec(line.trim());
    if (!m) continue;
    const [, list = '', cgPath = ''] = m;
    for (const controller of list.split(',')) out.set(controller.replace(/^name=/, ''), cgPath);
  }
  return out;
}

/** The cgroup v1 controllers a mount's super options can name (the rest are mount options such as rw). */
const V1_CONTROLLERS = new Set(['cpu', 'cpuacct', 'cpuset', 'memory', 'devices', 'freezer', 'blkio', 'pids', 'net_cls', 'net_prio', 'perf_event', 'hugetlb', 'rdma', 'misc']);

/** Parses /proc/self/mountinfo into the cgroup v1 mounts (a combined `cpu,cpuacct` hierarchy lists both). */
export function parseCgroupMounts(mountinfo: string): CgroupMount[] {
  const out: CgroupMount[] = [];
  for (const line of mountinfo.split('\n')) {
    const [before, after] = line.split(' - ');
    if (!before || !after) continue;
    const fields = before.split(' ');
    const [fsType, , superOptions = ''] = after.split(' ');
    if (fsType !== 'cgroup') continue;
    const root = fields[3];
    const mountPoint = fields[4];
    if (!root || !mountPoint) continue;
    const controllers = superOptions.split(',').filter((o) => V1_CONTROLLERS.has(o) || o.startsWith('name=')).map((o) => o.replace(/^name=/, ''));
    out.push({ controllers, mountPoint: unescapeMount(mountPoint), root: unescapeMount(root) });
  }
  return out;
}

/** mountinfo escapes space, tab, newline and backslash as octal. */
function unescapeMount(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
}

/** The directory of a cgroup path of one controller, or undefined when no mount shows it. */
export function cgroupDir(mounts: readonly CgroupMount[], controller: string, cgPath: string): string | undefined {
  for (const m of mounts) {
    if (!m.controllers.includes(controller)) continue;
    const root = m.root === '/' ? '' : m.root;
    if (root && cgPath !== root && !cgPath.startsWith(`${root}/`)) continue;
    return path.join(m.mountPoint, cgPath.slice(root.length));
  }
  return undefined;
}

/** The directories of a process's cgroups for the controllers ferry reads (cpuacct, memory). */
export function cgroupDirs(procCgroup: ReadonlyMap<string, string>, mounts: readonly CgroupMount[]): { cpuacct?: string; memory?: string } {
  const dir = (c: string): string | undefined => {
    const p = procCgroup.get(c);
    return p === undefined ? undefined : cgroupDir(mounts, c, p);
  };
  const cpuacct = dir('cpuacct');
  const memory = dir('memory');
  return { ...(cpuacct ? { cpuacct } : {}), ...(memory ? { memory } : {}) };
}

/** Parses memory.stat into key → value. */
export function parseMemoryStat(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of text.split('\n')) {
    const [k, v] = line.trim().split(/\s+/);
    if (k && v !== undefined && /^\d+$/.test(v)) out[k] = Number(v);
  }
  return out;
}

/**
 * Resident memory of a cgroup in bytes: anonymous memory (total_rss) plus file pages mapped
 * into its processes (total_mapped_file, which includes mapped shared memory). Page cache no
 * process maps is left out: the kernel reclaims it under pressure, so memory.usage_in_bytes
 * overstates what the container needs (and what a migration moves).
 */
export function residentBytes(stat: Readonly<Record<string, number>>): number {
  return (stat['total_rss'] ?? stat['rss'] ?? 0) + (stat['total_mapped_file'] ?? stat['mapped_file'] ?? 0);
}

/** Cumulative CPU time of a cgroup (and its descendants) in ns, from cpuacct.usage. */
export async function readCpuNs(cpuacctDir: string): Promise<number> {
  return Number((await readFile(path.join(cpuacctDir, 'cpuacct.usage'), 'utf8')).trim());
}

/** Resident memory of a cgroup in bytes (see {@link residentBytes}). */
export async function readResidentBytes(memoryDir: string): Promise<number> {
  return residentBytes(parseMemoryStat(await readFile(path.join(memoryDir, 'memory.stat'), 'utf8')));
}

/** Reads the cgroup mounts of this machine (the agent shares the root mount namespace). */
export async function readCgroupMounts(): Promise<CgroupMount[]> {
  return parseCgroupMounts(await readFile('/proc/self/mountinfo', 'utf8'));
}
