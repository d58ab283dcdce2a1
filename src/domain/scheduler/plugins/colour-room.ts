/**
 * @module domain/scheduler/plugins/colour-room — elastic filter: the node must not be red now, and
 * must stay out of the red after taking the request: its predicted Wi (measured utilisation
 * plus the request's load over capacity, weighed by the request's application type) at most
 * redAbove, and its predicted CPU utilisation at most W (overloadW), so a placement never
 * triggers an overload relief. Blue and green nodes pass: an empty cluster is all green, and a
 * node just woken is green; the model-score scorer makes blue nodes fill first.
 */
import { fraction, type SchedulerParams } from '../load-model.ts';
import type { FilterPlugin, SchedulingCycle, Status } from '../framework.ts';
import type { NodeColour, NodeView } from '../types.ts';

/** The plugin's name. */
export const NAME = 'colour-room';

/** Why a node refuses. */
export const REASONS = {
  red: 'red',
  wouldTurnRed: 'would-turn-red',
  wouldOverloadCpu: 'would-overload-cpu',
  unmeasured: 'unmeasured',
} as const;

type Reason = (typeof REASONS)[keyof typeof REASONS];

const constant = (reason: string, detail: string): Status => Object.freeze({ plugin: NAME, reason, detail });
const QUIET: Record<Reason, Status> = {
  [REASONS.unmeasured]: constant(REASONS.unmeasured, 'the node has no measured load'),
  [REASONS.red]: constant(REASONS.red, 'the node is red (overloaded): it takes no new work'),
  [REASONS.wouldTurnRed]: constant(REASONS.wouldTurnRed, 'Wi after placing would be above redAbove'),
  [REASONS.wouldOverloadCpu]: constant(REASONS.wouldOverloadCpu, 'CPU after placing would be above W'),
};

/** Filter: not red now, predicted Wi ≤ redAbove, predicted CPU ≤ W. */
export const colourRoom: FilterPlugin = {
  name: NAME,
  filter: (cycle, _req, node) => filter(cycle, node),
  filterAll(cycle, _req, positions, count) {
    const c = cycle.columns();
    const p = cycle.params;
    const cpuLoad = cycle.load.cpuMillis;
    let k = 0;
    for (let j = 0; j < count; j++) {
      const i = positions[j]!;
      if (refusalOf(c.colour[i], c.predicted[i]!, c.usageCpu[i]! + fraction(cpuLoad, c.capacityCpu[i]!), p) === undefined) positions[k++] = i;
    }
    return k;
  },
};

/** The node form: a shared constant per reason in the hot loop, the numbers when the cycle explains. */
function filter(cycle: SchedulingCycle, node: NodeView): Status | undefined {
  const wi = cycle.predictedLoad(node);
  const cpu = cycle.usage(node).cpu + fraction(cycle.load.cpuMillis, node.capacity.cpuMillis);
  const p = cycle.params;
  const reason = refusalOf(cycle.colour(node), wi, cpu, p);
  if (reason === undefined) return undefined;
  if (!cycle.explain) return QUIET[reason];
  if (reason === REASONS.wouldTurnRed) return refuse(reason, 'Wi', wi, p.redAbove, 'redAbove');
  if (reason === REASONS.wouldOverloadCpu) return refuse(reason, 'CPU', cpu, p.overloadW, 'W');
  return QUIET[reason];
}

/** Why a node of this colour, predicted Wi and predicted CPU refuses, or undefined. */
function refusalOf(colour: NodeColour | undefined, wi: number, cpu: number, p: SchedulerParams): Reason | undefined {
  if (colour === undefined) return REASONS.unmeasured;
  if (colour === 'red') return REASONS.red;
  if (wi > p.redAbove) return REASONS.wouldTurnRed;
  if (cpu > p.overloadW) return REASONS.wouldOverloadCpu;
  return undefined;
}

/** A refusal with the predicted value and the threshold it would cross. */
function refuse(reason: string, what: string, value: number, limit: number, limitName: string): Status {
  const v = value.toFixed(2);
  return {
    plugin: NAME,
    reason,
    detail: `${what} after placing would be ${v} > ${limitName} ${limit}`,
    compact: { prefix: `${what} after placing > ${limit}:`, value: v },
  };
}
