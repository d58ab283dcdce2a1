/**
 * @module services/migration/freeze-preflight — what the freeze would fail on, found before any round
 * or byte is sent. Each rule is named data: what it finds in the container's processes (as
 * /proc shows them), why CRIU 4.2 refuses it (or, for connections, why they would not keep
 * their clients), and the fix. Pure: the facts are read elsewhere (adapters/host/container-processes.ts).
 *
 * @example
 *   const refusals = checkFreeze(await readContainerProcesses(pids), agentFacts);
 *   if (refusals.length) throw freezeError('web', refusals);
 */
import { FerryError, type ErrorCode } from '../../core/errors.ts';
import type { ContainerProcesses, NamespaceKind, ProcessFacts } from '../../adapters/host/container-processes.ts';
import { tcpStateName } from '../../adapters/host/proc-net-tcp.ts';
import { CAP_SYS_RESOURCE, hasCap } from '../../adapters/host/proc-status.ts';

/** The agent that will run CRIU: its own /proc/self facts. */
export type AgentFacts = ProcessFacts;

/** One rule: a kind of thing CRIU refuses to dump. */
export interface FreezeRule {
  /** Stable name, reported with the refusal. */
  readonly name: string;
  /** The error code a refusal by this rule carries. */
  readonly code: ErrorCode;
  /** Why the freeze would fail. */
  readonly reason: string;
  /** What the user can do. */
  readonly fix: string;
  /** What in the container this rule refuses, one line each; empty when nothing. */
  find(c: ContainerProcesses, agent: AgentFacts, move?: MoveFacts): string[];
}

/** A rule that fired, with what it found. */
export interface FreezeRefusal {
  rule: FreezeRule;
  found: string[];
}

/** `process PID (comm)`. */
function who(p: ProcessFacts): string {
  return `process ${p.pid} (${p.status.name})`;
}

/**
 * CRIU reads every task's rlimits with prlimit(2); the kernel allows that only when the
 * caller's uid and gid equal the task's real, effective and saved ids, or the caller has
 * CAP_SYS_RESOURCE in the task's user namespace ("Can't get rlimit 0: Operation not
 * permitted"). Tasks in another user namespace are left out: the agent may own it.
 */
export const NON_ROOT_WITHOUT_CAP_SYS_RESOURCE: FreezeRule = {
  name: 'non-root-without-cap-sys-resource',
  code: 'FERRY_ERR_CRIU_UNSUPPORTED',
  reason: 'the agent lacks CAP_SYS_RESOURCE, so CRIU cannot read the rlimits of a process under another uid or gid (prlimit fails with EPERM: "Can\'t get rlimit 0")',
  fix: 'run the agent where root has CAP_SYS_RESOURCE (ordinary hosts grant it; `ferry doctor` reports it), or run the container\'s processes as root (`docker run --user 0`, "User": "0")',
  find(c, agent) {
    if (hasCap(agent.status.capEff, CAP_SYS_RESOURCE)) return [];
    const [uid, gid] = [agent.status.uids[0], agent.status.gids[0]];
    return c.processes
      .filter((p) => p.ns.user === agent.ns.user)
      .filter((p) => p.status.uids.slice(0, 3).some((u) => u !== uid) || p.status.gids.slice(0, 3).some((g) => g !== gid))
      .map((p) => `${who(p)} runs as uid ${p.status.uids.slice(0, 3).join('/')} gid ${p.status.gids.slice(0, 3).join('/')}`);
  },
};

/** TCP states CRIU calls connected (criu/sk-inet.c can_dump_inet_sk): dumped with --tcp-established, closed with --tcp-close. */
export const CONNECTED_TCP_STATES: ReadonlySet<number> = new Set([1, 2, 4, 5, 8, 9, 11]);

/** What decides whether a container's connections survive the move (read at preflight). */
export interface MoveFacts {
  /** The container keeps its address (it is on the cluster network): its connections to outside go on. */
  keepsAddress: boolean;
  /** Container ports published on the source host's address (`-p`): clients reach them through this host only. */
  publishedPorts: readonly number[];
  /** The user accepts that connections that would break are closed (`--drop-connections`). */
  dropConnections: boolean;
}

/** A container that keeps its address, publishes nothing and drops nothing. */
export const KEEPS_ADDRESS: MoveFacts = Object.freeze({ keepsAddress: true, publishedPorts: [], dropConnections: false });

