/**
 * @module adapters/host/checkpointer-port — `Checkpointer`, what the migration services ask of a
 * host around the freeze: read what CRIU would fail on, dump a container with CRIU (through
 * runc, or through the engine when runc does not know it), thaw it after a dump, close and
 * reopen its network namespace, restore a created container from CRIU's images, announce a
 * moved address. The real one is `HostCheckpointer` (host-checkpointer.ts: runc, CRIU, nft,
 * arping); `FakeCheckpointer` (fake-checkpointer.ts) answers from a fake engine's containers;
 * checkpointer.conformance.ts checks that both answer alike. Every refusal is a FerryError
 * with one of the codes the call lists.
 */
import type { ContainerProcesses, ProcessFacts } from './container-processes.ts';
import type { TcpMode } from './runc.ts';

export type { TcpMode } from './runc.ts';

/** A dump through runc into a directory of ferry's. */
export interface DumpRequest {
  /** The container's full id. */
  containerId: string;
  /** Where CRIU's images go (made when missing); runc adds its descriptors.json. */
  imageDir: string;
  /** CRIU's work directory, emptied first; its log (dump.log) stays there. */
  workDir: string;
  /** What the dump does with connected TCP sockets (runc.ts tcpOptions). */
  tcp: TcpMode;
}

/** A restore of a created container from CRIU's images (the thin restore, thin-restore.ts). */
export interface RestoreRequest {
  /** The created, never started container. */
  containerId: string;
  /** The checkpoint's name (Docker's checkpoint directory gets only runc's descriptors.json). */
  checkpoint: string;
  /** The directory holding CRIU's images and descriptors.json. */
  imagesDir: string;
  /** Where CRIU writes its restore log (containerd deletes its own copy when a restore fails; this one is removed after a restore that worked). */
  logFile: string;
  /** Lazy restore: the work directory of a running lazy-pages daemon (lazy-pages.ts) that fills the memory after resume. */
  lazyWorkDir?: string;
  /** How the dump took connected TCP sockets (CRIU refuses to restore a `close` dump without being told); default established. */
  tcp?: TcpMode;
}

/** The host operations of a migration around the freeze. */
export interface Checkpointer {
  /** What /proc shows of the processes of the container whose init is `pid` (init first); a pid that is gone gives none. Never throws for a process that exits. */
  processes(pid: number): Promise<ContainerProcesses>;
  /** The agent's own ids, capabilities and namespaces (CRIU runs with them). */
  agentFacts(): Promise<ProcessFacts>;
  /** This host's CPU description (`criu cpuinfo dump`, base64). FERRY_ERR_CRIU_TIMEOUT past deadlines.criuProbeMs. */
  cpuinfo(): Promise<string>;
  /** Why this host cannot run what was dumped on a host with `cpuinfo`, or undefined when it can. FERRY_ERR_CRIU_TIMEOUT past deadlines.criuProbeMs. */
  checkCpuinfo(cpuinfo: string): Promise<string | undefined>;

  /** True when runc keeps state for the container (running or paused), so {@link dump} reaches it; otherwise only {@link dumpThroughEngine} can. */
  canDump(containerId: string): Promise<boolean>;
  /** Dumps the container into `imageDir`, leaving it as it was (a paused one stays paused). FERRY_ERR_CHECKPOINT (unknown container, CRIU failed), FERRY_ERR_CRIU_TIMEOUT, FERRY_ERR_CRIU_CONFIG. */
  dump(o: DumpRequest): Promise<void>;
  /** Dumps through the engine's checkpoint API (named `checkpoint`, in Docker's directory), leaving it as it was. FERRY_ERR_CHECKPOINT, FERRY_ERR_DOCKER (unknown or not running), FERRY_ERR_CRIU_TIMEOUT, FERRY_ERR_CRIU_CONFIG. */
  dumpThroughEngine(containerId: string, checkpoint: string, tcp: TcpMode): Promise<void>;
  /** Unpauses a container a dump froze; true when Docker's paused state had to be brought back in step first (CRIU thawed it midway). FERRY_ERR_DOCKER when it is unknown or not paused. */
  thaw(containerId: string): Promise<boolean>;

  /** Closes the network namespace of process `pid` to every packet, in and out (idempotent). FERRY_ERR_NET_LOCK (no such process, nft failed). */
  lockNetwork(pid: number): Promise<void>;
  /** Lifts ferry's lock from the namespace of process `pid`; none there is not an error. FERRY_ERR_NET_LOCK (no such process, nft failed). */
  unlockNetwork(pid: number): Promise<void>;
  /** True when ferry's lock is on the namespace of process `pid`; never throws. */
  networkLocked(pid: number): Promise<boolean>;

  /** Starts a created container from CRIU's images (thin restore). FERRY_ERR_RESTORE (no descriptors.json, unknown container, CRIU failed), FERRY_ERR_CONFIG (white space in a path), FERRY_ERR_CRIU_TIMEOUT, FERRY_ERR_CRIU_CONFIG. */
  restore(o: RestoreRequest): Promise<void>;
  /** Sends gratuitous ARP for `ip` from the namespace of process `pid`; says what it did. FERRY_ERR_ADDRESS (no interface holds `ip`, arping failed). */
  announce(pid: number, ip: string): Promise<string>;
}
