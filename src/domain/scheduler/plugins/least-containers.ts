/**
 * @module domain/scheduler/plugins/least-containers — Docker Swarm's spread score: the fewer
 * containers a node runs (reservations of this tick included), the higher. The raw score is
 * the count; `normalize` maps the emptiest feasible node to 100 and the fullest to 0 (all
 * equal: 100), so the scale does not depend on how many containers the cluster runs.
 */
import type { ScorePlugin } from '../framework.ts';

/** The plugin's name. */
export const NAME = 'least-containers';

/** Score: containers on the node, then normalized to 100 × (max − count) / (max − min). */
export const leastContainers: ScorePlugin = {
  name: NAME,
  score(cycle, _req, node) {
    return cycle.containerCount(node);
  },
  scoreAll(cycle, _req, positions, count, out) {
    const containers = cycle.columns().containerCount;
    for (let j = 0; j < count; j++) out[j] = containers[positions[j]!]!;
  },
  normalize(_cycle, _req, scores) {
    let min = Number.POSITIVE_INFINITY;
    let max = Number.NEGATIVE_INFINITY;
    for (const s of scores) {
      if (s < min) min = s;
      if (s > max) max = s;
    }
    const span = max - min;
    for (let i = 0; i < scores.length; i++) scores[i] = span > 0 ? (100 * (max - scores[i]!)) / span : 100;
  },
};