/** True for a loopback address as /proc/net/tcp{,6} shows it (127.0.0.0/8, ::1, ::ffff:127.x). */
export function isLoopback(address: string): boolean {
  const host = address.replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
  return /^127\./.test(host) || host === '::1' || /^::ffff:127\./i.test(host);
}

/** The connected TCP sockets the container's processes hold, each with its holder (once per socket). */
export function heldConnections(c: ContainerProcesses): Array<{ socket: ContainerProcesses['tcp'][number]; holder: ProcessFacts }> {
  const holders = new Map<number, ProcessFacts>();
  for (const p of c.processes) {
    for (const { target } of p.fds) {
      const inode = /^socket:\[(\d+)\]$/.exec(target)?.[1];
      if (inode && !holders.has(Number(inode))) holders.set(Number(inode), p);
    }
  }
  const seen = new Set<number>();
  const out: Array<{ socket: ContainerProcesses['tcp'][number]; holder: ProcessFacts }> = [];
  for (const s of c.tcp) {
    const holder = holders.get(s.inode);
    if (!holder || !CONNECTED_TCP_STATES.has(s.state) || seen.has(s.inode)) continue;
    seen.add(s.inode);
    out.push({ socket: s, holder });
  }
  return out;
}

/** Connected TCP sockets the container holds: inside it (loopback) and to the outside. */
export function countConnections(c: ContainerProcesses): { inside: number; outside: number } {
  const held = heldConnections(c);
  const inside = held.filter(({ socket }) => isLoopback(socket.local)).length;
  return { inside, outside: held.length - inside };
}

/**
 * Connections that cannot keep their clients: CRIU moves every connected socket
 * (--tcp-established), but a client outside reaches the restored one only at the same address.
 * A container off the cluster network gets a new address on the destination, and a port
 * published on the source host (`-p`) is reached through that host's address. Loopback
 * connections inside the container always move. `--drop-connections` closes them instead.
 */
export const CONNECTIONS_WOULD_BREAK: FreezeRule = {
  name: 'connections-would-break',
  code: 'FERRY_ERR_TCP_CONNECTED',
  reason: 'these connections cannot keep their clients: the container\'s address changes with the host, or its clients come through a port published on this host',
  fix: 'run the container on the cluster network (network.cluster, the test bed\'s "ferry"), which keeps its address and MAC on every host, without -p; or pass --drop-connections to move it with its connections closed (its clients reconnect)',
  find(c, _agent, move = KEEPS_ADDRESS) {
    if (move.dropConnections) return [];
    const out: string[] = [];
    for (const { socket: s, holder } of heldConnections(c)) {
      if (isLoopback(s.local)) continue;
      const port = Number(/:(\d+)$/.exec(s.local)?.[1]);
      const why = !move.keepsAddress ? 'its address changes with the host' : move.publishedPorts.includes(port) ? `port ${port} is published on this host` : '';
      if (why) out.push(`${who(holder)} holds ${s.local} → ${s.remote} (${tcpStateName(s.state)}): ${why}`);
    }
    return out;
  },
};

/** The anonymous-inode files CRIU 4.2 can dump (criu/files.c dump_one_file); any other fails. */
export const CRIU_ANON_INODES: ReadonlySet<string> = new Set(['[eventfd]', '[eventpoll]', 'inotify', '[fanotify]', '[signalfd]', '[timerfd]', '[pidfd]', 'bpf-map']);

/**
 * Files CRIU has no dumper for: io_uring rings, perf events, userfaultfd and other anonymous
 * inodes ("Can't dump file N of that type … (anon …)"), and mappings of an anonymous inode
 * (an io_uring ring's memory: "Can't open PID's mapfile link"; criu#2131, #2673).
 */
