/**
 * @module schedule/plugins/colour-room — elastic filter: the node must not be red now, and
 * must stay out of the red after taking the request: its predicted Wi (measured utilisation
 * plus the request's load over capacity, weighed by the request's application type) at most
 * redAbove, and its predicted CPU utilisation at most W (overloadW), so a placement never
 * triggers an overload relief. Blue and green nodes pass: an empty cluster is all green, and a
 * node just woken is green; the model-score scorer makes blue nodes fill first.
 */
import { fraction } from '../load-model.ts';
import type { FilterPlugin, Status } from '../framework.ts';

/** The plugin's name. */
export const NAME = 'colour-room';

/** Why a node refuses. */
export const REASONS = {
  red: 'red',
  wouldTurnRed: 'would-turn-red',
  wouldOverloadCpu: 'would-overload-cpu',
  unmeasured: 'unmeasured',
} as const;

const constant = (reason: string, detail: string): Status => Object.freeze({ plugin: NAME, reason, detail });
const UNMEASURED = constant(REASONS.unmeasured, 'the node has no measured load');
const RED = constant(REASONS.red, 'the node is red (overloaded): it takes no new work');
const QUIET_RED = constant(REASONS.wouldTurnRed, 'Wi after placing would be above redAbove');
const QUIET_CPU = constant(REASONS.wouldOverloadCpu, 'CPU after placing would be above W');

/** Filter: not red now, predicted Wi ≤ redAbove, predicted CPU ≤ W. */
export const colourRoom: FilterPlugin = {
  name: NAME,
  filter(cycle, _req, node) {
    const colour = cycle.colour(node);
    const p = cycle.params;
    if (colour === undefined) return UNMEASURED;
    if (colour === 'red') return RED;
    const wi = cycle.predictedLoad(node);
    if (wi > p.redAbove) return cycle.explain ? refuse(REASONS.wouldTurnRed, 'Wi', wi, p.redAbove, 'redAbove') : QUIET_RED;
    const cpu = cycle.usage(node).cpu + fraction(cycle.load.cpuMillis, node.capacity.cpuMillis);
    if (cpu > p.overloadW) return cycle.explain ? refuse(REASONS.wouldOverloadCpu, 'CPU', cpu, p.overloadW, 'W') : QUIET_CPU;
    return undefined;
  },
};

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
