/**
 * @module domain/scheduler/node-colour — the paper's node colours from Wi, with hysteresis so a node
 * near a threshold does not flip every tick: a node turns red when Wi > redAbove and stays red
 * until Wi < redAbove − hysteresis; it turns green when Wi < greenBelow and stays green until
 * Wi > greenBelow + hysteresis; otherwise it is blue. Colours weigh the node with the weights
 * of `params.defaultAppType`. A node that is not measured (asleep, waking, unreachable) has no
 * colour: `colourOf` answers undefined.
 */
import { loadOf, weightsFor, type SchedulerParams } from './load-model.ts';
import type { NodeColour, NodeView, Utilisation } from './types.ts';

/** The colour for a Wi given the node's previous colour (undefined: none yet). */
export function colourFor(wi: number, previous: NodeColour | undefined, params: SchedulerParams): NodeColour {
  const h = params.hysteresis;
  if (wi > params.redAbove) return 'red';
  if (previous === 'red' && wi >= params.redAbove - h) return 'red';
  if (wi < params.greenBelow) return 'green';
  if (previous === 'green' && wi <= params.greenBelow + h) return 'green';
  return 'blue';
}

/** True when Wi is inside a hysteresis band: the only place where the previous colour can change the colour. */
export function inHysteresisBand(wi: number, params: SchedulerParams): boolean {
  return (wi >= params.redAbove - params.hysteresis && wi <= params.redAbove) || (wi >= params.greenBelow && wi <= params.greenBelow + params.hysteresis);
}

/** True when the node's load is measured: it runs (active or draining). */
export function isMeasured(node: NodeView): boolean {
  return node.state === 'active' || node.state === 'draining';
}

/** A node's colour now (undefined when it is not measured), from `usage` or the node's own. */
export function colourOf(node: NodeView, previous: NodeColour | undefined, params: SchedulerParams, usage: Utilisation = node.usage): NodeColour | undefined {
  if (!isMeasured(node)) return undefined;
  return colourFor(loadOf(usage, weightsFor(params.defaultAppType, params)), previous, params);
}
