/**
 * @module apps/controller/records — the controller's records as plain data: nodes,
 * containers, migrations, events and load samples, as the state store (`state-store.ts`)
 * keeps them and the service, the CLI, the dashboard and the simulator read them. No I/O.
 */
import type { NodeState, Resources } from '../../domain/scheduler/index.ts';

/** A registered node. */
export interface NodeRecord {
  name: string;
  controlUrl: string;
  dataHost: string;
  capacity: Resources;
  state: NodeState;
  zone: string;
  rack: string;
  registeredAt: number;
  lastSeen: number;
}

/** What the controller intends and knows of one container. */
export type ContainerStatus = 'running' | 'migrating' | 'removed' | 'lost';

/** One container the controller deployed. */
export interface ContainerRecord {
  name: string;
  app: string;
  appType: string;
  node: string;
  image: string;
  request: Resources;
  status: ContainerStatus;
  createdAt: number;
}

/** One migration the scheduler started. */
export interface MigrationRow {
  id: number;
  container: string;
  from: string;
  to: string;
  /** The source agent's migration id, once it accepted. */
  agentId: string;
  state: 'starting' | 'running' | 'migrated' | 'rolled-back' | 'failed' | 'in-doubt';
  reason: string;
  startedAt: number;
  endedAt: number;
  downtimeMs: number;
  error: string;
}

/** A decision or observation, as `ferry events` shows it. */
export interface EventRow {
  id: number;
  at: number;
  kind: string;
  subject: string;
  reason: string;
  detail: string;
  numbers: Record<string, number>;
}

/** One stored load sample of a node (containers included). */
export interface SampleRow {
  node: string;
  seq: number;
  at: number;
  load: Resources;
  containers: Array<{ name: string } & Resources & { dirtyRateMBps: number }>;
}
