/**
 * @module apps/controller/policy-view — the scheduler's policies and parameters as the dashboard's
 * policy page shows them, pure: every policy as named data (its filters, weighted scorers,
 * whether it wakes nodes and rebalances), the active one, the thresholds behind the node
 * colours, drains and reliefs, and the application types with their weights λ:α:β.
 */
import { POLICIES, type LoadModel, type SchedulerParams } from '../../domain/scheduler/index.ts';

/** One policy as data. */
export interface PolicyRow {
  name: string;
  description: string;
  filters: string[];
  scorers: Array<{ name: string; weight: number }>;
  wakeSleeping: boolean;
  rebalances: boolean;
}

/** What the policy page shows. */
export interface PolicyView {
  active: string;
  policies: PolicyRow[];
  /** The scheduler's thresholds and pacing (config section `scheduler`), but the application types. */
  thresholds: Record<string, number | boolean | string>;
  defaultAppType: string;
  appTypes: Record<string, LoadModel>;
}

/** The view of the policies, `active` marked, with the parameters in force. */
export function policyView(active: string, params: SchedulerParams): PolicyView {
  const { appTypes, defaultAppType, ...rest } = params;
  // The configured policy is only the default; `active` is the one in force.
  const thresholds: Record<string, number | boolean | string> = { ...rest };
  delete thresholds['policy'];
  return {
    active,
    policies: Object.values(POLICIES).map((p) => ({
      name: p.name,
      description: p.description,
      filters: p.filters.map((f) => f.name),
      scorers: p.scorers.map((s) => ({ name: s.plugin.name, weight: s.weight })),
      wakeSleeping: p.wakeSleeping,
      rebalances: p.rebalancer !== undefined,
    })),
    thresholds,
    defaultAppType,
    appTypes: { ...appTypes },
  };
}
