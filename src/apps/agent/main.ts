/**
 * @module apps/agent/main — the agent's composition root: one per host. It lists everything the
 * agent wires in: the Docker engine, the power switch (with the node's persisted power
 * state), the load sampler, the Prometheus metrics, the control API, and — while the node
 * is awake — the engine-backed services (record store, CRIU, source and destination, data link,
 * protection, containers; see engine-services.ts), which resolve unfinished records
 * before they serve. An agent whose node sleeps serves health, power and metrics only.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Config } from '../../core/config.ts';
import { FerryError } from '../../core/errors.ts';
import { channels, log } from '../../core/events.ts';
import { DockerEngine } from '../../adapters/docker/engine.ts';
import { LoadSampler } from '../../adapters/host/load-sampler.ts';
import { nodeCapacity, type NodeCapacity } from '../../adapters/host/node-capacity.ts';
import { startControlServer, type ControlServer } from '../../adapters/http-api/server.ts';
import { checkListenPolicy } from '../../adapters/http-api/auth.ts';
import type { TlsIdentity } from '../../adapters/pki/tls-identity.ts';
import { agentMetrics } from '../../services/metrics/agent-metrics.ts';
import { startEngineServices, type EngineServices } from './engine-services.ts';
import { NO_LOCAL_IMAGES, type LocalImages } from './node-containers.ts';
import { loadReader } from './load-reader.ts';
import { PowerSwitch, readPowerState } from './power.ts';
import { agentRoutes } from './routes.ts';

/** How one agent is started. */
export interface AgentOptions {
  name: string;
  listen: string;
  dockerSocket: string;
  stateDir: string;
  token: string | undefined;
  /** The agent's cluster certificate: its control API and data link are then TLS 1.3 only. Undefined: plain TCP (loopback, or tls.plainBeyondLoopback). */
  tls: TlsIdentity | undefined;
  config: Config;
  /** What this node offers; missing parts default (all CPUs, MemTotal, 1000 Mbit/s). */
  capacity?: Partial<NodeCapacity>;
  /** dockerd's --cgroup-parent for this host's containers ('' or absent: Docker's default). */
  cgroupParent?: string;
  /** argv of the power hook (`off` or `on` is appended); absent: the node cannot sleep. */
  powerHook?: readonly string[];
  /** Images the node builds itself when a deploy names one (ferry's workloads); absent: none. */
  localImages?: LocalImages;
}

/** A running agent. */
export interface Agent {
  control: ControlServer;
  power: PowerSwitch;
  stop(): Promise<void>;
}

/** Puts the CRIU of the prerequisites prefix first on PATH when it is installed there. */
function useCriuPrefix(config: Config): void {
  const criuBin = path.join(config.prerequisites.criuPrefix, 'bin');
  if (existsSync(path.join(criuBin, 'criu'))) process.env['PATH'] = `${criuBin}:${process.env['PATH'] ?? ''}`;
}

/** Logs a failing sampler once per distinct failure, not once per tick. */
function samplerErrors(): (err: unknown) => void {
  let last = '';
  return (err) => {
    const msg = String((err as Error).message ?? err);
    if (msg !== last) log('warn', 'load sample skipped', { err: msg });
    last = msg;
  };
}

/** Starts an agent: asleep when its node was put to sleep before, else with its engine-backed services. */
export async function startAgent(o: AgentOptions): Promise<Agent> {
  checkListenPolicy(o.listen, o.token, { tls: o.tls !== undefined, plainBeyondLoopback: o.config.tls.plainBeyondLoopback });
  useCriuPrefix(o.config);
  const engine = new DockerEngine(o.dockerSocket, o.config.deadlines);
  const powerFile = path.join(o.stateDir, 'power.json');
  const initial = await readPowerState(powerFile);

  let services: EngineServices | undefined;
  const up = async (): Promise<void> => {
    services ??= await startEngineServices({ name: o.name, listen: o.listen, stateDir: o.stateDir, token: o.token, tls: o.tls, config: o.config, engine, localImages: o.localImages ?? NO_LOCAL_IMAGES });
  };
  const down = async (): Promise<void> => {
    const s = services;
    services = undefined;
    await s?.stop();
  };
  if (initial === 'awake') {
    if (!(await engine.ping())) throw new FerryError('FERRY_ERR_DOCKER', `no Docker engine answers on ${o.dockerSocket}`);
    await up();
  } else {
    log('info', 'agent starts asleep: health, power and metrics only until the node is woken', { name: o.name });
  }

  const power = new PowerSwitch({ file: powerFile, hook: o.powerHook, ping: () => engine.ping(), busy: async () => services?.busy(), down, up }, initial);
  const everyMs = o.config.scheduler.sampleEveryMs;
  const sampler = new LoadSampler({ everyMs, read: loadReader({ engine, cgroupParent: o.cgroupParent ?? '' }), paused: () => !power.awake, onError: samplerErrors() });
  sampler.start();
  const capacity = await nodeCapacity(o.capacity);
  const prometheus = agentMetrics(o.name);

  const control = await startControlServer({
    host: o.listen,
    port: o.config.agent.controlPort,
    token: o.token,
    maxRequestBytes: o.config.agent.maxRequestBytes,
    // Operations for the controller and operators; /v1/incoming (migrations) for agents only; health for all.
    tls: o.tls ? { identity: o.tls, roles: ['controller', 'operator'] } : undefined,
    plainBeyondLoopback: o.config.tls.plainBeyondLoopback,
    routes: agentRoutes({
      name: o.name,
      power,
      metrics: () => ({ node: o.name, power: power.state, everyMs, capacity, samples: sampler.samples() }),
      prometheus: prometheus.registry,
      services: () => services,
    }),
  });
  log('info', 'agent ready', { name: o.name, control: control.address, data: services?.data.address, power: power.state, capacity, everyMs });
  return {
    control,
    power,
    async stop() {
      sampler.stop();
      await control.close();
      await down();
      prometheus.close();
    },
  };
}

/** Writes log events as JSON lines on stdout (the test bed sends them to the host's log file). */
export function logToStdout(): void {
  channels.log.subscribe((event) => process.stdout.write(`${JSON.stringify(event)}\n`));
}
