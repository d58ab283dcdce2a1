/**
 * @module domain/scheduler/plugins/model-score — elastic score, consolidation: prefer the most-loaded
 * node whose predicted Wi stays under redAbove, so work packs onto fewer nodes and green
 * nodes empty out and can sleep. Score = predicted Wi / redAbove × 100 (the colour-room filter
 * has already refused nodes that would pass redAbove), weighed by the request's app type.
 */
import type { ScorePlugin } from '../framework.ts';

/** The plugin's name. */
export const NAME = 'model-score';

/** Score: 100 × Wi after placing / redAbove, within 0..100. */
export const modelScore: ScorePlugin = {
  name: NAME,
  score: (cycle, _req, node) => scoreOf(cycle.predictedLoad(node), cycle.params.redAbove),
  scoreAll(cycle, _req, positions, count, out) {
    const predicted = cycle.columns().predicted;
    const redAbove = cycle.params.redAbove;
    for (let j = 0; j < count; j++) out[j] = scoreOf(predicted[positions[j]!]!, redAbove);
  },
};

/** 100 × wi / redAbove, within 0..100. */
function scoreOf(wi: number, redAbove: number): number {
  const s = (wi / redAbove) * 100;
  return s > 100 ? 100 : s < 0 ? 0 : s;
}
