/**
 * @module migration/freeze-preflight — what the freeze would fail on, found before any round
 * or byte is sent. Each rule is named data: what it finds in the container's processes (as
 * /proc shows them), why CRIU 4.2 (called by runc without --tcp-established or plugins)
 * refuses it, and the fix. Pure: the facts are read elsewhere (host/container-processes.ts).
 *
 * @example
 *   const refusals = checkFreeze(await readContainerProcesses(pids), agentFacts);
 *   if (refusals.length) throw freezeError('web', refusals);
 */
import { FerryError, type ErrorCode } from '../core/errors.ts';
import type { ContainerProcesses, NamespaceKind, ProcessFacts } from '../host/container-processes.ts';
import { tcpStateName } from '../host/proc-net-tcp.ts';
import { CAP_SYS_RESOURCE, hasCap } from '../host/proc-status.ts';

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
  find(c: ContainerProcesses, agent: AgentFacts): string[];
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

/** TCP states CRIU calls connected (criu/sk-inet.c can_dump_inet_sk): refused without --tcp-established. */
export const CONNECTED_TCP_STATES: ReadonlySet<number> = new Set([1, 2, 4, 5, 8, 9, 11]);

/**
 * Connected TCP sockets, loopback ones inside the container included. runc calls CRIU without
 * --tcp-established, and CRIU then refuses them ("Connected TCP socket, consider using
 * --tcp-established"). Remove this rule when connections move with the container.
 */
export const TCP_CONNECTED: FreezeRule = {
  name: 'tcp-connected',
  code: 'FERRY_ERR_TCP_CONNECTED',
  reason: 'CRIU is run without --tcp-established and refuses connected TCP sockets, loopback ones inside the container too',
  fix: 'close the connections before migrating (stop the clients or let them disconnect, then retry); ferry does not move open TCP connections yet',
  find(c) {
    const holders = new Map<number, ProcessFacts>();
    for (const p of c.processes) {
      for (const { target } of p.fds) {
        const inode = /^socket:\[(\d+)\]$/.exec(target)?.[1];
        if (inode && !holders.has(Number(inode))) holders.set(Number(inode), p);
      }
    }
    const seen = new Set<number>();
    const out: string[] = [];
    for (const s of c.tcp) {
      const p = holders.get(s.inode);
      if (!p || !CONNECTED_TCP_STATES.has(s.state) || seen.has(s.inode)) continue;
      seen.add(s.inode);
      out.push(`${who(p)} holds ${s.local} → ${s.remote} (${tcpStateName(s.state)})`);
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
export const FREEZE_RULES: readonly FreezeRule[] = Object.freeze([NON_ROOT_WITHOUT_CAP_SYS_RESOURCE, TCP_CONNECTED, UNSUPPORTED_ANON_INODE, TRACED_PROCESS, NESTED_NAMESPACE]);

/** The rules that fire on a container, with what each found. */
export function checkFreeze(c: ContainerProcesses, agent: AgentFacts, rules: readonly FreezeRule[] = FREEZE_RULES): FreezeRefusal[] {
  const out: FreezeRefusal[] = [];
  for (const rule of rules) {
    const found = rule.find(c, agent);
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
