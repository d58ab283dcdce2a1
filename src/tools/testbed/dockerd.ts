/** @module tools/testbed/dockerd — a host's dockerd: start it in the host's namespace, ping it, and stop it with everything it started. */
import { spawn } from 'node:child_process';
import { mkdir, open, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { FerryError } from '../../core/errors.ts';
import { DockerEngine } from '../../adapters/docker/engine.ts';
import { dockerdCommand, recognize } from './commands.ts';
import { DOCKER_CGROUP_PARENT, killContainer } from './containers.ts';
import { findProcesses, isAlive, readPidFile, terminate, verifiedPid } from './procs.ts';
import { logTail } from './logs.ts';
import type { HostPlan } from './plan.ts';

/** True when the dockerd on `socket` answers `GET /_ping` with 200 within `timeoutMs`. */
export function dockerPing(socket: string, timeoutMs = 3_000): Promise<boolean> {
  return new DockerEngine(socket).ping(timeoutMs);
}

/** The dockerd log of a host. */
export function dockerdLog(host: HostPlan): string {
  return join(host.logDir, 'dockerd.log');
}

/** Starts dockerd for a host (detached, own process group), with `criuDir` first on its PATH; returns its PID. */
export async function startDockerd(host: HostPlan, criuDir: string): Promise<number> {
  await mkdir(host.dataRoot, { recursive: true, mode: 0o711 });
  await mkdir(host.logDir, { recursive: true });
  await mkdir(host.execRoot, { recursive: true, mode: 0o700 });
  await writeFile(host.daemonConfig, '{}\n');
  const cmd = dockerdCommand(host);
  const log = await open(dockerdLog(host), 'a');
  try {
    const child = spawn(cmd.file, cmd.args, {
      detached: true,
      stdio: ['ignore', log.fd, log.fd],
      env: { ...process.env, PATH: `${criuDir}:${process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin'}` },
    });
    const pid = await new Promise<number>((resolve, reject) => {
      child.once('spawn', () => resolve(child.pid ?? -1));
      child.once('error', (err) => reject(new FerryError('FERRY_ERR_TESTBED', `cannot start dockerd for ${host.name}: ${err.message}; run \`ferry doctor --fix\``)));
    });
    child.unref();
    return pid;
  } finally {
    await log.close();
  }
}

/** Waits until a host's dockerd answers `_ping`; throws with its log tail if it dies or stays silent. */
export async function waitDockerd(host: HostPlan, pid: number, timeoutMs = 60_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await dockerPing(host.dockerSocket, 1_000)) return;
    if (!(await isAlive(pid))) {
      throw new FerryError('FERRY_ERR_TESTBED', `dockerd of ${host.name} (pid ${pid}) exited during start; log ${dockerdLog(host)}: ${await logTail(dockerdLog(host))}`);
    }
    await sleep(200);
  }
  throw new FerryError('FERRY_ERR_TESTBED', `dockerd of ${host.name} (pid ${pid}) did not answer ${host.dockerSocket} within ${timeoutMs} ms; log ${dockerdLog(host)}: ${await logTail(dockerdLog(host))}`);
}

/** Removes every container of a dockerd (test containers only), forcefully; returns how many. */
export async function removeAllContainers(socket: string): Promise<number> {
  const engine = new DockerEngine(socket, { dockerMs: 60_000 });
  const ids = (await engine.listContainers(true)).map((c) => c.Id);
  // a container the engine refuses to remove does not keep the others
  for (const id of ids) await engine.removeContainer(id, { volumes: true }).catch(() => undefined);
  return ids.length;
}

/**
 * Stops a host's dockerd and everything it started: its containers (through the API when it
 * answers; left alone with `removeContainers: false`), dockerd itself, its containerd, and any
 * containerd-shim left (with its container) — each found by PID file or exact arguments.
 * Returns what was stopped.
 */
export async function stopDockerd(host: HostPlan, knownPid?: number | null, options: { removeContainers?: boolean } = {}): Promise<string[]> {
  const done: string[] = [];
  const isDockerd = (argv: readonly string[]): boolean => recognize.dockerd(host, argv);
  const pids = new Set<number>();
  for (const p of [knownPid, await readPidFile(host.dockerdPidFile)]) {
    const v = await verifiedPid(p, isDockerd);
    if (v) pids.add(v);
  }
  for (const p of await findProcesses(isDockerd)) pids.add(p);
  for (const pid of pids) {
    if ((options.removeContainers ?? true) && (await dockerPing(host.dockerSocket))) {
      const n = await removeAllContainers(host.dockerSocket).catch(() => 0);
      if (n > 0) done.push(`${n} container(s) of ${host.name}`);
    }
    done.push(`dockerd ${pid} of ${host.name} (${await terminate(pid, 30_000)})`);
  }
  const isContainerd = (argv: readonly string[]): boolean => recognize.containerd(host, argv);
  const cpids = new Set(await findProcesses(isContainerd));
  const fromFile = await verifiedPid(await readPidFile(host.containerdPidFile), isContainerd);
  if (fromFile) cpids.add(fromFile);
  for (const pid of cpids) done.push(`containerd ${pid} of ${host.name} (${await terminate(pid, 10_000)})`);
  for (const shim of await findProcesses((argv) => recognize.shim(host, argv))) {
    await killContainer(shim, [DOCKER_CGROUP_PARENT, host.cgroupParent]);
    done.push(`containerd-shim ${shim} of ${host.name} (${await terminate(shim, 5_000)})`);
  }
  return done;
}
