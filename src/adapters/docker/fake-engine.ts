/**
 * @module adapters/docker/fake-engine — `FakeEngine`, an `Engine` kept in memory for unit tests:
 * containers that go created → running ⇄ paused → exited, images, volumes, networks with
 * addresses, and checkpoints as names. Refusals carry the real engine's codes and messages
 * (engine.conformance.ts holds both to the same checks). No process runs: pids are numbers,
 * a checkpoint holds nothing, and an image tar is one only another FakeEngine can load.
 *
 * @example
 *   const engine = new FakeEngine({ images: ['ferry/loop:1'] });
 *   const id = await engine.createContainer('c1', { Image: 'ferry/loop:1' });
 *   await engine.startContainer(id);
 */
import { Readable } from 'node:stream';
import { FerryError } from '../../core/errors.ts';
import { engineError } from './engine-error.ts';
import type { Engine } from './engine-port.ts';
import { FakeNetworks, fakeId, textOf, type FakeEndpoint } from './fake-networks.ts';
import type { ContainerInspect, ContainerSummary, EngineInfo, ImageInspect, MountPoint, NetworkInspect, VolumeInspect } from './types.ts';

/** The states a fake container goes through. */
export type FakeState = 'created' | 'running' | 'paused' | 'exited';

/** One container of the fake engine. */
interface FakeContainer {
  id: string;
  name: string;
  image: ImageInspect;
  body: Record<string, unknown>;
  state: FakeState;
  pid: number;
  exitCode: number;
  startedAt: string;
  network: string;
  endpoint: FakeEndpoint | undefined;
  mounts: MountPoint[];
  checkpoints: Set<string>;
}

/** How a fake engine starts. */
export interface FakeEngineOptions {
  socketPath?: string;
  /** The engine's data root (info().DockerRootDir; volumes and upper directories lie under it). */
  dataRoot?: string;
  /** Image references the engine holds from the start. */
  images?: readonly string[];
}

