/**
 * @module adapters/host/host-checkpointer — `HostCheckpointer`, the real `Checkpointer`: the host
 * functions the migration services called directly before (runc.ts, net-lock.ts,
 * announce.ts, container-processes.ts, criu.ts, thin-restore.ts, docker/thaw.ts), with the
 * deadlines they were given there, so behaviour is unchanged.
 *
 * @example
 *   const checkpointer = new HostCheckpointer({ engine, config, dataRoot: (await engine.info()).DockerRootDir });
 */
import type { Config } from '../../core/config.ts';
import type { Engine } from '../docker/engine-port.ts';
import { thawAfterDump } from '../docker/thaw.ts';
import { processTree } from '../process-memory/process-tree.ts';
import { announceAddress } from './announce.ts';
import type { Checkpointer, DumpRequest, RestoreRequest } from './checkpointer-port.ts';
import { readAgentFacts, readContainerProcesses, type ContainerProcesses, type ProcessFacts } from './container-processes.ts';
import { checkCpuinfo, dumpCpuinfo } from './criu.ts';
import { lockNetwork, networkLocked, unlockNetwork } from './net-lock.ts';
import { runcCheckpoint, runcKnows, tcpOptions, type TcpMode } from './runc.ts';
import { runcCriuConfigOf, withRuncCriuConfig } from './runc-criu-config.ts';
import { thinRestore } from './thin-restore.ts';

/** How long a gratuitous ARP may take, ms (two probes 1 s apart, and the interface lookup). */
const ANNOUNCE_MS = 5_000;

/** What a host checkpointer works with. */
export interface HostCheckpointerOptions {
  engine: Engine;
  /** agent.runcRoot, agent.criuPath, agent.runcCriuConfig and the deadlines. */
  config: Config;
  /** The engine's data root (its checkpoint directories are under containers/ID/checkpoints). */
  dataRoot: string;
}

/** CRIU, runc, nft and arping on this host. */
export class HostCheckpointer implements Checkpointer {
  private readonly o: HostCheckpointerOptions;

  constructor(o: HostCheckpointerOptions) {
    this.o = o;
  }

  async processes(pid: number): Promise<ContainerProcesses> {
    return readContainerProcesses(await processTree(pid));
  }

  agentFacts(): Promise<ProcessFacts> {
    return readAgentFacts();
  }

  cpuinfo(): Promise<string> {
    return dumpCpuinfo(this.o.config.deadlines.criuProbeMs);
  }

  checkCpuinfo(cpuinfo: string): Promise<string | undefined> {
    return checkCpuinfo(cpuinfo, this.o.config.deadlines.criuProbeMs);
  }

  canDump(containerId: string): Promise<boolean> {
    return Promise.resolve(runcKnows(this.o.config.agent.runcRoot, containerId));
  }

  dump(d: DumpRequest): Promise<void> {
    const { config } = this.o;
    return runcCheckpoint({ runcRoot: config.agent.runcRoot, containerId: d.containerId, imageDir: d.imageDir, workDir: d.workDir, criuPath: config.agent.criuPath, timeoutMs: config.deadlines.criuDumpMs, criuConfig: runcCriuConfigOf(config), tcp: d.tcp });
  }

  dumpThroughEngine(containerId: string, checkpoint: string, tcp: TcpMode): Promise<void> {
    return withRuncCriuConfig(runcCriuConfigOf(this.o.config), tcpOptions(tcp), () => this.o.engine.createCheckpoint(containerId, checkpoint, false));
  }

  thaw(containerId: string): Promise<boolean> {
    return thawAfterDump(this.o.engine, { runcRoot: this.o.config.agent.runcRoot, timeoutMs: this.o.config.deadlines.dockerMs }, containerId);
  }

  lockNetwork(pid: number): Promise<void> {
    return lockNetwork(pid, this.o.config.deadlines.dockerMs);
  }

  unlockNetwork(pid: number): Promise<void> {
    return unlockNetwork(pid, this.o.config.deadlines.dockerMs);
  }

  networkLocked(pid: number): Promise<boolean> {
    return networkLocked(pid, this.o.config.deadlines.dockerMs).catch(() => false);
  }

  restore(r: RestoreRequest): Promise<void> {
    const { engine, config, dataRoot } = this.o;
    return thinRestore({ engine, config, dataRoot, ...r });
  }

  announce(pid: number, ip: string): Promise<string> {
    return announceAddress(pid, ip, ANNOUNCE_MS);
  }
}
