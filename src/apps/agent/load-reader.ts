/**
 * @module apps/agent/load-reader — reads the counters of this host's node and of each running
 * container of its engine: the container list from the engine, each container's cgroup v1
 * counters found through /proc/<pid>/cgroup, its network namespace's bytes through
 * /proc/<pid>/net/dev, and the host's uplink through the agent's own /proc/net/dev (the agent
 * runs in its host's network namespace).
 *
 * The node's CPU is never read from /proc/stat: every test-bed host shares one kernel, so
 * /proc/stat is the whole machine's. It is the cgroup parent's cpuacct.usage when dockerd
 * puts this host's containers under one (--cgroup-parent), else the sum of its containers'.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Engine } from '../../adapters/docker/engine-port.ts';
import type { ContainerSummary } from '../../adapters/docker/types.ts';
import { cgroupDir, cgroupDirs, parseProcCgroup, readCgroupMounts, readCpuNs, readResidentBytes, type CgroupMount } from '../../adapters/host/cgroup-stats.ts';
import type { ContainerReading, LoadReading } from '../../adapters/host/load-rates.ts';
import { readNetDev, readUplinkBytes, totalBytes } from '../../adapters/host/net-stats.ts';
import { containerName, ferryLabels } from './container-labels.ts';

/** What the reader needs. */
export interface LoadReaderOptions {
  engine: Engine;
  /** dockerd's --cgroup-parent for this host ('' : Docker's default /docker, shared by every test-bed host). */
  cgroupParent: string;
}

/** What the engine told of a container once (its PID changes only when it restarts). */
interface Known {
  pid: number;
  startedAt: number;
  /** A container in the host's network namespace has no traffic of its own to count. */
  hostNetwork: boolean;
}

/** Returns a function that reads this host's load counters now. */
export function loadReader(o: LoadReaderOptions): () => Promise<LoadReading> {
  const known = new Map<string, Known>();
  let mounts: CgroupMount[] | undefined;

  async function inspect(id: string): Promise<Known> {
    const c = await o.engine.inspectContainer(id);
    const k = { pid: c.State.Pid, startedAt: Date.parse(c.State.StartedAt), hostNetwork: c.HostConfig.NetworkMode === 'host' };
    known.set(id, k);
    return k;
  }

  async function readContainer(c: ContainerSummary, m: CgroupMount[]): Promise<{ reading: ContainerReading; cpuacctDir: string }> {
    let k = known.get(c.Id) ?? (await inspect(c.Id));
    let text = await readFile(`/proc/${k.pid}/cgroup`, 'utf8').catch(() => '');
    if (!text.includes(c.Id)) {
      // the cached PID is gone or reused: the container restarted
      k = await inspect(c.Id);
      text = await readFile(`/proc/${k.pid}/cgroup`, 'utf8');
    }
    const dirs = cgroupDirs(parseProcCgroup(text), m);
    if (!dirs.cpuacct || !dirs.memory) throw new Error(`no cpuacct or memory cgroup for container ${c.Id}`);
    const [cpuNs, memoryBytes, netBytes] = await Promise.all([
      readCpuNs(dirs.cpuacct),
      readResidentBytes(dirs.memory),
      k.hostNetwork ? 0 : readNetDev(k.pid).then((dev) => totalBytes(dev)),
    ]);
    return {
      reading: { id: c.Id, name: containerName(c), labels: ferryLabels(c.Labels), startedAt: k.startedAt, cpuNs, memoryBytes, netBytes },
      cpuacctDir: dirs.cpuacct,
    };
  }

  /** The cgroup parent's cpuacct directory: where this host's containers are, else from the mount. */
  function parentDir(m: CgroupMount[], containerDirs: string[]): string | undefined {
    if (!o.cgroupParent) return undefined;
    const name = path.basename(o.cgroupParent);
    const seen = containerDirs.map((d) => path.dirname(d)).find((d) => path.basename(d) === name);
    return seen ?? cgroupDir(m, 'cpuacct', `/${o.cgroupParent.replace(/^\/+/, '')}`);
  }

  return async () => {
    mounts ??= await readCgroupMounts();
    const m = mounts;
    const running = await o.engine.listContainers();
    const read = await Promise.all(running.map((c) => readContainer(c, m).catch(() => {
      known.delete(c.Id); // it exited between the list and the read: skip it this time
      return undefined;
    })));
    for (const id of known.keys()) if (!running.some((c) => c.Id === id)) known.delete(id);
    const ok = read.filter((r) => r !== undefined);
    const parent = parentDir(m, ok.map((r) => r.cpuacctDir));
    const nodeCpuNs = parent ? await readCpuNs(parent).catch(() => undefined) : undefined;
    const uplink = await readUplinkBytes();
    return {
      at: Date.now(),
      mono: performance.now(),
      containers: ok.map((r) => r.reading),
      ...(nodeCpuNs !== undefined ? { nodeCpuNs } : {}),
      nodeNetBytes: uplink.bytes,
    };
  };
}
