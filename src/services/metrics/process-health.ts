/**
 * @module services/metrics/process-health — the process's health on a registry: prom-client's default
 * process and Node.js metrics (CPU, memory, file descriptors, event-loop lag, GC, heap, active
 * handles/requests/resources by type), less the three gauges it names `…_total`: promtool
 * rejects that suffix on a non-counter, and each is only the sum of its by-type gauge.
 */
import { collectDefaultMetrics, type Registry } from 'prom-client';

/** prom-client's default gauges whose names end in `_total` though they are not counters. */
const MISNAMED = ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total'];

/** Registers the process's health metrics on `registry`. */
export function registerProcessHealth(registry: Registry): void {
  collectDefaultMetrics({ register: registry });
  for (const name of MISNAMED) registry.removeSingleMetric(name);
}
