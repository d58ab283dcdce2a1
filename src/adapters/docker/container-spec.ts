/**
 * @module adapters/docker/container-spec — pure: decides from `docker inspect` whether a container
 * can move (patent T1.1 and the safety rules) and builds the Engine API body that creates
 * the same container on the destination.
 */
import { FerryError } from '../../core/errors.ts';
import type { ContainerInspect } from './types.ts';

/** Where a container on the cluster network is reached: the same on every host it moves to. */
export interface ClusterAddress {
  /** The cluster network's name (config network.cluster). */
  network: string;
  ip: string;
  mac: string;
}

/** A named local volume the container uses, and where. */
export interface VolumeUse {
  name: string;
  destination: string;
  readOnly: boolean;
  /** Path of the volume's data on the source host. */
  source: string;
}

/** What the migration needs to know of a container, decided once at preflight. */
export interface ContainerSpec {
  name: string;
  id: string;
  imageId: string;
  imageRef: string;
  upperDir: string;
  volumes: VolumeUse[];
  /** Its address on the cluster network, kept on the destination; absent when it is not on that network (its address changes with the host). */
  address?: ClusterAddress;
  /** Container ports published on the host's address (`-p`): a client reaches them through this host only. */
  publishedPorts: number[];
  /** The body of `POST /containers/create` on the destination. */
  createBody: Record<string, unknown>;
}

/** Options that relax the rules. */
export interface SpecOptions {
  allowBind: boolean;
  /** The cluster network's name (config network.cluster); absent: no address is kept. */
  clusterNetwork?: string;
}

