/**
 * @module apps/controller/agent-node — the real `NodePort` (`node-port.ts`): a node reached
 * through its agent's control API, with the controller's certificate and the cluster token.
 */
import { ControlClient, type Credentials } from '../../adapters/http-api/client.ts';
import type { MigrateRequest } from '../../domain/migration/protocol.ts';
import type { AgentContainer, AgentMetrics, AgentMigration, NodePort, RunOnNode } from './node-port.ts';
import type { NodeRecord } from './records.ts';

/** A node reached through its agent's control API. */
export class AgentNode implements NodePort {
  private readonly client: ControlClient;

  constructor(node: Pick<NodeRecord, 'controlUrl'>, credentials: Credentials, timeoutMs = 30_000) {
    this.client = new ControlClient(node.controlUrl, credentials, timeoutMs);
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
