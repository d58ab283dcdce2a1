/**
 * @module domain/scheduler/plugins/least-allocated — Kubernetes' LeastAllocated score: the emptier
 * the node by requests once it takes the request, the higher. Mean over CPU and memory of
 * (capacity − requested) / capacity × 100, the request counted as requested (as kube does).
 */
import type { ScorePlugin } from '../framework.ts';
import { cpuFraction, memoryFraction, scoreFractions } from './allocation.ts';

/** The plugin's name. */
export const NAME = 'least-allocated';

/** Score: 100 × mean(1 − cpu requested fraction, 1 − memory requested fraction). */
export const leastAllocated: ScorePlugin = {
  name: NAME,
  score: (cycle, req, node) => scoreOf(cpuFraction(cycle, req, node), memoryFraction(cycle, req, node)),
  scoreAll(cycle, req, positions, count, out) {
    scoreFractions(cycle.columns(), req, positions, count, out, scoreOf);
  },
};

/** The score of the two requested fractions. */
function scoreOf(cpu: number, memory: number): number {
  return ((2 - cpu - memory) / 2) * 100;
}
