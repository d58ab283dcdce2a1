/**
 * @module metrics/node-sample — the controller's per-node gauges, read from `ferry nodes`'
 * rows. Pure. Colour and state follow Prometheus' state-set pattern: one series per possible
 * value, 1 for the current one and 0 for the others, so a node's every state is always there
 * to query (`ferry_node_colour{colour="red"} == 1`).
 */
import type { NodeReport } from './node-report.ts';

/** Every colour a node can have (none while asleep, waking, unreachable or unmeasured: then every colour is 0). */
export const COLOURS = ['blue', 'green', 'red'] as const;

/** Every state a node can be in, as the metrics name them (the scheduler's `active` is `awake`). */
export const STATES = ['awake', 'draining', 'sleeping', 'waking', 'unreachable'] as const;

/** The controller's per-node gauges. */
export type NodeGauge = 'load' | 'loadPart' | 'colour' | 'state' | 'containers';

/** One gauge value with its labels. */
export interface GaugeValue {
  gauge: NodeGauge;
  labels: Record<string, string>;
  value: number;
}

/** The metric name of a node state. */
export function stateName(state: NodeReport['state']): (typeof STATES)[number] {
  return state === 'active' ? 'awake' : state;
}

/** The gauge values of every node. */
export function nodeGauges(nodes: readonly NodeReport[]): GaugeValue[] {
  const out: GaugeValue[] = [];
  for (const n of nodes) {
    const node = n.name;
    out.push({ gauge: 'load', labels: { node }, value: n.wi });
    for (const resource of ['memory', 'cpu', 'network'] as const) out.push({ gauge: 'loadPart', labels: { node, resource }, value: n.parts[resource] });
    for (const colour of COLOURS) out.push({ gauge: 'colour', labels: { node, colour }, value: n.colour === colour ? 1 : 0 });
    const state = stateName(n.state);
    for (const s of STATES) out.push({ gauge: 'state', labels: { node, state: s }, value: s === state ? 1 : 0 });
    out.push({ gauge: 'containers', labels: { node }, value: n.containers });
  }
  return out;
}
