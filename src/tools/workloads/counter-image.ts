/**
 * @module tools/workloads/counter-image — the demo's workload image (the counter, workloads/counter.c,
 * on busybox), built without a registry, and the reading of its heartbeat log.
 */
import type { DockerEngine } from '../../adapters/docker/engine.ts';
import { ensureWorkloadImage } from './catalog.ts';

export { COUNTER_IMAGE } from './catalog.ts';
export { continuity, parseBeats, type Beat } from './heartbeat.ts';

/** Builds and imports the counter image unless the engine has it. */
export async function ensureCounterImage(engine: DockerEngine): Promise<void> {
  await ensureWorkloadImage(engine, 'counter');
}
