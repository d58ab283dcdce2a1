/**
 * @module apps/agent/sleep-guard — the one guard in the route table in front of every route that
 * needs the engine: while the node sleeps (or changes state) such a route answers
 * FERRY_ERR_NODE_ASLEEP, and while it is served the power switch knows the node is busy.
 */
import type { Route } from '../../adapters/http-api/server.ts';

/** Admits a request that needs the engine (throws FERRY_ERR_NODE_ASLEEP when it cannot); the function returned marks its end. */
export interface AwakeGate {
  enter(): () => void;
}

/** The routes, each behind the gate for as long as its handler runs. */
export function whileAwake(gate: AwakeGate, routes: readonly Route<any>[]): Route<any>[] { // eslint-disable-line @typescript-eslint/no-explicit-any
  return routes.map((route) => ({
    ...route,
    handler: async (ctx) => {
      const leave = gate.enter();
      try {
        return await route.handler(ctx);
      } finally {
        leave();
      }
    },
  }));
}
