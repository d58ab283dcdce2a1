/**
 * @module tools/testbed/power — a test-bed host's power, which an agent's power hook drives: `off`
 * puts the host to sleep by stopping its dockerd and containerd (refused while it holds any
 * container), `on` starts them again and waits until dockerd answers. The network namespace,
 * link and agent stay, as a sleeping machine's wake-on-LAN side would.
 */
import { loadConfig, type Config } from '../../core/config.ts';
import { FerryError } from '../../core/errors.ts';
import { DockerEngine } from '../../adapters/docker/engine.ts';
import { criuBinDir } from '../doctor/index.ts';
import { ensureCpuCap } from './cgroup.ts';
import { recognize } from './commands.ts';
import { resolveHost, updateHost, type HostOptions, type HostRef } from './control.ts';
import { dockerPing, startDockerd, stopDockerd, waitDockerd } from './dockerd.ts';
import { findProcesses, isAlive } from './procs.ts';
import type { HostPlan } from './plan.ts';

/** The two power states of a host. */
export type PowerState = 'on' | 'off';

/** Options of {@link setHostPower}. */
export interface PowerOptions extends HostOptions {
  config?: Config;
  /** The test bed's subnet, as a check that the state dir holds the test bed meant. */
  subnet?: string;
  log?: (line: string) => void;
}

/** Parses the state argument of `ferry testbed power`. */
export function parsePowerState(value: string): PowerState {
  if (value !== 'on' && value !== 'off') throw new FerryError('FERRY_ERR_INVALID_INPUT', `power state must be on or off, got ${JSON.stringify(value)}`);
  return value;
}

/** The containers a host's engine holds (any state), as "name (state)"; by shims when dockerd does not answer. */
async function containersOf(host: HostPlan): Promise<string[]> {
  if (await dockerPing(host.dockerSocket)) {
    const list = await new DockerEngine(host.dockerSocket).listContainers(true).catch((err: unknown) => {
      throw new FerryError('FERRY_ERR_DOCKER', `dockerd of ${host.name} did not list its containers: ${(err as Error).message}`, { cause: err });
    });
    return list.map((c) => `${(c.Names[0] ?? '?').replace(/^\//, '')} (${c.State})`);
  }
  return (await findProcesses((argv) => recognize.shim(host, argv))).map((pid) => `a container of containerd-shim ${pid}`);
}

/**
 * Powers a test-bed host off or on and records it in cluster.json (`power`, `pids.dockerd`).
 * Either way is idempotent. Returns what was done, one line per step.
 */
export async function setHostPower(ref: HostRef, state: PowerState, options: PowerOptions = {}): Promise<string[]> {
  const { cluster, host, plan } = await resolveHost(ref, options);
  if (options.subnet !== undefined && options.subnet !== cluster.subnet) {
    throw new FerryError('FERRY_ERR_INVALID_INPUT', `the test bed in ${cluster.stateDir} is on ${cluster.subnet}, not ${options.subnet}; pass its --state-dir`);
  }
  return state === 'off' ? powerOff(cluster.stateDir, host.pids.dockerd, plan) : powerOn(cluster.stateDir, host.pids.dockerd, plan, options);
}

async function powerOff(stateDir: string, dockerdPid: number | null, host: HostPlan): Promise<string[]> {
  const held = await containersOf(host);
  if (held.length > 0) {
    throw new FerryError('FERRY_ERR_NODE_BUSY', `${host.name} still holds ${held.length} container(s): ${held.join(', ')}; migrate or remove them before powering it off`);
  }
  const done = await stopDockerd(host, dockerdPid, { removeContainers: false });
  await updateHost(stateDir, host.name, (h) => { h.power = 'off'; h.pids = { ...h.pids, dockerd: null }; });
  return [...done, `${host.name} powered off`];
}

async function powerOn(stateDir: string, dockerdPid: number | null, host: HostPlan, options: PowerOptions): Promise<string[]> {
  if (dockerdPid !== null && (await isAlive(dockerdPid)) && (await dockerPing(host.dockerSocket))) {
    await updateHost(stateDir, host.name, (h) => { h.power = 'on'; });
    return [`${host.name} is already on (dockerd ${dockerdPid})`];
  }
  // a dockerd that does not answer, or its containerd, would hold the sockets and pid files
  const done = await stopDockerd(host, dockerdPid, { removeContainers: false });
  if (host.cpuQuotaUs > 0) await ensureCpuCap(host);
  const pid = await startDockerd(host, await criuBinDir(options.config ?? loadConfig()));
  await updateHost(stateDir, host.name, (h) => { h.pids = { ...h.pids, dockerd: pid }; });
  await waitDockerd(host, pid);
  await updateHost(stateDir, host.name, (h) => { h.power = 'on'; });
  options.log?.(`${host.name}: dockerd ${pid} answers on ${host.dockerSocket}`);
  return [...done, `${host.name} powered on (dockerd ${pid})`];
}
