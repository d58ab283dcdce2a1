/**
 * @module apps/agent/node-containers — deploys, lists and removes the containers of this node's
 * engine for the controller. Every container it makes stays live-migratable: no TTY, not
 * privileged, no binds. CPU and memory requests are the scheduler's bookkeeping, recorded
 * as labels, never enforced per container (the host's cgroup parent is its capacity).
 */
import { FerryError } from '../../core/errors.ts';
import type { DockerEngine } from '../../adapters/docker/engine.ts';
import type { ContainerSummary } from '../../adapters/docker/types.ts';
import { CONTAINER_NAME_RULE, CPU_REQUEST_LABEL, MEMORY_REQUEST_LABEL, type ContainerEntry, type DeployAnswer, type DeployRequest } from './containers-protocol.ts';
import { containerName, ferryLabels } from './container-labels.ts';
import { pickAddress, type DepartedAddresses } from '../../adapters/host/departed-addresses.ts';

/**
 * Images a node builds itself instead of pulling (ferry's workload images), handed to the
 * agent by its composition root so that the agent imports no workload catalog.
 */
export interface LocalImages {
  /** Their references, named when a deploy asks for an image the engine does not have. */
  readonly images: readonly string[];
  /** Puts `image` on the engine when it is one of them; false when it is none. */
  ensure(engine: DockerEngine, image: string): Promise<boolean>;
}

/** No local images: every image must already be on the engine. */
export const NO_LOCAL_IMAGES: LocalImages = { images: [], ensure: () => Promise.resolve(false) };

/** What the service needs. */
export interface NodeContainersDeps {
  engine: DockerEngine;
  /** The images this node builds itself. */
  localImages: LocalImages;
  /** True while a migration of the named container is in progress on this host. */
  migrating: (name: string) => boolean;
  /** The cluster network's name (config network.cluster): containers go on it when this engine has it. */
  clusterNetwork: string;
  /** Addresses of this host's slice that live elsewhere now: never handed out. */
  departed: DepartedAddresses;
}

/** Where a deployed container is attached: the cluster network with an address ferry chose, or Docker's default bridge. */
export interface Attachment {
  network: string;
  ip?: string;
}

/** The Engine API create body of a deploy request. */
export function createBody(req: DeployRequest, at: Attachment = { network: 'bridge' }): Record<string, unknown> {
  const labels: Record<string, string> = { ...req.labels };
  if (req.cpuMillis !== undefined) labels[CPU_REQUEST_LABEL] = String(req.cpuMillis);
  if (req.memoryMiB !== undefined) labels[MEMORY_REQUEST_LABEL] = String(req.memoryMiB);
  return {
    Image: req.image,
    Env: req.env ?? [],
    Labels: labels,
    Tty: false,
    OpenStdin: false,
    AttachStdin: false,
    AttachStdout: false,
    AttachStderr: false,
    HostConfig: { Privileged: false, Binds: [], NetworkMode: at.network, RestartPolicy: { Name: 'no' } },
    ...(at.ip ? { NetworkingConfig: { EndpointsConfig: { [at.network]: { IPAMConfig: { IPv4Address: at.ip } } } } } : {}),
  };
}

/** The name of a path parameter, checked like a body field. */
export function containerParam(params: Record<string, string>): string {
  const name = params['name'] ?? '';
  if (!CONTAINER_NAME_RULE.test(name)) throw new FerryError('FERRY_ERR_INVALID_INPUT', `"${name}" is not a container name: a letter or digit, then at least one letter, digit, _ . or -, at most 128 characters`);
  return name;
}

/** The containers of this node's engine. */
export class NodeContainers {
  private readonly deps: NodeContainersDeps;

  constructor(deps: NodeContainersDeps) {
    this.deps = deps;
  }

  /** Creates and starts a container; the image must be a workload's or already on the engine. */
  async deploy(req: DeployRequest): Promise<DeployAnswer> {
    const { engine, localImages } = this.deps;
    if (await this.named(req.name)) throw new FerryError('FERRY_ERR_NAME_TAKEN', `a container named ${req.name} already exists on this node`);
    if (!(await localImages.ensure(engine, req.image)) && !(await engine.findImage(req.image))) {
      const local = localImages.images.length > 0 ? ` or use a ferry workload image (${localImages.images.join(', ')})` : '';
      throw new FerryError('FERRY_ERR_INVALID_INPUT',
        `image ${req.image} is not on this node's engine, and nodes never pull from a registry: load it there first (docker -H unix://${engine.socketPath} load -i IMAGE.tar)${local}`);
    }
    let id: string;
    try {
      id = await engine.createContainer(req.name, createBody(req, await this.attachment()));
    } catch (err) {
      if (err instanceof FerryError && /\(409\)/.test(err.message)) throw new FerryError('FERRY_ERR_NAME_TAKEN', `a container named ${req.name} already exists on this node`, { cause: err });
      throw err;
    }
    try {
      await engine.startContainer(id);
    } catch (err) {
      await engine.removeContainer(id, { volumes: true }).catch(() => undefined);
      throw err;
    }
    return { name: req.name, id };
  }

  /**
   * The cluster network with the lowest address of this host's slice that no container here
   * holds and none that left this host took along; Docker's bridge when the engine has no
   * cluster network.
   */
  private async attachment(): Promise<Attachment> {
    const net = await this.deps.engine.findNetwork(this.deps.clusterNetwork);
    const ipam = net?.IPAM.Config?.[0];
    if (!net || !ipam?.Subnet) return { network: 'bridge' };
    const taken = await this.deps.departed.list();
    for (const c of Object.values(net.Containers ?? {})) taken.add(c.IPv4Address.split('/')[0] ?? '');
    if (ipam.Gateway) taken.add(ipam.Gateway);
    const ip = pickAddress(ipam.IPRange || ipam.Subnet, ipam.Subnet, taken);
    if (!ip) throw new FerryError('FERRY_ERR_ADDRESS', `no free address left in this host's slice ${ipam.IPRange || ipam.Subnet} of the cluster network ${net.Name} (${taken.size} taken, departed ones included); give the host a larger --ip-range or remove containers`);
    return { network: net.Name, ip };
  }

  /** Every container of the engine, running or not. */
  async list(): Promise<ContainerEntry[]> {
    return (await this.deps.engine.listContainers(true)).map((c) => ({
      name: containerName(c),
      id: c.Id,
      image: c.Image,
      running: c.State === 'running',
      labels: ferryLabels(c.Labels),
    }));
  }

  /** Stops and removes a container with its anonymous volumes (refused while it is being migrated). */
  async remove(name: string): Promise<DeployAnswer> {
    const { engine } = this.deps;
    const c = await this.named(name);
    if (!c) throw new FerryError('FERRY_ERR_UNKNOWN_CONTAINER', `no container named "${name}" on this node`);
    if (this.deps.migrating(name)) throw new FerryError('FERRY_ERR_MIGRATION_BUSY', `container ${name} is being migrated; remove it once the migration has ended`);
    await engine.stopContainer(c.Id, 10);
    await engine.removeContainer(c.Id, { volumes: true });
    return { name, id: c.Id };
  }

  /** The container of exactly this name (the engine's own lookup also takes ID prefixes). */
  private async named(name: string): Promise<ContainerSummary | undefined> {
    return (await this.deps.engine.listContainers(true)).find((c) => c.Names.includes(`/${name}`));
  }
}
