/**
 * @module apps/controller/node-port — what the controller asks of a node, as one small
 * interface (`NodePort`) and the data it speaks in. The scheduler loop only talks to nodes
 * through this port; the agent's control API (`agent-node.ts`) and the simulator's
 * `SimNodePort` implement it, and `node-port.conformance.ts` checks both the same way.
 */
import type { MigrateRequest } from '../../domain/migration/protocol.ts';
import type { MigrationReport } from '../../domain/migration/report.ts';
import type { Resources } from '../../domain/scheduler/index.ts';
import type { NodeRecord } from './records.ts';

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
