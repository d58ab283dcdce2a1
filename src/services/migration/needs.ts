/** @module services/migration/needs — what a container will need on the destination: memory and disk. */
import { execFile } from 'node:child_process';
import type { ContainerInspect } from '../../adapters/docker/types.ts';
import type { ContainerSpec } from '../../adapters/docker/container-spec.ts';
import type { Needs } from '../../adapters/host/capacity.ts';
import { readFile } from 'node:fs/promises';
import { cgroupDirs, parseProcCgroup, readCgroupMounts, readResidentBytes } from '../../adapters/host/cgroup-stats.ts';

/** Memory in use (the checkpoint is about this big) plus writable layer and volumes on disk. */
export async function measureNeeds(inspect: ContainerInspect, spec: ContainerSpec): Promise<Needs> {
  const memoryBytes = await memoryInUse(inspect.Id, inspect.State.Pid);
  let diskBytes = (inspect.SizeRw ?? 0) + memoryBytes;
  for (const v of spec.volumes) diskBytes += await du(v.source);
  return { memoryBytes, diskBytes };
}

/** The container's memory use from its cgroup (v1 or v2), less page cache: found through its init process (any cgroup parent), else Docker's default places. */
async function memoryInUse(id: string, pid: number): Promise<number> {
  if (pid > 0) {
    try {
      const dirs = cgroupDirs(parseProcCgroup(await readFile(`/proc/${pid}/cgroup`, 'utf8')), await readCgroupMounts());
      if (dirs.memory) return await readResidentBytes(dirs.memory);
    } catch {
      /* fall back to the default layouts */
    }
  }
  const candidates = [`/sys/fs/cgroup/memory/docker/${id}/memory.stat`, `/sys/fs/cgroup/system.slice/docker-${id}.scope/memory.stat`, `/sys/fs/cgroup/docker/${id}/memory.stat`];
  for (const file of candidates) {
    try {
      const stat = await readFile(file, 'utf8');
      const rss = Number(/^(?:total_rss|anon) (\d+)$/m.exec(stat)?.[1] ?? NaN);
      if (Number.isFinite(rss)) return rss;
    } catch {
      /* try the next layout */
    }
  }
  return 0;
}

/** Bytes used under a directory (du -sb). */
function du(dir: string): Promise<number> {
  return new Promise((resolve) => {
    execFile('du', ['-sb', dir], (err, stdout) => resolve(err ? 0 : Number(String(stdout).split(/\s/)[0] ?? 0)));
  });
}
