/**
 * @module domain/scheduler/plugins/balanced-allocation — Kubernetes' BalancedAllocation score: a node
 * whose CPU and memory are requested in the same proportion wastes less. Score =
 * 100 × (1 − standard deviation of the requested fractions); over two resources the standard
 * deviation is |cpu − memory| / 2.
 */
import type { ScorePlugin } from '../framework.ts';
import { cpuFraction, memoryFraction, scoreFractions } from './allocation.ts';

/** The plugin's name. */
export const NAME = 'balanced-allocation';

/** Score: 100 × (1 − |cpu fraction − memory fraction| / 2), the request included. */
export const balancedAllocation: ScorePlugin = {
  name: NAME,
  score: (cycle, req, node) => scoreOf(cpuFraction(cycle, req, node), memoryFraction(cycle, req, node)),
  scoreAll(cycle, req, positions, count, out) {
    scoreFractions(cycle.columns(), req, positions, count, out, scoreOf);
  },
};

/** The score of the two requested fractions. */
function scoreOf(cpu: number, memory: number): number {
  const std = Math.abs(cpu - memory) / 2;
  return (1 - std) * 100;
}
