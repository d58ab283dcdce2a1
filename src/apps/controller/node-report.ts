/** @module apps/controller/node-report — what `ferry nodes` shows of each node: state, colour, Wi and its weighted parts, utilisation, containers. */
import {
  colourOf, nodeLoad, weightsFor, type ClusterView, type NodeColour, type NodeState, type RebalanceMemory, type Resources, type SchedulerParams, type Utilisation,
} from '../../domain/scheduler/index.ts';

/** One row of `ferry nodes`. */
export interface NodeReport {
  name: string;
  state: NodeState;
  /** Undefined while the node is asleep, waking, unreachable or not yet measured. */
  colour: NodeColour | undefined;
  /** Wi = λ·Wm + α·Wc + β·Wn under the default application type's weights. */
  wi: number;
  parts: { memory: number; cpu: number; network: number };
  usage: Utilisation;
  capacity: Resources;
  containers: number;
}

/** Describes every node of a view. */
export function describeNodes(view: ClusterView, memory: RebalanceMemory | undefined, params: SchedulerParams, unreachable: ReadonlySet<string>): NodeReport[] {
  const w = weightsFor(params.defaultAppType, params);
  return view.nodes.map((n) => {
    const load = nodeLoad(n.usage, w);
    const measured = n.state === 'active' || n.state === 'draining';
    return {
      name: n.name,
      state: unreachable.has(n.name) ? 'unreachable' : n.state,
      colour: measured ? colourOf(n, memory?.nodes[n.name]?.colour, params) : undefined,
      wi: load.total,
      parts: { memory: load.memory, cpu: load.cpu, network: load.network },
      usage: n.usage,
      capacity: n.capacity,
      containers: n.containers.length,
    };
  });
}