/** Refuses, with the reason and the fix, what cannot move; returns nothing when it can. */
export function checkMovable(c: ContainerInspect, options: SpecOptions): void {
  const name = c.Name.replace(/^\//, '');
  if (c.State.Paused) throw new FerryError('FERRY_ERR_NOT_RUNNING', `container ${name} is paused; unpause it before migrating`);
  if (!c.State.Running || c.State.Restarting) throw new FerryError('FERRY_ERR_NOT_RUNNING', `container ${name} is ${c.State.Status}, not running`);
  if (c.Config.Tty) throw new FerryError('FERRY_ERR_TTY', `container ${name} has a TTY (created with -t); a TTY container cannot be migrated`);
  if (c.HostConfig.Privileged) throw new FerryError('FERRY_ERR_PRIVILEGED', `container ${name} is privileged`);
  if ((c.HostConfig.Devices ?? []).length > 0) {
    throw new FerryError('FERRY_ERR_PRIVILEGED', `container ${name} uses host devices (${(c.HostConfig.Devices ?? []).map((d) => d.PathOnHost).join(', ')})`);
  }
  if (c.GraphDriver.Name !== 'overlay2') throw new FerryError('FERRY_ERR_UNSUPPORTED_MOUNT', `container ${name} uses storage driver ${c.GraphDriver.Name}; ferry moves overlay2 writable layers only`);
  const net = c.HostConfig.NetworkMode;
  if (net === 'host' || net.startsWith('container:')) {
    throw new FerryError('FERRY_ERR_UNSUPPORTED_MOUNT', `container ${name} uses network mode "${net}", which ties it and its clients' connections to this host's addresses; run it on the cluster network (network.cluster), where it keeps its address on every host, or on a bridge network`);
  }
  for (const m of c.Mounts) {
    if (m.Type === 'bind' && /(^|\/)docker\.sock$/.test(m.Source)) {
      throw new FerryError('FERRY_ERR_DOCKER_SOCKET', `container ${name} binds the Docker socket ${m.Source} at ${m.Destination}`);
    }
    if (m.Type === 'bind' && !options.allowBind) {
      throw new FerryError('FERRY_ERR_UNSUPPORTED_MOUNT', `container ${name} binds host path ${m.Source} at ${m.Destination}; its content would not follow the container`);
    }
    if (m.Type === 'volume' && m.Driver !== undefined && m.Driver !== 'local') {
      throw new FerryError('FERRY_ERR_UNSUPPORTED_MOUNT', `container ${name} uses volume ${m.Name ?? m.Source} of driver ${m.Driver}; ferry moves local volumes only`);
    }
  }
}

/** Builds the spec of a movable container (call checkMovable first). */
export function containerSpec(c: ContainerInspect, options: SpecOptions): ContainerSpec {
  checkMovable(c, options);
  const upperDir = c.GraphDriver.Data['UpperDir'];
  if (!upperDir) throw new FerryError('FERRY_ERR_DOCKER', `container ${c.Name} has no overlay upper directory in its inspect data`);
  const volumes: VolumeUse[] = c.Mounts.filter((m) => m.Type === 'volume').map((m) => ({
    name: m.Name ?? '',
    destination: m.Destination,
    readOnly: !m.RW,
    source: m.Source,
  }));
  const address = clusterAddress(c, options.clusterNetwork);
  return {
    name: c.Name.replace(/^\//, ''),
    id: c.Id,
    imageId: c.Image,
    imageRef: c.Config.Image,
    upperDir,
    volumes,
    ...(address ? { address } : {}),
    publishedPorts: publishedPorts(c),
    createBody: createBody(c, volumes, address),
  };
}

/** The container's address on the cluster network, when it is attached to it with an IPv4 address and a MAC. */
export function clusterAddress(c: ContainerInspect, network: string | undefined): ClusterAddress | undefined {
  if (!network) return undefined;
  const ep = c.NetworkSettings?.Networks?.[network];
  const ip = ep?.IPAddress || ep?.IPAMConfig?.IPv4Address;
  if (!ep || !ip || !ep.MacAddress) return undefined;
  return { network, ip, mac: ep.MacAddress.toLowerCase() };
}

/** Container ports bound to a host port (`-p`), from HostConfig.PortBindings keys like "80/tcp". */
export function publishedPorts(c: ContainerInspect): number[] {
  const bindings = c.HostConfig.PortBindings ?? {};
  return Object.entries(bindings)
    .filter(([, v]) => Array.isArray(v) && v.length > 0)
    .map(([k]) => Number(k.split('/')[0]))
    .filter((n) => Number.isInteger(n) && n > 0);
}

/** The create body: the same configuration, image, limits and mounts. */
function createBody(c: ContainerInspect, volumes: VolumeUse[], address: ClusterAddress | undefined): Record<string, unknown> {
  const h = c.HostConfig;
  const binds = c.Mounts.filter((m) => m.Type === 'bind').map((m) => ({ Type: 'bind', Source: m.Source, Target: m.Destination, ReadOnly: !m.RW }));
  const vols = volumes.map((v) => ({ Type: 'volume', Source: v.name, Target: v.destination, ReadOnly: v.readOnly }));
  const hostConfig = dropUndefined({
    Memory: h.Memory,
    MemorySwap: h.MemorySwap,
    NanoCpus: h.NanoCpus,
    CpuShares: h.CpuShares,
    CpuQuota: h.CpuQuota,
    CpuPeriod: h.CpuPeriod,
    PidsLimit: h.PidsLimit,
    RestartPolicy: h.RestartPolicy,
    PortBindings: h.PortBindings,
    NetworkMode: h.NetworkMode,
    Ulimits: h.Ulimits,
    ShmSize: h.ShmSize,
    Tmpfs: h.Tmpfs,
    CapAdd: h.CapAdd,
    CapDrop: h.CapDrop,
    SecurityOpt: h.SecurityOpt,
    Mounts: [...binds, ...vols],
  });
  return dropUndefined({
    Image: c.Config.Image,
    Env: c.Config.Env,
    Cmd: c.Config.Cmd,
    Entrypoint: c.Config.Entrypoint,
    WorkingDir: c.Config.WorkingDir,
    User: c.Config.User,
    Labels: c.Config.Labels,
    ExposedPorts: c.Config.ExposedPorts,
    StopSignal: c.Config.StopSignal,
    Hostname: c.Config.Hostname,
    Healthcheck: c.Config.Healthcheck,
    Tty: false,
    OpenStdin: c.Config.OpenStdin,
    HostConfig: hostConfig,
    // Engine API 1.41 takes the MAC in Config; the address goes with the endpoint, so CRIU finds its sockets' address there.
    ...(address ? {
      MacAddress: address.mac,
      NetworkingConfig: { EndpointsConfig: { [address.network]: { IPAMConfig: { IPv4Address: address.ip } } } },
    } : {}),
  });
}

/** Drops undefined and null values so the engine applies its own defaults. */
function dropUndefined(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && v !== null));
}