export const UNSUPPORTED_ANON_INODE: FreezeRule = {
  name: 'unsupported-anon-inode',
  code: 'FERRY_ERR_CRIU_UNSUPPORTED',
  reason: 'CRIU cannot dump io_uring, perf_event, userfaultfd or other anonymous-inode files, nor memory mapped from them',
  fix: 'run the program without io_uring, perf events or userfaultfd (a build or setting that turns them off), or move the container by restarting it on the destination',
  find(c) {
    const out: string[] = [];
    for (const p of c.processes) {
      const byKind = new Map<string, number[]>();
      for (const { fd, target } of p.fds) {
        const kind = /^anon_inode:(.*)$/.exec(target)?.[1];
        if (kind !== undefined && !CRIU_ANON_INODES.has(kind)) byKind.set(kind, [...(byKind.get(kind) ?? []), fd]);
      }
      for (const [kind, fds] of byKind) out.push(`${who(p)} holds anon_inode:${kind} (fd ${fds.join(', ')})`);
      for (const path of p.anonMappings) if (!byKind.has(path.slice('anon_inode:'.length))) out.push(`${who(p)} maps ${path}`);
    }
    return out;
  },
};

/** A process under ptrace: a task has one tracer, so CRIU's PTRACE_SEIZE fails on it. */
export const TRACED_PROCESS: FreezeRule = {
  name: 'traced-process',
  code: 'FERRY_ERR_CRIU_UNSUPPORTED',
  reason: 'CRIU must ptrace every process and a process has only one tracer, so seizing a traced one fails',
  fix: 'detach the debugger or tracer (strace, gdb) before migrating',
  find(c) {
    return c.processes.filter((p) => p.status.tracerPid).map((p) => `${who(p)} is traced by pid ${p.status.tracerPid} (${p.tracerName ?? '?'})`);
  },
};

/** Namespaces CRIU cannot dump nested (all but mount and network: CLONE_SUBNS in criu/include/namespaces.h). */
export const UNNESTABLE_NAMESPACES: readonly NamespaceKind[] = ['pid', 'ipc', 'uts', 'user', 'cgroup', 'time'];

/**
 * A process in a namespace of its own below the container's ("Can't dump nested pid
 * namespace"): CRIU dumps one of each kind, the container's init's (or its own).
 */
export const NESTED_NAMESPACE: FreezeRule = {
  name: 'nested-namespace',
  code: 'FERRY_ERR_CRIU_UNSUPPORTED',
  reason: 'CRIU cannot dump a nested pid, ipc, uts, user, cgroup or time namespace inside the container',
  fix: 'run the container\'s programs without creating namespaces of their own (no `unshare`, nested containers or sandboxes inside it)',
  find(c, agent) {
    const init = c.processes[0];
    if (!init) return [];
    const out: string[] = [];
    for (const p of c.processes.slice(1)) {
      const nested = UNNESTABLE_NAMESPACES.filter((k) => p.ns[k] && p.ns[k] !== init.ns[k] && p.ns[k] !== agent.ns[k]);
      if (nested.length) out.push(`${who(p)} is in its own ${nested.map((k) => p.ns[k]).join(', ')}`);
    }
    return out;
  },
};

/** Every rule, in the order refusals are reported. */
export const FREEZE_RULES: readonly FreezeRule[] = Object.freeze([NON_ROOT_WITHOUT_CAP_SYS_RESOURCE, CONNECTIONS_WOULD_BREAK, UNSUPPORTED_ANON_INODE, TRACED_PROCESS, NESTED_NAMESPACE]);

/** The rules that fire on a container, with what each found. */
export function checkFreeze(c: ContainerProcesses, agent: AgentFacts, rules: readonly FreezeRule[] = FREEZE_RULES, move: MoveFacts = KEEPS_ADDRESS): FreezeRefusal[] {
  const out: FreezeRefusal[] = [];
  for (const rule of rules) {
    const found = rule.find(c, agent, move);
    if (found.length) out.push({ rule, found });
  }
  return out;
}

/** At most this many findings per rule go into the message (all are in the details). */
const SHOWN = 4;

/** The refusal as one error: the first rule's code, every rule's findings, reason and fix. */
export function freezeError(container: string, refusals: readonly FreezeRefusal[]): FerryError {
  const first = refusals[0];
  if (!first) throw new Error('freezeError needs at least one refusal');
  const parts = refusals.map(({ rule, found }) => {
    const more = found.length > SHOWN ? `; and ${found.length - SHOWN} more` : '';
    return `${found.slice(0, SHOWN).join('; ')}${more}: ${rule.reason} [rule ${rule.name}]. Fix: ${rule.fix}.`;
  });
  return new FerryError(first.rule.code, `container ${container} cannot be frozen, nothing was sent and it runs on: ${parts.join(' Also: ')}`, {
    details: { rules: refusals.map(({ rule, found }) => ({ rule: rule.name, found })) },
  });
}
