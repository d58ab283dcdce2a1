/** @module bench/baselines — the two baselines `ferry bench migrate` compares ferry with: Docker's checkpoint + rsync + restore, and podman's checkpoint export/import. */
export { runDockerStopCopy, ensureImage, STOPCOPY_CHECKPOINT } from './docker-stopcopy.ts';
export { runPodman, podmanVersion } from './podman.ts';
export { HEARTBEAT_SETTLE_MS, type Baseline, type BaselineInput, type BaselineResult } from './types.ts';
export { baselineHosts } from './hosts.ts';
export { txBytes } from './netns.ts';
export { podmanPaths } from './podman-cli.ts';
