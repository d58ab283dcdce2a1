/**
 * @module domain/scheduler/plugins/node-awake — filter: only an active node takes new work. A
 * draining node is being emptied, a sleeping or waking one cannot run anything yet, an
 * unreachable one cannot be told to. The refusals are constants: no allocation per node.
 */
import type { FilterPlugin, Status } from '../framework.ts';
import type { NodeState } from '../types.ts';

/** The plugin's name. */
export const NAME = 'node-awake';

/** Why a node that is not active refuses, by its state. */
export const REASONS = {
  draining: 'draining',
  sleeping: 'asleep',
  waking: 'waking',
  unreachable: 'unreachable',
} as const satisfies Record<Exclude<NodeState, 'active'>, string>;

const refusal = (state: Exclude<NodeState, 'active'>, detail: string): Status => Object.freeze({ plugin: NAME, reason: REASONS[state], detail });

const REFUSALS: Record<Exclude<NodeState, 'active'>, Status> = {
  draining: refusal('draining', 'the node is draining: it takes no new work'),
  sleeping: refusal('sleeping', 'the node is asleep'),
  waking: refusal('waking', 'the node is waking up and not yet active'),
  unreachable: refusal('unreachable', 'the node\'s agent does not answer'),
};

/** Filter: the node's state must be 'active'. */
export const nodeAwake: FilterPlugin = {
  name: NAME,
  filter(_cycle, _req, node) {
    return node.state === 'active' ? undefined : REFUSALS[node.state];
  },
  filterAll(cycle, _req, positions, count) {
    const nodes = cycle.view.nodes;
    let k = 0;
    for (let j = 0; j < count; j++) {
      const i = positions[j]!;
      if (nodes[i]!.state === 'active') positions[k++] = i;
    }
    return k;
  },
};
