/**
 * @module adapters/host/fake-checkpointer — `FakeCheckpointer`, a `Checkpointer` for unit tests that
 * answers from an engine's containers (a `FakeEngine` in practice): a pid is a running
 * container's, a dump writes a few small files where CRIU's images would go, a lock is a
 * flag. It records every call in order (and, given a journal, appends `checkpointer.METHOD`
 * to it, so tests can interleave it with other fakes' calls) and can be told to fail the next
 * call of a method. Refusals carry the real one's codes (checkpointer.conformance.ts).
 *
 * @example
 *   const checkpointer = new FakeCheckpointer(engine);
 *   checkpointer.failNext('dump');   // the next dump is FERRY_ERR_CHECKPOINT
 */
import { mkdir, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { FerryError, type ErrorCode } from '../../core/errors.ts';
import type { Engine } from '../docker/engine-port.ts';
import type { ContainerInspect } from '../docker/types.ts';
import type { Checkpointer, DumpRequest, RestoreRequest } from './checkpointer-port.ts';
import type { ContainerProcesses, ProcessFacts } from './container-processes.ts';
import type { TcpMode } from './runc.ts';

/** A method of the port. */
export type CheckpointerMethod = keyof Checkpointer;

/** One recorded call. */
export interface CheckpointerCall {
  method: CheckpointerMethod;
  args: unknown[];
}

/** The code a failed call carries unless the test names another error. */
const FAIL_CODE: Record<CheckpointerMethod, ErrorCode> = {
  processes: 'FERRY_ERR_INTERNAL', agentFacts: 'FERRY_ERR_INTERNAL', cpuinfo: 'FERRY_ERR_CRIU_TIMEOUT', checkCpuinfo: 'FERRY_ERR_CRIU_TIMEOUT',
  canDump: 'FERRY_ERR_INTERNAL', dump: 'FERRY_ERR_CHECKPOINT', dumpThroughEngine: 'FERRY_ERR_CHECKPOINT', thaw: 'FERRY_ERR_DOCKER',
  lockNetwork: 'FERRY_ERR_NET_LOCK', unlockNetwork: 'FERRY_ERR_NET_LOCK', networkLocked: 'FERRY_ERR_INTERNAL',
  restore: 'FERRY_ERR_RESTORE', announce: 'FERRY_ERR_ADDRESS',
};

/** Every capability (CAP_SYS_RESOURCE included): the agent runs as root. */
const ALL_CAPS = (1n << 41n) - 1n;

/** This fake host's CPU description. */
const CPUINFO = Buffer.from('fake cpuinfo').toString('base64');

/** One fake process: root, untraced, in the namespaces of its container (named by its init's pid). */
export function fakeProcess(pid: number, init: number, name = 'loop'): ProcessFacts {
  const ns = { pid: `pid:[${init}]`, ipc: `ipc:[${init}]`, uts: `uts:[${init}]`, user: 'user:[4026531837]', cgroup: `cgroup:[${init}]`, time: 'time:[4026531834]', mnt: `mnt:[${init}]`, net: `net:[${init}]` };
  return { pid, status: { name, uids: [0, 0, 0, 0], gids: [0, 0, 0, 0], tracerPid: 0, capEff: ALL_CAPS }, ns, fds: [], anonMappings: [] };
}

/** A checkpointer that answers from an engine's containers. */
export class FakeCheckpointer implements Checkpointer {
  /** Every call, in order. */
  readonly calls: CheckpointerCall[] = [];
  private readonly engine: Engine;
  private readonly journal: string[] | undefined;
  private readonly failures = new Map<CheckpointerMethod, Error[]>();
  private readonly locked = new Set<number>();
  /** Processes a test set for a pid (to make preflight refuse, say). */
  private readonly processOverrides = new Map<number, ContainerProcesses>();

  constructor(engine: Engine, options: { journal?: string[] } = {}) {
    this.engine = engine;
    this.journal = options.journal;
  }

  /** Makes the next call of `method` fail with `error` (default: a FerryError with the code the real one would give). */
  failNext(method: CheckpointerMethod, error?: Error): void {
    const queue = this.failures.get(method) ?? [];
    queue.push(error ?? new FerryError(FAIL_CODE[method], `the fake checkpointer was told to fail ${method}`));
    this.failures.set(method, queue);
  }

  /** Answers {@link processes} for `pid` with `facts` from now on. */
  setProcesses(pid: number, facts: ContainerProcesses): void {
    this.processOverrides.set(pid, facts);
  }

  /** The methods called so far, in order. */
  methods(): CheckpointerMethod[] {
    return this.calls.map((c) => c.method);
  }

  async processes(pid: number): Promise<ContainerProcesses> {
    await this.enter('processes', pid);
    const set = this.processOverrides.get(pid);
    if (set) return set;
    const c = await this.byPid(pid);
    return c ? { processes: [fakeProcess(pid, pid, c.Name.replace(/^\//, '').slice(0, 15))], tcp: [] } : { processes: [], tcp: [] };
  }

  async agentFacts(): Promise<ProcessFacts> {
    await this.enter('agentFacts');
    const me = fakeProcess(process.pid, 1, 'ferry');
    return { ...me, ns: { ...me.ns, pid: 'pid:[4026531836]', mnt: 'mnt:[4026531841]', net: 'net:[4026531840]' } };
  }

  async cpuinfo(): Promise<string> {
    await this.enter('cpuinfo');
    return CPUINFO;
  }

  async checkCpuinfo(cpuinfo: string): Promise<string | undefined> {
    await this.enter('checkCpuinfo', cpuinfo);
    return cpuinfo === CPUINFO ? undefined : 'the fake host\'s CPU differs from the one described';
  }

  async canDump(containerId: string): Promise<boolean> {
    await this.enter('canDump', containerId);
    return (await this.engine.findContainer(containerId))?.State.Running === true;
  }

  async dump(d: DumpRequest): Promise<void> {
    await this.enter('dump', d);
    const c = await this.engine.findContainer(d.containerId);
    await mkdir(d.imageDir, { recursive: true, mode: 0o700 });
    await rm(d.workDir, { recursive: true, force: true });
    await mkdir(d.workDir, { recursive: true, mode: 0o700 });
    if (!c?.State.Running) throw new FerryError('FERRY_ERR_CHECKPOINT', `CRIU could not dump container ${d.containerId.slice(0, 12)}: container does not exist (log: ${path.join(d.workDir, 'dump.log')})`);
    await writeFile(path.join(d.workDir, 'dump.log'), `fake dump of ${c.Id} (tcp ${d.tcp})\n`);
    await writeFile(path.join(d.imageDir, 'descriptors.json'), JSON.stringify(['/dev/null', 'pipe:[1]', 'pipe:[2]']));
    await writeFile(path.join(d.imageDir, 'inventory.img'), Buffer.from(`fake inventory of ${c.Id}`));
    await writeFile(path.join(d.imageDir, 'pages-1.img'), Buffer.alloc(4096, 1));
  }

  async dumpThroughEngine(containerId: string, checkpoint: string, tcp: TcpMode): Promise<void> {
    await this.enter('dumpThroughEngine', containerId, checkpoint, tcp);
    await this.engine.createCheckpoint(containerId, checkpoint, false);
  }

  async thaw(containerId: string): Promise<boolean> {
    await this.enter('thaw', containerId);
    await this.engine.unpause(containerId);
    return false;
  }

  async lockNetwork(pid: number): Promise<void> {
    await this.enter('lockNetwork', pid);
    await this.namespaceOf(pid, 'lock');
    this.locked.add(pid);
  }

  async unlockNetwork(pid: number): Promise<void> {
    await this.enter('unlockNetwork', pid);
    await this.namespaceOf(pid, 'unlock');
    this.locked.delete(pid);
  }

  async networkLocked(pid: number): Promise<boolean> {
    await this.enter('networkLocked', pid);
    return this.locked.has(pid) && (await this.byPid(pid)) !== undefined;
  }

  async restore(r: RestoreRequest): Promise<void> {
    await this.enter('restore', r);
    if (/\s/.test(r.imagesDir)) throw new FerryError('FERRY_ERR_CONFIG', `the images directory ${r.imagesDir} holds white space, which CRIU's config file cannot carry; choose agent.imagesDir (or a state directory) without it`);
    if (!(await stat(path.join(r.imagesDir, 'descriptors.json')).then((st) => st.isFile(), () => false))) {
      throw new FerryError('FERRY_ERR_RESTORE', `the checkpoint in ${r.imagesDir} has no descriptors.json (runc writes it with every dump); the dump did not arrive whole`);
    }
    try {
      await this.engine.startContainer(r.containerId);
    } catch (err) {
      throw new FerryError('FERRY_ERR_RESTORE', `docker start --checkpoint failed: ${(err as Error).message} (CRIU restore log ${r.logFile})`, { cause: err });
    }
  }

  async announce(pid: number, ip: string): Promise<string> {
    await this.enter('announce', pid, ip);
    const c = await this.byPid(pid);
    const held = Object.values(c?.NetworkSettings?.Networks ?? {}).some((n) => n.IPAddress === ip);
    if (!held) throw new FerryError('FERRY_ERR_ADDRESS', `the restored container (pid ${pid}) has no interface with address ${ip}: not found`);
    return `gratuitous ARP for ${ip} on eth0`;
  }

  /** Records a call, then throws what the test queued for it. */
  private async enter(method: CheckpointerMethod, ...args: unknown[]): Promise<void> {
    this.calls.push({ method, args });
    this.journal?.push(`checkpointer.${method}`);
    await Promise.resolve();
    const err = this.failures.get(method)?.shift();
    if (err) throw err;
  }

  /** The running (or paused) container whose init is `pid`. */
  private async byPid(pid: number): Promise<ContainerInspect | undefined> {
    if (!Number.isInteger(pid) || pid <= 0) return undefined;
    for (const s of await this.engine.listContainers()) {
      const c = await this.engine.findContainer(s.Id);
      if (c?.State.Running && c.State.Pid === pid) return c;
    }
    return undefined;
  }

  /** Refuses a lock or unlock of a pid that is no running container's, as nsenter would. */
  private async namespaceOf(pid: number, what: 'lock' | 'unlock'): Promise<void> {
    if (!Number.isInteger(pid) || pid <= 0) throw new FerryError('FERRY_ERR_NET_LOCK', `cannot ${what} the network of a container without a process (pid ${pid})`);
    if (!(await this.byPid(pid))) throw new FerryError('FERRY_ERR_NET_LOCK', `could not ${what} the network of the container (pid ${pid}): nsenter: cannot open /proc/${pid}/ns/net: No such file or directory; install nftables (apt-get install nftables) and check that the kernel has nf_tables`);
  }
}
