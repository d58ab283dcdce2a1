/**
 * @module adapters/docker/engine — a small typed client of the Docker Engine API over its unix
 * socket (node:http, no dependencies). Only the calls ferry needs; every failure becomes a
 * FerryError that names the call and the engine's own message.
 */
import http from 'node:http';
import { pipeline, type Readable } from 'node:stream';
import type { Config } from '../../core/config.ts';
import { FerryError } from '../../core/errors.ts';
import { criuTimeoutError, deadlineText, type CriuStep } from '../host/deadline.ts';
import { engineError, type Reply } from './engine-error.ts';
import type { Engine } from './engine-port.ts';
import type { ContainerInspect, ContainerSummary, ImageInspect, EngineInfo, NetworkInspect, VolumeInspect } from './types.ts';

const API = '/v1.41';

/** The deadlines of Engine API calls (config section deadlines), in ms. */
export type EngineDeadlines = Pick<Config['deadlines'], 'dockerMs' | 'dockerImageMs' | 'criuDumpMs' | 'criuRestoreMs'>;

/** The defaults of the config schema, for engines made without a config (tools, tests). */
const DEFAULT_DEADLINES: EngineDeadlines = { dockerMs: 120_000, dockerImageMs: 600_000, criuDumpMs: 300_000, criuRestoreMs: 300_000 };

/** How long one call may go without an answer: a config key of section deadlines, or a fixed limit of the call itself. */
type Deadline = keyof EngineDeadlines | { ms: number };

/** The Docker Engine of one host: the real `Engine`, plus the calls only tools make (images, networks, signals). */
export class DockerEngine implements Engine {
  readonly socketPath: string;
  private readonly deadlines: EngineDeadlines;

  constructor(socketPath: string, deadlines: Partial<EngineDeadlines> = {}) {
    this.socketPath = socketPath;
    this.deadlines = { ...DEFAULT_DEADLINES, ...deadlines };
  }

