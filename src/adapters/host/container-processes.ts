/**
 * @module adapters/host/container-processes — what /proc shows of a container's processes (its init
 * and every descendant) that decides whether CRIU can dump them: ids, tracer, namespaces,
 * open files, anonymous-inode mappings, and the TCP sockets of their network namespaces.
 * Only reads; a process that exits meanwhile is left out. The judging is pure, elsewhere
 * (services/migration/freeze-preflight.ts).
 */
import { readdir, readFile, readlink } from 'node:fs/promises';
import { endianness } from 'node:os';
import { parseProcNetTcp, type TcpSocket } from './proc-net-tcp.ts';
import { parseProcStatus, type ProcStatus } from './proc-status.ts';

/** The namespace kinds read for every process (`/proc/PID/ns/KIND`). */
export const NAMESPACE_KINDS = ['pid', 'ipc', 'uts', 'user', 'cgroup', 'time', 'mnt', 'net'] as const;

/** One namespace kind. */
export type NamespaceKind = (typeof NAMESPACE_KINDS)[number];

/** One process as /proc shows it. */
export interface ProcessFacts {
  pid: number;
  status: ProcStatus;
  /** Namespace links by kind, e.g. `pid:[4026531836]` (absent when unreadable). */
  ns: Partial<Record<NamespaceKind, string>>;
  /** Open file descriptors and what they point at (the link of /proc/PID/fd/N). */
  fds: ReadonlyArray<{ fd: number; target: string }>;
  /** The distinct paths of mappings backed by an anonymous inode (`anon_inode:…`). */
  anonMappings: readonly string[];
  /** The tracer's name when the process is traced. */
  tracerName?: string;
}

/** A container's processes and the TCP sockets of the network namespaces they are in. */
export interface ContainerProcesses {
  processes: readonly ProcessFacts[];
  tcp: readonly TcpSocket[];
}

/** Reads one process; undefined when it is gone. */
export async function readProcessFacts(pid: number | 'self'): Promise<ProcessFacts | undefined> {
  const dir = `/proc/${pid}`;
  const status = parseProcStatus(await readFile(`${dir}/status`, 'utf8').catch(() => ''));
  if (!status) return undefined;
  const ns: Partial<Record<NamespaceKind, string>> = {};
  for (const kind of NAMESPACE_KINDS) {
    const link = await readlink(`${dir}/ns/${kind}`).catch(() => undefined);
    if (link) ns[kind] = link;
  }
  const fds: Array<{ fd: number; target: string }> = [];
  for (const name of await readdir(`${dir}/fd`).catch(() => [])) {
    const target = await readlink(`${dir}/fd/${name}`).catch(() => undefined);
    if (target !== undefined) fds.push({ fd: Number(name), target });
  }
  const maps = await readFile(`${dir}/maps`, 'utf8').catch(() => '');
  const anonMappings = [...new Set(maps.split('\n').map((l) => /\s(anon_inode:\S+)\s*$/.exec(l)?.[1]).filter((p): p is string => !!p))];
  const tracerName = status.tracerPid ? (await readFile(`/proc/${status.tracerPid}/comm`, 'utf8').catch(() => '?')).trim() : undefined;
  return { pid: pid === 'self' ? process.pid : pid, status, ns, fds, anonMappings, ...(tracerName ? { tracerName } : {}) };
}

/** Reads a container's processes, its init first (`State.Pid` of docker inspect, then its descendants). */
export async function readContainerProcesses(pids: readonly number[]): Promise<ContainerProcesses> {
  const processes: ProcessFacts[] = [];
  for (const pid of pids) {
    const p = await readProcessFacts(pid);
    if (p) processes.push(p);
  }
  // One reader per network namespace: /proc/PID/net shows the namespace of PID.
  const byNet = new Map<string, number>();
  for (const p of processes) if (p.ns.net && !byNet.has(p.ns.net)) byNet.set(p.ns.net, p.pid);
  const tcp: TcpSocket[] = [];
  for (const pid of byNet.values()) {
    for (const table of ['tcp', 'tcp6']) {
      const text = await readFile(`/proc/${pid}/net/${table}`, 'utf8').catch(() => '');
      tcp.push(...parseProcNetTcp(text, endianness() === 'LE'));
    }
  }
  return { processes, tcp };
}

/** The agent's own facts: the uid, gid, capabilities and namespaces CRIU will run with. */
export async function readAgentFacts(): Promise<ProcessFacts> {
  const me = await readProcessFacts('self');
  if (!me) throw new Error('cannot read /proc/self/status');
  return me;
}
