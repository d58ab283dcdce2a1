/** @module tools/bench/baselines/hosts — the two test-bed hosts of a baseline run (records, plans, Docker engines), and the checks of its input. */
import { FerryError } from '../../../core/errors.ts';
import { DockerEngine } from '../../../adapters/docker/engine.ts';
import { findHost, planOfCluster, type Cluster, type ClusterHost, type HostPlan } from '../../testbed/index.ts';
import { pathInRootfs } from './heartbeat.ts';
import type { BaselineInput } from './types.ts';

/** One side of a baseline run. */
export interface BaselineHost {
  host: ClusterHost;
  /** Paths and names the test bed derived for this host (netns path, interface, host dir, exec root). */
  plan: HostPlan;
  engine: DockerEngine;
}

/** Docker's and podman's rule for container names. */
const CONTAINER_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;

/** The source and destination of a run, after checking the input; refuses the same host twice or an unknown one. */
export function baselineHosts(input: BaselineInput): { src: BaselineHost; dst: BaselineHost } {
  checkInput(input);
  if (input.from === input.to) throw new FerryError('FERRY_ERR_SAME_HOST', `source and destination are both ${input.from}`);
  return { src: side(input.cluster, input.from), dst: side(input.cluster, input.to) };
}

/** Refuses, before anything is made, a name, heartbeat path or warm-up no run could use. */
export function checkInput(input: BaselineInput): void {
  if (!CONTAINER_NAME.test(input.name)) throw new FerryError('FERRY_ERR_INVALID_INPUT', `container name ${JSON.stringify(input.name)} must match ${CONTAINER_NAME.source}`);
  if (!Number.isFinite(input.warmupMs) || input.warmupMs < 0) throw new FerryError('FERRY_ERR_INVALID_INPUT', `warmupMs must be a number of ms >= 0, got ${input.warmupMs}`);
  pathInRootfs('/', input.heartbeatPath);
}

function side(cluster: Cluster, name: string): BaselineHost {
  const host = findHost(cluster, name);
  const plan = planOfCluster(cluster).hosts.find((h) => h.name === name);
  if (!plan) throw new FerryError('FERRY_ERR_TESTBED', `cluster.json of ${cluster.stateDir} does not match its plan; run \`ferry testbed down\` then \`ferry testbed up\``);
  return { host, plan, engine: new DockerEngine(host.dockerSocket) };
}

/** The CIDR of the test-bed subnet (the only clients a baseline's rsync daemon accepts). */
export function subnetCidr(cluster: Cluster): string {
  return `${cluster.subnet}.0/24`;
}

/** Refuses a run whose container name is already taken on either host (it would not be ours to remove). */
export async function assertNameFree(name: string, ...engines: DockerEngine[]): Promise<void> {
  for (const engine of engines) {
    if (await engine.findContainer(name)) {
      throw new FerryError('FERRY_ERR_NAME_TAKEN', `a container named ${name} already exists behind ${engine.socketPath}; remove it or choose another name`);
    }
  }
}
