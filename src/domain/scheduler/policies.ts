/**
 * @module domain/scheduler/policies — the policies, as data: which filters, which weighted scorers,
 * which reservers, whether a node may be woken, and the rebalancer. `elastic` is the paper's
 * model; `spread` (Docker Swarm's default), `binpack` and `kube` (Kubernetes' default scoring)
 * are the baselines. The baselines have no rebalancer and never wake: Swarm and Kubernetes
 * without a cluster autoscaler never drain, sleep or wake nodes, nor move running containers.
 */
import { FerryError } from '../../core/errors.ts';
import type { Policy } from './framework.ts';
import { balancedAllocation } from './plugins/balanced-allocation.ts';
import { colourRoom } from './plugins/colour-room.ts';
import { dataLocality } from './plugins/data-locality.ts';
import { defaultReserve } from './plugins/default-reserve.ts';
import { fitsResources } from './plugins/fits-resources.ts';
import { leastAllocated } from './plugins/least-allocated.ts';
import { leastContainers } from './plugins/least-containers.ts';
import { modelScore } from './plugins/model-score.ts';
import { mostAllocated } from './plugins/most-allocated.ts';
import { nodeAwake } from './plugins/node-awake.ts';
import { rebalance } from './rebalance.ts';

/** The paper's policy: not-red nodes with room, the most loaded first (consolidation), near the app's data; drains, sleeps, wakes, relieves. */
export const elastic: Policy = Object.freeze({
  name: 'elastic',
  description: 'Ceph + Swarm paper: Wi = λ·Wm + α·Wc + β·Wn per app type; place on the most-loaded node that stays out of the red (model-score 3) near the app\'s data replica M1 (data-locality 1); drain and sleep green nodes, wake one when nothing fits, move the cheapest container off a node above W',
  filters: Object.freeze([nodeAwake, fitsResources, colourRoom]),
  scorers: Object.freeze([{ plugin: modelScore, weight: 3 }, { plugin: dataLocality, weight: 1 }]),
  reservers: Object.freeze([defaultReserve]),
  wakeSleeping: true,
  rebalancer: rebalance,
});

/** Docker Swarm's spread: the node with the fewest containers. */
export const spread: Policy = Object.freeze({
  name: 'spread',
  description: 'Docker Swarm spread: among active nodes with room for the requests, the one running the fewest containers; no rebalancing',
  filters: Object.freeze([nodeAwake, fitsResources]),
  scorers: Object.freeze([{ plugin: leastContainers, weight: 1 }]),
  reservers: Object.freeze([defaultReserve]),
  wakeSleeping: false,
});

/** Binpack: the node fullest by requests. */
export const binpack: Policy = Object.freeze({
  name: 'binpack',
  description: 'Docker Swarm binpack / Kubernetes MostAllocated: among active nodes with room for the requests, the fullest by requested CPU and memory; no rebalancing',
  filters: Object.freeze([nodeAwake, fitsResources]),
  scorers: Object.freeze([{ plugin: mostAllocated, weight: 1 }]),
  reservers: Object.freeze([defaultReserve]),
  wakeSleeping: false,
});

/** Kubernetes' default scoring: LeastAllocated + BalancedAllocation, equal weights. */
export const kube: Policy = Object.freeze({
  name: 'kube',
  description: 'Kubernetes default scoring: LeastAllocated + BalancedAllocation, equal weights, over active nodes with room for the requests; no rebalancing (no cluster autoscaler)',
  filters: Object.freeze([nodeAwake, fitsResources]),
  scorers: Object.freeze([{ plugin: leastAllocated, weight: 1 }, { plugin: balancedAllocation, weight: 1 }]),
  reservers: Object.freeze([defaultReserve]),
  wakeSleeping: false,
});

/** Every policy, by name. */
export const POLICIES: Readonly<Record<string, Policy>> = Object.freeze({ elastic, spread, binpack, kube });

/** The policy of that name; FERRY_ERR_INVALID_INPUT lists the names. */
export function policyByName(name: string): Policy {
  const p = Object.hasOwn(POLICIES, name) ? POLICIES[name] : undefined;
  if (!p) throw new FerryError('FERRY_ERR_INVALID_INPUT', `unknown scheduling policy "${name}"; policies: ${Object.keys(POLICIES).join(', ')}`);
  return p;
}
