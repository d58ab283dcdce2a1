/**
 * @module tools/testbed/containers — kills a container whose dockerd is gone: finds it by its
 * containerd-shim, thaws it, kills every process of its cgroup, and removes its cgroups.
 */
import { readFile, readdir, rmdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CGROUP_ROOT } from './cgroup.ts';
import { childrenOf, readArgv, signal, waitGone } from './procs.ts';

/** Docker's default cgroup parent (cgroupfs driver). */
export const DOCKER_CGROUP_PARENT = '/docker';

/** The container id a containerd-shim serves (its `-id` argument), or null. */
export function shimContainerId(argv: readonly string[]): string | null {
  const i = argv.indexOf('-id');
  const id = i >= 0 ? argv[i + 1] : undefined;
  return id !== undefined && /^[0-9a-f]{64}$/.test(id) ? id : null;
}

/** The cgroup directories Docker (cgroupfs driver) makes for a container under each of `parents`, v1 per controller and v2. */
async function containerCgroups(id: string, parents: readonly string[]): Promise<string[]> {
  const controllers = await readdir(CGROUP_ROOT).catch(() => [] as string[]);
  return parents.flatMap((p) => [join(CGROUP_ROOT, p, id), ...controllers.map((c) => join(CGROUP_ROOT, c, p, id))]);
}

async function cgroupPids(dir: string): Promise<number[]> {
  const raw = await readFile(join(dir, 'cgroup.procs'), 'utf8').catch(() => '');
  return raw.split('\n').filter((l) => /^\d+$/.test(l)).map(Number);
}

/**
 * Kills the container a shim serves (thawing it first) and removes its cgroups, looked for
 * under each of `cgroupParents`; the shim itself is left to the caller.
 */
export async function killContainer(shimPid: number, cgroupParents: readonly string[] = [DOCKER_CGROUP_PARENT]): Promise<void> {
  const argv = await readArgv(shimPid);
  const id = argv ? shimContainerId(argv) : null;
  const victims = new Set(await childrenOf(shimPid));
  const cgroups = id ? await containerCgroups(id, cgroupParents) : [];
  for (const dir of cgroups) {
    // a frozen task ignores SIGKILL until thawed (v1 freezer, v2 cgroup.freeze)
    await writeFile(join(dir, 'freezer.state'), 'THAWED').catch(() => {});
    await writeFile(join(dir, 'cgroup.freeze'), '0').catch(() => {});
    for (const pid of await cgroupPids(dir)) victims.add(pid);
  }
  for (const pid of victims) signal(pid, 'SIGKILL');
  for (const pid of victims) await waitGone(pid, 5_000);
  for (const dir of cgroups) await rmdir(dir).catch(() => {});
}
