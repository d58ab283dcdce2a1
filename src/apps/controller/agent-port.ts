/**
 * @module apps/controller/agent-port — what the controller asks of a node, as one small
 * interface (`NodePort`), and its real implementation over the agents' control API. The
 * scheduler loop only talks to nodes through this port.
 */
import { ControlClient } from '../../adapters/http-api/client.ts';
import type { MigrateRequest } from '../../domain/migration/protocol.ts';
import type { MigrationReport } from '../../domain/migration/report.ts';
import type { Resources } from '../../domain/scheduler/types.ts';
import type { NodeRecord } from './state-store.ts';

/** One load sample as an agent reports it. */
export interface AgentSample {
  seq: number;
  at: number;
  node: Resources;
  containers: Array<Resources & { name: string; dirtyRateMBps: number; labels?: Record<string, string> }>;
}

/** An agent's answer to GET /v1/metrics. */
export interface AgentMetrics {
  node: string;
  power: 'awake' | 'sleeping';
  everyMs: number;
  capacity: Resources;
  samples: AgentSample[];
}

/** A container an agent lists. */
export interface AgentContainer {
  name: string;
  id: string;
  image: string;
  running: boolean;
  labels: Record<string, string>;
}

/** What the controller asks an agent to run. */
export interface RunOnNode {
  name: string;
  image: string;
  env: string[];
  labels: Record<string, string>;
  cpuMillis: number;
  memoryMiB: number;
}

/** A migration's state as the source agent reports it. */
export interface AgentMigration {
  id: string;
  phase: string;
  report?: MigrationReport;
}

/** The operations the controller performs on one node. */
export interface NodePort {
  health(): Promise<{ name: string; power?: 'awake' | 'sleeping' }>;
  metrics(): Promise<AgentMetrics>;
  containers(): Promise<AgentContainer[]>;
  run(spec: RunOnNode): Promise<{ name: string; id: string }>;
  remove(name: string): Promise<void>;
  power(state: 'sleep' | 'wake'): Promise<void>;
  /** Starts a live migration of one of this node's containers; returns the agent's migration id. */
  migrate(container: string, to: NodeRecord, strategy: MigrateRequest['strategy']): Promise<string>;
  migration(id: string): Promise<AgentMigration>;
}

/** A node reached through its agent's control API. */
export class AgentNode implements NodePort {
  private readonly client: ControlClient;

  constructor(node: Pick<NodeRecord, 'controlUrl'>, token: string | undefined, timeoutMs = 30_000) {
    this.client = new ControlClient(node.controlUrl, token, timeoutMs);
  }

  health(): Promise<{ name: string; power?: 'awake' | 'sleeping' }> {
    return this.client.call('GET', '/v1/health', undefined, 5_000);
  }

  metrics(): Promise<AgentMetrics> {
    return this.client.call('GET', '/v1/metrics', undefined, 10_000);
  }

  containers(): Promise<AgentContainer[]> {
    return this.client.call('GET', '/v1/containers', undefined, 15_000);
  }

  run(spec: RunOnNode): Promise<{ name: string; id: string }> {
    return this.client.call('POST', '/v1/containers', spec, 300_000);
  }

  async remove(name: string): Promise<void> {
    await this.client.call('DELETE', `/v1/containers/${encodeURIComponent(name)}`, undefined, 60_000);
  }

  async power(state: 'sleep' | 'wake'): Promise<void> {
    await this.client.call('POST', '/v1/power', { state }, 120_000);
  }

  async migrate(container: string, to: NodeRecord, strategy: MigrateRequest['strategy']): Promise<string> {
    const request: MigrateRequest = { container, strategy, destination: { name: to.name, controlUrl: to.controlUrl, dataHost: to.dataHost }, options: {} };
    return (await this.client.call<{ id: string }>('POST', '/v1/migrations', request)).id;
  }

  migration(id: string): Promise<AgentMigration> {
    return this.client.call('GET', `/v1/migrations/${encodeURIComponent(id)}`, undefined, 10_000);
  }
}
