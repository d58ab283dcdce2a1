/**
 * @module metrics/controller-metrics — the controller's Prometheus registry (its own, never
 * prom-client's global one): per-node load Wi and its weighted parts, colour, state and
 * containers, read from the controller's node view at each scrape; the scheduler's decisions
 * counted from the `ferry:scheduler:decision` channel; the process's health.
 */
import { Counter, Gauge, Registry } from 'prom-client';
import { channels } from '../../core/events.ts';
import type { NodeReport } from './node-report.ts';
import type { EventRow } from './records.ts';
import { nodeGauges, type GaugeValue, type NodeGauge } from './node-sample.ts';
import { registerProcessHealth } from '../../services/metrics/process-health.ts';

/** The controller's metrics: the registry to expose. */
export interface ControllerMetrics {
  registry: Registry;
  /** Counts one decision or observation (the channel does this; tests call it directly). */
  record(event: Pick<EventRow, 'kind' | 'reason'>): void;
  /** Stops listening to the decision channel. */
  close(): void;
}

/** Builds the controller's metrics; `nodes` is read at every scrape (`ferry nodes`' rows). */
export function controllerMetrics(nodes: () => NodeReport[]): ControllerMetrics {
  const registry = new Registry();
  const registers = [registry];
  registerProcessHealth(registry);
  // All gauges collect in one synchronous pass of a scrape: one read of the node view serves them all.
  let snapshot: GaugeValue[] | undefined;
  const valuesOf = (gauge: NodeGauge): GaugeValue[] => {
    if (!snapshot) {
      snapshot = nodeGauges(nodes());
      queueMicrotask(() => (snapshot = undefined));
    }
    return snapshot.filter((v) => v.gauge === gauge);
  };
  const gauge = (key: NodeGauge, name: string, help: string, labelNames: string[]): void => {
    new Gauge({
      name, help, labelNames, registers,
      collect() {
        this.reset();
        for (const v of valuesOf(key)) this.set(v.labels, v.value);
      },
    });
  };
  gauge('load', 'ferry_node_load_ratio', 'Wi = λ·Wm + α·Wc + β·Wn of a node, under the default application type\'s weights', ['node']);
  gauge('loadPart', 'ferry_node_load_part_ratio', 'One weighted part of Wi (memory λ·Wm, cpu α·Wc, network β·Wn)', ['node', 'resource']);
  gauge('colour', 'ferry_node_colour', '1 for the node\'s current colour (blue room, green under-used, red overloaded), else 0', ['node', 'colour']);
  gauge('state', 'ferry_node_state', '1 for the node\'s current state, else 0', ['node', 'state']);
  gauge('containers', 'ferry_node_containers', 'Containers the controller placed on the node', ['node']);
  const decisions = new Counter({ name: 'ferry_scheduler_decisions_total', help: 'Decisions and observations the controller recorded, by kind and reason', labelNames: ['kind', 'reason'], registers });

  const record = (e: Pick<EventRow, 'kind' | 'reason'>): void => decisions.inc({ kind: e.kind, reason: e.reason });
  const close = channels.decision.subscribe(record);
  return { registry, record, close };
}
