/**
 * @module domain/scheduler/plugins/data-locality — elastic score: the paper stores an application's
 * first data replica M1 on the host that runs its container; a node that already holds the
 * app's M1 (`dataOf` lists the app) scores 100, others 0, so the container stays near its data.
 */
import type { ScorePlugin } from '../framework.ts';
import type { NodeView } from '../types.ts';

/** The plugin's name. */
export const NAME = 'data-locality';

/** Score: 100 when the node holds the app's replica M1, else 0. */
export const dataLocality: ScorePlugin = {
  name: NAME,
  score: (_cycle, req, node) => scoreOf(node, req.app),
  scoreAll(cycle, req, positions, count, out) {
    const nodes = cycle.view.nodes;
    for (let j = 0; j < count; j++) out[j] = scoreOf(nodes[positions[j]!]!, req.app);
  },
};

/** 100 when the node lists the app's replica, else 0. */
function scoreOf(node: NodeView, app: string): number {
  const data = node.dataOf;
  return data !== undefined && data.length > 0 && data.includes(app) ? 100 : 0;
}
