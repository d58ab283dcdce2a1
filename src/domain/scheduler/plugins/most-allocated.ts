/**
 * @module domain/scheduler/plugins/most-allocated — binpack score (Docker Swarm's binpack strategy,
 * Kubernetes' MostAllocated): the fuller the node by requests once it takes the request, the
 * higher. Mean over CPU and memory of requested / capacity × 100.
 */
import type { ScorePlugin } from '../framework.ts';
import { cpuFraction, memoryFraction, scoreFractions } from './allocation.ts';

/** The plugin's name. */
export const NAME = 'most-allocated';

/** Score: 100 × mean(cpu requested fraction, memory requested fraction), the request included. */
export const mostAllocated: ScorePlugin = {
  name: NAME,
  score: (cycle, req, node) => scoreOf(cpuFraction(cycle, req, node), memoryFraction(cycle, req, node)),
  scoreAll(cycle, req, positions, count, out) {
    scoreFractions(cycle.columns(), req, positions, count, out, scoreOf);
  },
};

/** The score of the two requested fractions. */
function scoreOf(cpu: number, memory: number): number {
  return ((cpu + memory) / 2) * 100;
}
