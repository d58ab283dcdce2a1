/** @module workloads — the benchmark workloads: their catalog and images, and the reading of their logs. */
export {
  WORKLOADS, COUNTER_IMAGE, STREAM_IMAGE, LOOP_IMAGE, COMPILE_IMAGE, LOAD_IMAGE, SERVICES_IMAGE, ensureWorkloadImage, workloadSpec,
} from './catalog.ts';
export type { Workload, WorkloadName } from './workload-types.ts';
export { WORKLOAD_CACHE_DIR, type ImageBuildOptions, type ImageSource } from './rootfs.ts';
export { parseBeats, continuity, beatRate, type Beat } from './heartbeat.ts';
export { parseStreamBeats, parseStreamVerifies, type StreamBeat, type StreamVerify } from './stream-log.ts';
export { parseLoadLog, slaShortfallSeconds, meanGot, parseLoadBeats, type LoadLine } from './load-log.ts';
export { ensureCounterImage } from './counter-image.ts';
