/**
 * @module apps/controller/main — the controller's composition root. It wires in, explicitly: the
 * SQLite state store, the agents (through their control API with the cluster token), the
 * scheduler service, the Prometheus metrics, the HTTP API (authenticated, loopback unless a
 * token is set) and the scheduler loop; it registers the nodes of a cluster file and resumes
 * whatever the database says was in flight.
 */
import path from 'node:path';
import type { Config } from '../../core/config.ts';
import { log } from '../../core/events.ts';
import { startControlServer, type ControlServer } from '../../adapters/http-api/server.ts';
import type { TlsIdentity } from '../../adapters/pki/tls-identity.ts';
import { controllerMetrics } from './controller-metrics.ts';
import { dashboardFile } from './dashboard-files.ts';
import { dashboardRoute } from './dashboard-route.ts';
import { AgentNode } from './agent-node.ts';
import { controllerRoutes } from './routes.ts';
import { ControllerService } from './service.ts';
import { StateStore } from './state-store.ts';

/** A node to register at start (from a cluster file). */
export interface SeedNode {
  name: string;
  controlUrl: string;
  dataHost: string;
  capacity?: { cpuMillis: number; memoryMiB: number; networkMbps: number } | undefined;
}

/** How a controller is started. */
export interface ControllerOptions {
  config: Config;
  token: string | undefined;
  /** The controller's cluster certificate: its API is then HTTPS for operators only, and it calls agents with it. Undefined: plain HTTP (loopback, or tls.plainBeyondLoopback). */
  tls: TlsIdentity | undefined;
  /** Nodes to register (those that do not answer are retried every tick). */
  seeds: readonly SeedNode[];
  /** False: no loop (tests drive `tick()` themselves). */
  loop?: boolean;
}

/** A running controller. */
export interface Controller {
  server: ControlServer;
  service: ControllerService;
  stop(): Promise<void>;
}

const VERSION = '0.5.0';

/** Starts the controller. */
export async function startController(o: ControllerOptions): Promise<Controller> {
  const credentials = { token: o.token, tls: o.tls };
  const store = new StateStore(path.join(o.config.controller.stateDir, 'controller.db'));
  const service = new ControllerService({ store, config: o.config, portOf: (n) => new AgentNode(n, credentials) });
  const prometheus = controllerMetrics(() => service.nodes());
  const server = await startControlServer({
    host: o.config.controller.listen,
    port: o.config.controller.port,
    token: o.token,
    maxRequestBytes: 1024 * 1024,
    routes: controllerRoutes(service, VERSION, prometheus.registry, [dashboardRoute(service, store, credentials)]),
    files: (p) => dashboardFile(p),
    tls: o.tls ? { identity: o.tls, roles: ['operator'] } : undefined,
    plainBeyondLoopback: o.config.tls.plainBeyondLoopback,
  });
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const pending = new Set(o.seeds.map((s) => s.name));
  const seedAll = async (): Promise<void> => {
    for (const s of o.seeds) {
      if (!pending.has(s.name)) continue;
      try {
        await service.registerNode({ name: s.name, controlUrl: s.controlUrl, dataHost: s.dataHost, capacity: s.capacity ?? { cpuMillis: 0, memoryMiB: 0, networkMbps: 0 } });
        pending.delete(s.name);
      } catch (err) {
        log('warn', 'node not registered yet', { node: s.name, err: (err as Error).message });
      }
    }
  };
  await seedAll();
  const loop = async (): Promise<void> => {
    if (stopped) return;
    try {
      if (pending.size) await seedAll();
      await service.tick();
    } catch (err) {
      log('error', 'scheduler tick failed', { err: String((err as Error).stack ?? err) });
    }
    if (!stopped) timer = setTimeout(() => void loop(), o.config.controller.tickMs);
  };
  if (o.loop !== false) void loop();
  log('info', 'controller ready', { address: server.address, policy: service.policy() });
  return {
    server,
    service,
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await server.close();
      await service.idle();
      prometheus.close();
      store.close();
    },
  };
}
