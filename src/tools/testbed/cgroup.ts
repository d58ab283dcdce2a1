/**
 * @module tools/testbed/cgroup — a host's cgroup parent: made with its CFS quota before the host's
 * dockerd starts (so every container of the host shares the quota), and removed after its
 * containers are gone. cgroup v1 (one hierarchy per controller) and v2 (one hierarchy).
 */
import { lstat, mkdir, readFile, readdir, realpath, rmdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { FerryError } from '../../core/errors.ts';
import type { HostPlan } from './plan.ts';
import { signal, waitGone } from './procs.ts';

/** Where the cgroup hierarchies are mounted. */
export const CGROUP_ROOT = '/sys/fs/cgroup';

const exists = (p: string): Promise<boolean> => lstat(p).then(() => true, () => false);

/** True on a unified (v2-only) hierarchy. */
export function isUnified(root = CGROUP_ROOT): Promise<boolean> {
  return exists(join(root, 'cgroup.controllers'));
}

/** The hierarchies a cgroup path can exist in: every v1 controller mount (joint mounts once), or the v2 root. */
export async function hierarchies(root = CGROUP_ROOT): Promise<string[]> {
  if (await isUnified(root)) return [root];
  const out = new Set<string>();
  for (const e of await readdir(root, { withFileTypes: true }).catch(() => [])) {
    // `cpu` and `cpuacct` are often symlinks to a joint `cpu,cpuacct` mount
    if (e.isDirectory()) out.add(await realpath(join(root, e.name)));
  }
  return [...out];
}

/** The directories of `relative` (e.g. /ferry-h1) in every hierarchy. */
export async function cgroupDirs(relative: string, root = CGROUP_ROOT): Promise<string[]> {
  return (await hierarchies(root)).map((h) => join(h, relative));
}

async function write(file: string, value: string): Promise<void> {
  try {
    await writeFile(file, value);
  } catch (err) {
    throw new FerryError('FERRY_ERR_TESTBED', `cannot write ${JSON.stringify(value)} to ${file}: ${(err as Error).message}; the CPU cap of a test-bed host needs root and the cpu cgroup controller`);
  }
}

/** Makes the host's cgroup parent and sets its CFS quota (idempotent); returns the file holding the quota. */
export async function ensureCpuCap(host: HostPlan, root = CGROUP_ROOT): Promise<string> {
  if (await isUnified(root)) {
    const control = join(root, 'cgroup.subtree_control');
    if (!(await readFile(control, 'utf8').catch(() => '')).split(/\s+/).includes('cpu')) await write(control, '+cpu');
    const dir = join(root, host.cgroupParent);
    await mkdir(dir, { recursive: true });
    await write(join(dir, 'cpu.max'), `${host.cpuQuotaUs} ${host.cpuPeriodUs}`);
    return join(dir, 'cpu.max');
  }
  const dir = join(root, 'cpu', host.cgroupParent);
  await mkdir(dir, { recursive: true });
  await write(join(dir, 'cpu.cfs_period_us'), String(host.cpuPeriodUs));
  await write(join(dir, 'cpu.cfs_quota_us'), String(host.cpuQuotaUs));
  return join(dir, 'cpu.cfs_quota_us');
}

/** The CFS quota and period now set on a host's cgroup parent, or null when it has none. */
export async function readCpuCap(host: HostPlan, root = CGROUP_ROOT): Promise<{ quotaUs: number; periodUs: number } | null> {
  if (await isUnified(root)) {
    const raw = await readFile(join(root, host.cgroupParent, 'cpu.max'), 'utf8').catch(() => null);
    const [quota, period] = (raw ?? '').trim().split(' ');
    return raw === null || quota === 'max' ? null : { quotaUs: Number(quota), periodUs: Number(period) };
  }
  const dir = join(root, 'cpu', host.cgroupParent);
  const quota = Number(await readFile(join(dir, 'cpu.cfs_quota_us'), 'utf8').catch(() => '-1'));
  const period = Number(await readFile(join(dir, 'cpu.cfs_period_us'), 'utf8').catch(() => '0'));
  return quota > 0 ? { quotaUs: quota, periodUs: period } : null;
}

/** Every cgroup directory at and below `dir`, deepest first. */
async function subtree(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    if (e.isDirectory()) out.push(...await subtree(join(dir, e.name)));
  }
  out.push(dir);
  return out;
}

async function tasksOf(dir: string): Promise<number[]> {
  const raw = await readFile(join(dir, 'cgroup.procs'), 'utf8').catch(() => '');
  return raw.split('\n').filter((l) => /^\d+$/.test(l)).map(Number);
}

/**
 * Removes a cgroup of the test bed in every hierarchy, children first. Anything still running
 * in it belongs to a container of the test bed whose dockerd is gone: it is thawed and killed.
 * Returns one line per hierarchy it was removed from; throws when a directory stays.
 */
export async function removeCgroup(relative: string, root = CGROUP_ROOT): Promise<string[]> {
  const done: string[] = [];
  const stuck: string[] = [];
  for (const top of await cgroupDirs(relative, root)) {
    if (!(await exists(top))) continue;
    for (const dir of await subtree(top)) {
      // a frozen task ignores SIGKILL until thawed (v1 freezer, v2 cgroup.freeze)
      await writeFile(join(dir, 'freezer.state'), 'THAWED').catch(() => {});
      await writeFile(join(dir, 'cgroup.freeze'), '0').catch(() => {});
      const tasks = await tasksOf(dir);
      for (const pid of tasks) signal(pid, 'SIGKILL');
      for (const pid of tasks) await waitGone(pid, 5_000);
      if (!(await rmdirRetry(dir))) stuck.push(dir);
    }
    if (!(await exists(top))) done.push(`cgroup ${top}`);
  }
  if (stuck.length > 0) {
    throw new FerryError('FERRY_ERR_TESTBED', `cgroups remain: ${stuck.join(', ')}; check \`cat DIR/cgroup.procs\` for tasks and rmdir them by hand, then run \`ferry testbed down\` again`);
  }
  return done;
}

/** rmdir of a cgroup; the kernel answers EBUSY for a moment after its last task exits. */
async function rmdirRetry(dir: string): Promise<boolean> {
  for (let i = 0; i < 20; i++) {
    try {
      await rmdir(dir);
      return true;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return true;
      if (code !== 'EBUSY') return false;
      await sleep(100);
    }
  }
  return false;
}