const NEVER = '0001-01-01T00:00:00Z';
const NAME_RULE = /^\/?[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;

/** Runs `f` as an engine call: later, and with a throw as a rejection. */
function settle<T>(f: () => T): Promise<T> {
  return Promise.resolve().then(f);
}

/** The refusal the real engine gives, with the same code and message. */
function refused(method: string, path: string, status: number, message: string): FerryError {
  return engineError(method, path, { status, body: JSON.stringify({ message }) });
}

/** A Docker engine in memory. */
export class FakeEngine implements Engine {
  readonly socketPath: string;
  private readonly dataRoot: string;
  private readonly containers = new Map<string, FakeContainer>();
  private readonly images = new Map<string, ImageInspect>();
  private readonly volumes = new Map<string, VolumeInspect>();
  private readonly networks = new FakeNetworks('172.17.0.0/16');
  private nextPid = 4000;

  constructor(options: FakeEngineOptions = {}) {
    this.socketPath = options.socketPath ?? '/run/fake-docker.sock';
    this.dataRoot = options.dataRoot ?? '/var/lib/docker';
    for (const ref of options.images ?? []) this.addImage(ref);
  }

  /** Puts an image on the engine (as a build or a load would); returns it. */
  addImage(ref: string, size = 4_000_000): ImageInspect {
    const image = { Id: `sha256:${fakeId(`image ${ref}`)}`, RepoTags: [ref], Size: size };
    this.images.set(image.Id, image);
    return image;
  }

  /** Creates a network from a `POST /networks/create` body, as DockerEngine.createNetwork does; returns its id. */
  createNetwork(body: Record<string, unknown>): Promise<string> {
    return Promise.resolve().then(() => this.networks.add(body));
  }

  ping(): Promise<boolean> {
    return settle(() => true);
  }

  info(): Promise<EngineInfo> {
    return settle(() => ({ DockerRootDir: this.dataRoot, ServerVersion: '20.10.24+fake', KernelVersion: 'fake', MemTotal: 8 * 2 ** 30, NCPU: 2, Driver: 'overlay2', ExperimentalBuild: true }));
  }

  inspectContainer(nameOrId: string): Promise<ContainerInspect> {
    return settle(() => {
      const c = this.lookup(nameOrId);
      if (!c) throw new FerryError('FERRY_ERR_UNKNOWN_CONTAINER', `no container named "${nameOrId}" on this host`);
      return this.inspectOf(c);
    });
  }

  findContainer(nameOrId: string): Promise<ContainerInspect | undefined> {
    return settle(() => {
      const c = this.lookup(nameOrId);
      return c && this.inspectOf(c);
    });
  }

  listContainers(all = false): Promise<ContainerSummary[]> {
    return settle(() => [...this.containers.values()]
      .filter((c) => all || c.state === 'running' || c.state === 'paused')
      .map((c) => ({ Id: c.id, Names: [`/${c.name}`], Image: textOf(c.body['Image']), State: c.state, Labels: { ...this.labelsOf(c) } })));
  }

  createContainer(name: string, body: Record<string, unknown>): Promise<string> {
    return settle(() => {
      const path = `/containers/create?name=${encodeURIComponent(name)}`;
      if (!NAME_RULE.test(name)) throw refused('POST', path, 400, `Invalid container name (${name}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`);
      const bare = name.replace(/^\//, '');
      const holder = [...this.containers.values()].find((c) => c.name === bare);
      if (holder) throw refused('POST', path, 409, `Conflict. The container name "/${bare}" is already in use by container "${holder.id}". You have to remove (or rename) that container to be able to reuse that name.`);
      const ref = textOf(body['Image']);
      const image = this.image(ref);
      if (!image) throw refused('POST', path, 404, `No such image: ${ref.includes(':') ? ref : `${ref}:latest`}`);
      const host = (body['HostConfig'] ?? {}) as Record<string, unknown>;
      const network = textOf(host['NetworkMode'], 'default').replace(/^default$/, 'bridge');
      if (!this.networks.has(network)) throw refused('POST', path, 404, `network ${network} not found`);
      const id = fakeId(`container ${bare} ${this.nextPid++}`);
      const c: FakeContainer = { id, name: bare, image, body: structuredClone(body), state: 'created', pid: 0, exitCode: 0, startedAt: NEVER, network, endpoint: undefined, mounts: this.mountsOf(host), checkpoints: new Set() };
      this.containers.set(id, c);
      return id;
    });
  }

  startContainer(id: string, checkpoint?: string): Promise<void> {
    return settle(() => {
      const path = `/containers/${encodeURIComponent(id)}/start${checkpoint ? `?checkpoint=${encodeURIComponent(checkpoint)}` : ''}`;
      const c = this.lookup(id);
      if (!c) throw refused('POST', path, 404, `No such container: ${id}`);
      if (c.state === 'paused') throw refused('POST', path, 409, 'cannot start a paused container, try unpause instead');
      if (c.state === 'running') throw refused('POST', path, 304, '');
      if (checkpoint !== undefined && !c.checkpoints.has(checkpoint)) throw refused('POST', path, 500, `checkpoint ${checkpoint} does not exist for container ${c.id}`);
      if (this.networks.attachable(c.network)) {
        const mac = typeof c.body['MacAddress'] === 'string' ? c.body['MacAddress'] : undefined;
        c.endpoint = this.networks.connect(c.network, c, this.wantedIp(c), mac);
      }
      Object.assign(c, { state: 'running', pid: this.nextPid++, exitCode: 0, startedAt: new Date().toISOString() });
    });
  }

  stopContainer(id: string): Promise<void> {
    return settle(() => {
      const c = this.lookup(id);
      if (c && (c.state === 'running' || c.state === 'paused')) this.exit(c, 137);
    });
  }

  pause(id: string): Promise<void> {
    return settle(() => {
      const c = this.running(id, 'pause');
      if (c.state === 'paused') throw refused('POST', `/containers/${encodeURIComponent(id)}/pause`, 409, `Container ${c.id} is already paused`);
      c.state = 'paused';
    });
  }

  unpause(id: string): Promise<void> {
    return settle(() => {
      const c = this.known(id, 'unpause');
      if (c.state !== 'paused') throw refused('POST', `/containers/${encodeURIComponent(id)}/unpause`, 409, `Container ${c.id} is not paused`);
      c.state = 'running';
    });
  }

  removeContainer(id: string): Promise<void> {
    return settle(() => {
      const c = this.lookup(id);
      if (!c) return;
      if (c.state === 'running' || c.state === 'paused') this.exit(c, 137);
      this.containers.delete(c.id);
    });
  }

  createCheckpoint(id: string, name: string, exit: boolean): Promise<void> {
    return settle(() => {
      const c = this.running(id, 'checkpoints');
      if (c.checkpoints.has(name)) throw refused('POST', `/containers/${encodeURIComponent(id)}/checkpoints`, 500, `checkpoint with name ${name} already exists for container ${id}`);
      c.checkpoints.add(name);
      if (exit) this.exit(c, 0);
    });
  }

  deleteCheckpoint(id: string, name: string): Promise<void> {
    return settle(() => {
      const c = this.lookup(id);
      if (c && !c.checkpoints.delete(name)) throw refused('DELETE', '/checkpoints', 500, `checkpoint ${name} does not exist for container ${id}`);
    });
  }

  findImage(ref: string): Promise<ImageInspect | undefined> {
    return settle(() => {
      const image = this.image(ref);
      return image && { ...image, RepoTags: image.RepoTags && [...image.RepoTags] };
    });
  }

  exportImage(ref: string): Promise<Readable> {
    return settle(() => {
      const image = this.image(ref);
      if (!image) throw refused('GET', '/images/get', 404, `reference does not exist: ${ref}`);
      return Readable.from([Buffer.from(JSON.stringify({ fakeImage: image }))]);
    });
  }

  async loadImage(tar: Readable): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of tar) chunks.push(Buffer.from(chunk as Buffer));
    let image: ImageInspect | undefined;
    try {
      image = (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { fakeImage?: ImageInspect }).fakeImage;
    } catch {
      /* not a fake image tar */
    }
    if (!image?.Id) throw refused('POST', '/images/load', 500, 'unexpected EOF');
    const known = this.images.get(image.Id);
    this.images.set(image.Id, { ...image, RepoTags: [...new Set([...(known?.RepoTags ?? []), ...(image.RepoTags ?? [])])] });
  }

  createVolume(name: string, labels: Record<string, string> = {}): Promise<VolumeInspect> {
    return settle(() => this.volume(name, labels));
  }

  findVolume(name: string): Promise<VolumeInspect | undefined> {
    return settle(() => {
      const v = this.volumes.get(name);
      return v && { ...v, Labels: { ...v.Labels } };
    });
  }

  removeVolume(name: string): Promise<void> {
    return settle(() => {
      const users = [...this.containers.values()].filter((c) => c.mounts.some((m) => m.Type === 'volume' && m.Name === name)).map((c) => c.id);
      if (users.length > 0) throw refused('DELETE', '/volumes', 409, `remove ${name}: volume is in use - [${users.join(', ')}]`);
      this.volumes.delete(name);
    });
  }

  findNetwork(name: string): Promise<NetworkInspect | undefined> {
    return settle(() => this.networks.inspect(name));
  }

  /** The image by reference (`:latest` when untagged) or id. */
  private image(ref: string): ImageInspect | undefined {
    const tagged = ref.includes(':') ? ref : `${ref}:latest`;
    return this.images.get(ref) ?? [...this.images.values()].find((i) => i.RepoTags?.includes(tagged) || i.Id === `sha256:${ref}`);
  }

  /** A volume, made with `labels` when missing (an existing one stays as it is). */
  private volume(name: string, labels: Record<string, string> = {}): VolumeInspect {
    if (!this.volumes.has(name)) this.volumes.set(name, { Name: name, Driver: 'local', Mountpoint: `${this.dataRoot}/volumes/${name}/_data`, Labels: { ...labels } });
    const v = this.volumes.get(name) as VolumeInspect;
    return { ...v, Labels: { ...v.Labels } };
  }

  /** The address the create body asks for on the container's network, if any. */
  private wantedIp(c: FakeContainer): string | undefined {
    return (c.body['NetworkingConfig'] as { EndpointsConfig?: Record<string, { IPAMConfig?: { IPv4Address?: string } }> } | undefined)?.EndpointsConfig?.[c.network]?.IPAMConfig?.IPv4Address;
  }

  /** The container by id, name or unique id prefix. */
  private lookup(nameOrId: string): FakeContainer | undefined {
    const all = [...this.containers.values()];
    const bare = nameOrId.replace(/^\//, '');
    const prefixed = nameOrId.length > 0 ? all.filter((c) => c.id.startsWith(nameOrId)) : [];
    return this.containers.get(nameOrId) ?? all.find((c) => c.name === bare) ?? (prefixed.length === 1 ? prefixed[0] : undefined);
  }

  /** The container, or the engine's 404 for the call `verb`. */
  private known(id: string, verb: string): FakeContainer {
    const c = this.lookup(id);
    if (!c) throw refused('POST', `/containers/${encodeURIComponent(id)}/${verb}`, 404, `No such container: ${id}`);
    return c;
  }

  /** The running (or paused) container, or the engine's refusal for the call `verb`. */
  private running(id: string, verb: string): FakeContainer {
    const c = this.known(id, verb);
    if (c.state !== 'running' && c.state !== 'paused') throw refused('POST', `/containers/${encodeURIComponent(id)}/${verb}`, 409, `Container ${c.id} is not running`);
    return c;
  }

  /** Ends a container's processes: exited, no pid, its address released. */
  private exit(c: FakeContainer, code: number): void {
    this.networks.disconnect(c.network, c.id);
    Object.assign(c, { state: 'exited', pid: 0, exitCode: code, endpoint: undefined });
  }

  /** The mounts of a create body's HostConfig (Mounts and Binds); named volumes are made when missing, as the engine does. */
  private mountsOf(host: Record<string, unknown>): MountPoint[] {
    const specs = ((host['Mounts'] ?? []) as Array<{ Type?: string; Source?: string; Target?: string; ReadOnly?: boolean }>).map((m) => ({ type: m.Type ?? 'volume', source: m.Source ?? '', target: m.Target ?? '', ro: m.ReadOnly === true }));
    for (const bind of (host['Binds'] ?? []) as string[]) {
      const [source = '', target = '', mode = ''] = bind.split(':');
      specs.push({ type: source.startsWith('/') ? 'bind' : 'volume', source, target, ro: mode.split(',').includes('ro') });
    }
    const mounts: MountPoint[] = [];
    for (const s of specs) {
      if (s.type !== 'volume') mounts.push({ Type: s.type, Source: s.source, Destination: s.target, Mode: '', RW: !s.ro });
      else mounts.push({ Type: 'volume', Name: s.source, Source: this.volume(s.source).Mountpoint, Destination: s.target, Driver: 'local', Mode: '', RW: !s.ro });
    }
    return mounts;
  }

  /** The container's labels, as created. */
  private labelsOf(c: FakeContainer): Record<string, string> {
    return (c.body['Labels'] ?? {}) as Record<string, string>;
  }

  /** The container as `docker inspect` shows it. */
  private inspectOf(c: FakeContainer): ContainerInspect {
    const b = c.body;
    const wanted = this.wantedIp(c);
    const endpoint = { IPAddress: c.endpoint?.ip ?? '', MacAddress: c.endpoint?.mac ?? '', IPAMConfig: wanted ? { IPv4Address: wanted } : null };
    return structuredClone({
      Id: c.id,
      Name: `/${c.name}`,
      Image: c.image.Id,
      State: { Status: c.state, Running: c.state === 'running' || c.state === 'paused', Paused: c.state === 'paused', Restarting: false, Pid: c.pid, ExitCode: c.exitCode, Error: '', StartedAt: c.startedAt },
      Config: {
        Image: textOf(b['Image']), Tty: b['Tty'] === true, OpenStdin: b['OpenStdin'] === true, Env: (b['Env'] as string[] | undefined) ?? [], Cmd: (b['Cmd'] as string[] | undefined) ?? null,
        Entrypoint: (b['Entrypoint'] as string[] | undefined) ?? null, WorkingDir: textOf(b['WorkingDir']), User: textOf(b['User']), Labels: { ...this.labelsOf(c) }, Hostname: c.id.slice(0, 12),
      },
      HostConfig: {
        Privileged: false, Devices: [], Binds: null, Memory: 0, MemorySwap: 0, NanoCpus: 0, CpuShares: 0, CpuQuota: 0, CpuPeriod: 0, PidsLimit: null,
        RestartPolicy: { Name: 'no', MaximumRetryCount: 0 }, PortBindings: {}, ...(b['HostConfig'] as object | undefined), NetworkMode: c.network,
      },
      GraphDriver: { Name: 'overlay2', Data: { UpperDir: `${this.dataRoot}/overlay2/${c.id}/diff`, MergedDir: `${this.dataRoot}/overlay2/${c.id}/merged` } },
      Mounts: c.mounts,
      NetworkSettings: { Networks: this.networks.attachable(c.network) ? { [c.network]: endpoint } : {} },
    });
  }
}
