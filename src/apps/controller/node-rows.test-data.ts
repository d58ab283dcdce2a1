/** @module apps/controller/node-rows.test-data — for the metrics tests only: a few `ferry nodes` rows. */
import type { NodeReport } from './node-report.ts';

/** Three nodes: h1 red and awake, h2 draining and green, h3 asleep (no colour). */
export function nodeRows(): NodeReport[] {
  const base = { usage: { cpu: 0, memory: 0, network: 0 }, capacity: { cpuMillis: 2000, memoryMiB: 4096, networkMbps: 1000 } };
  return [
    { ...base, name: 'h1', state: 'active', colour: 'red', wi: 0.82, parts: { memory: 0.3, cpu: 0.42, network: 0.1 }, containers: 4 },
    { ...base, name: 'h2', state: 'draining', colour: 'green', wi: 0.1, parts: { memory: 0.05, cpu: 0.05, network: 0 }, containers: 1 },
    { ...base, name: 'h3', state: 'sleeping', colour: undefined, wi: 0, parts: { memory: 0, cpu: 0, network: 0 }, containers: 0 },
  ];
}