  /** Sends one request; `body` may be JSON-able or a stream. No answer by the deadline is FERRY_ERR_DOCKER_TIMEOUT. */
  private request(method: string, path: string, body?: unknown, deadline: Deadline = 'dockerMs'): Promise<Reply> {
    const timeoutMs = typeof deadline === 'object' ? deadline.ms : this.deadlines[deadline];
    const limit = typeof deadline === 'object' ? `${timeoutMs} ms` : deadlineText('deadlines', deadline, timeoutMs);
    return new Promise((resolve, reject) => {
      const isStream = body !== undefined && typeof (body as Readable).pipe === 'function';
      const headers: Record<string, string> = {};
      if (body !== undefined) headers['content-type'] = isStream ? 'application/x-tar' : 'application/json';
      const req = http.request({ socketPath: this.socketPath, method, path: API + path, headers, timeout: timeoutMs }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', (err) => reject(new FerryError('FERRY_ERR_DOCKER', `Docker engine at ${this.socketPath} broke off ${method} ${path}: ${err.message}`, { cause: err })));
      });
      req.on('timeout', () => {
        const err = new FerryError('FERRY_ERR_DOCKER_TIMEOUT', `Docker engine at ${this.socketPath} did not answer the Engine API call ${method} ${path} within ${limit}`, { details: { call: `${method} ${path}`, deadlineMs: timeoutMs } });
        reject(err);
        req.destroy(err);
      });
      req.on('error', (err) => reject(new FerryError('FERRY_ERR_DOCKER', `Docker engine at ${this.socketPath} failed on ${method} ${path}: ${err.message}`, { cause: err })));
      // pipeline, not pipe: a source stream that fails must fail the request, not leave it hanging.
      if (isStream) pipeline(body as Readable, req, (err) => err && req.destroy(err));
      else req.end(body === undefined ? undefined : JSON.stringify(body));
    });
  }

  /** Sends a request and parses a JSON answer; non-2xx statuses throw. */
  private async json<T>(method: string, path: string, body?: unknown, deadline?: Deadline): Promise<T> {
    const reply = await this.request(method, path, body, deadline);
    if (reply.status >= 300) throw engineError(method, path, reply);
    try {
      return (reply.body ? JSON.parse(reply.body) : undefined) as T;
    } catch {
      throw new FerryError('FERRY_ERR_DOCKER', `Docker engine answered ${method} ${path} with a body that is not JSON`);
    }
  }

  /** True when the engine answers within `timeoutMs`. */
  async ping(timeoutMs = 3000): Promise<boolean> {
    try {
      return (await this.request('GET', '/_ping', undefined, { ms: timeoutMs })).status === 200;
    } catch {
      return false;
    }
  }

  /** Engine facts: data root, version, kernel, memory. */
  info(): Promise<EngineInfo> {
    return this.json('GET', '/info');
  }

  /** Inspects a container; a missing one is FERRY_ERR_UNKNOWN_CONTAINER. */
  async inspectContainer(nameOrId: string): Promise<ContainerInspect> {
    const reply = await this.request('GET', `/containers/${encodeURIComponent(nameOrId)}/json?size=true`);
    if (reply.status === 404) throw new FerryError('FERRY_ERR_UNKNOWN_CONTAINER', `no container named "${nameOrId}" on this host`);
    if (reply.status >= 300) throw engineError('GET', '/containers/json', reply);
    return JSON.parse(reply.body) as ContainerInspect;
  }

  /** Inspects a container, or returns undefined when it does not exist. */
  async findContainer(nameOrId: string): Promise<ContainerInspect | undefined> {
    try {
      return await this.inspectContainer(nameOrId);
    } catch (err) {
      if (err instanceof FerryError && err.code === 'FERRY_ERR_UNKNOWN_CONTAINER') return undefined;
      throw err;
    }
  }

  /** Lists the engine's containers (`docker ps`; with `all`, stopped ones too). */
  listContainers(all = false): Promise<ContainerSummary[]> {
    return this.json('GET', `/containers/json${all ? '?all=true' : ''}`);
  }

  /** Stops a container (its stop signal, SIGKILL after `timeoutS`); a stopped or missing one is not an error. */
  async stopContainer(id: string, timeoutS = 10): Promise<void> {
    const reply = await this.request('POST', `/containers/${encodeURIComponent(id)}/stop?t=${timeoutS}`, undefined, { ms: (timeoutS + 30) * 1000 });
    if (reply.status === 304 || reply.status === 404) return;
    if (reply.status >= 300) throw engineError('POST', '/containers/stop', reply);
  }

  /** Inspects an image, or returns undefined when it is absent. */
  async findImage(ref: string): Promise<ImageInspect | undefined> {
    const reply = await this.request('GET', `/images/${encodeURIComponent(ref)}/json`);
    if (reply.status === 404) return undefined;
    if (reply.status >= 300) throw engineError('GET', '/images/json', reply);
    return JSON.parse(reply.body) as ImageInspect;
  }

  /** Creates a container from an Engine API create body; returns its id. */
  async createContainer(name: string, body: Record<string, unknown>): Promise<string> {
    const created = await this.json<{ Id: string }>('POST', `/containers/create?name=${encodeURIComponent(name)}`, body);
    return created.Id;
  }

  /** Starts a container, optionally from a checkpoint stored in its checkpoints directory (CRIU restore: deadlines.criuRestoreMs). */
  async startContainer(id: string, checkpoint?: string): Promise<void> {
    const q = checkpoint ? `?checkpoint=${encodeURIComponent(checkpoint)}` : '';
    const call = this.json('POST', `/containers/${encodeURIComponent(id)}/start${q}`, undefined, checkpoint ? 'criuRestoreMs' : 'dockerMs');
    await (checkpoint ? this.asCriuTimeout(call, 'restore', id) : call);
  }

  /** A CRIU step run inside the engine: its DOCKER_TIMEOUT becomes the step's CRIU_TIMEOUT (ferry cannot kill it; it stops waiting). */
  private async asCriuTimeout<T>(call: Promise<T>, step: CriuStep, id: string): Promise<T> {
    try {
      return await call;
    } catch (err) {
      if (!(err instanceof FerryError) || err.code !== 'FERRY_ERR_DOCKER_TIMEOUT') throw err;
      const deadlineMs = step === 'restore' ? this.deadlines.criuRestoreMs : this.deadlines.criuDumpMs;
      throw criuTimeoutError({ step, subject: `container ${id.slice(0, 12)} (through the Docker engine at ${this.socketPath})`, deadlineMs, killed: false });
    }
  }

  /** Freezes every process of the container (cgroup freezer). */
  async pause(id: string): Promise<void> {
    await this.json('POST', `/containers/${encodeURIComponent(id)}/pause`);
  }

  /** Thaws a paused container. */
  async unpause(id: string): Promise<void> {
    await this.json('POST', `/containers/${encodeURIComponent(id)}/unpause`);
  }

  /** Sends a signal (`SIGUSR1`, `USR1`, `10`) to the container's main process (`docker kill -s`). */
  async signalContainer(id: string, signal: string): Promise<void> {
    await this.json('POST', `/containers/${encodeURIComponent(id)}/kill?signal=${encodeURIComponent(signal)}`);
  }

  /** Removes a container (force kills it first); a missing one is not an error. */
  async removeContainer(id: string, options: { volumes?: boolean } = {}): Promise<void> {
    const reply = await this.request('DELETE', `/containers/${encodeURIComponent(id)}?force=true&v=${options.volumes ? 'true' : 'false'}`);
    if (reply.status === 404) return;
    if (reply.status >= 300) throw engineError('DELETE', '/containers', reply);
  }

  /** Writes a CRIU checkpoint of the container; `exit: false` leaves it as it was (running or paused). */
  async createCheckpoint(id: string, name: string, exit: boolean): Promise<void> {
    await this.asCriuTimeout(this.json('POST', `/containers/${encodeURIComponent(id)}/checkpoints`, { CheckpointID: name, Exit: exit }, 'criuDumpMs'), 'dump', id);
  }

  /** Deletes a checkpoint; a missing container is not an error (the engine's 404), a missing checkpoint is FERRY_ERR_CHECKPOINT (its 500). */
  async deleteCheckpoint(id: string, name: string): Promise<void> {
    const reply = await this.request('DELETE', `/containers/${encodeURIComponent(id)}/checkpoints/${encodeURIComponent(name)}`);
    if (reply.status >= 300 && reply.status !== 404) throw engineError('DELETE', '/checkpoints', reply);
  }

  /** Streams an image as a `docker save` tar. */
  exportImage(ref: string): Promise<Readable> {
    return new Promise((resolve, reject) => {
      const req = http.request({ socketPath: this.socketPath, method: 'GET', path: `${API}/images/get?names=${encodeURIComponent(ref)}` }, (res) => {
        if ((res.statusCode ?? 500) >= 300) {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => reject(engineError('GET', '/images/get', { status: res.statusCode ?? 500, body: Buffer.concat(chunks).toString() })));
          return;
        }
        resolve(res);
      });
      req.on('error', (err) => reject(new FerryError('FERRY_ERR_DOCKER', `image export of ${ref} failed: ${err.message}`, { cause: err })));
      req.end();
    });
  }

  /** Loads a `docker save` tar. */
  async loadImage(tar: Readable): Promise<void> {
    const reply = await this.request('POST', '/images/load?quiet=1', tar, 'dockerImageMs');
    if (reply.status >= 300 || /"error"/.test(reply.body)) throw engineError('POST', '/images/load', reply);
  }

  /** Imports a root filesystem tar as an image (`docker import`). */
  async importImage(tar: Readable, repo: string, tag: string, changes: string[] = []): Promise<void> {
    const c = changes.map((x) => `&changes=${encodeURIComponent(x)}`).join('');
    const reply = await this.request('POST', `/images/create?fromSrc=-&repo=${encodeURIComponent(repo)}&tag=${encodeURIComponent(tag)}${c}`, tar, 'dockerImageMs');
    if (reply.status >= 300 || /"error"/.test(reply.body)) throw engineError('POST', '/images/create', reply);
  }

  /** Creates a named local volume (no error when it exists). */
  async createVolume(name: string, labels: Record<string, string> = {}): Promise<VolumeInspect> {
    return this.json('POST', '/volumes/create', { Name: name, Labels: labels });
  }

  /** Inspects a volume, or undefined. */
  async findVolume(name: string): Promise<VolumeInspect | undefined> {
    const reply = await this.request('GET', `/volumes/${encodeURIComponent(name)}`);
    if (reply.status === 404) return undefined;
    if (reply.status >= 300) throw engineError('GET', '/volumes', reply);
    return JSON.parse(reply.body) as VolumeInspect;
  }

  /** Inspects a network, or undefined when the engine has none of that name. */
  async findNetwork(name: string): Promise<NetworkInspect | undefined> {
    const reply = await this.request('GET', `/networks/${encodeURIComponent(name)}`);
    if (reply.status === 404) return undefined;
    if (reply.status >= 300) throw engineError('GET', '/networks', reply);
    return JSON.parse(reply.body) as NetworkInspect;
  }

  /** Creates a network (`docker network create`); returns its id. */
  async createNetwork(body: Record<string, unknown>): Promise<string> {
    return (await this.json<{ Id: string }>('POST', '/networks/create', body)).Id;
  }

  /** Removes a volume; a missing one is not an error. */
  async removeVolume(name: string): Promise<void> {
    const reply = await this.request('DELETE', `/volumes/${encodeURIComponent(name)}?force=true`);
    if (reply.status >= 300 && reply.status !== 404) throw engineError('DELETE', '/volumes', reply);
  }
}
