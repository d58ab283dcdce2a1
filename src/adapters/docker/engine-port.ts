/**
 * @module adapters/docker/engine-port — `Engine`, what ferry's product code asks of a host's Docker
 * engine: exactly the calls the agent, the migration and protection services and the image
 * store make. The real one is `DockerEngine` (engine.ts, Engine API 1.41 over the socket);
 * `FakeEngine` (fake-engine.ts) keeps it in memory; engine.conformance.ts checks that both
 * answer alike. Every refusal is a FerryError; the codes each call may throw are listed. Any
 * call may also be FERRY_ERR_DOCKER (engine unreachable, connection broken) and, past its
 * deadline, FERRY_ERR_DOCKER_TIMEOUT, unless its doc says otherwise.
 */
import type { Readable } from 'node:stream';
import type { ContainerInspect, ContainerSummary, EngineInfo, ImageInspect, NetworkInspect, VolumeInspect } from './types.ts';

/** The Docker engine of one host, as product code uses it. */
export interface Engine {
  /** Where the engine is reached (its socket path), for messages that tell the operator where to look. */
  readonly socketPath: string;

  /** True when the engine answers within `timeoutMs` (default 3 s); never throws. */
  ping(timeoutMs?: number): Promise<boolean>;
  /** Engine facts: data root, version, kernel, memory, storage driver. */
  info(): Promise<EngineInfo>;

  /** Inspects a container by name, id or unique id prefix. Throws FERRY_ERR_UNKNOWN_CONTAINER when there is none. */
  inspectContainer(nameOrId: string): Promise<ContainerInspect>;
  /** Like inspectContainer, but undefined when there is none. */
  findContainer(nameOrId: string): Promise<ContainerInspect | undefined>;
  /** The engine's containers: running and paused ones, or every one with `all`. */
  listContainers(all?: boolean): Promise<ContainerSummary[]>;
  /** Creates a container from an Engine API create body; returns its id. FERRY_ERR_DOCKER when the name is in use or the image absent. */
  createContainer(name: string, body: Record<string, unknown>): Promise<string>;
  /**
   * Starts a created or exited container; with `checkpoint`, restores it from that checkpoint
   * (CRIU). FERRY_ERR_DOCKER for an unknown, running or paused container; FERRY_ERR_RESTORE
   * when the restore fails; FERRY_ERR_CRIU_TIMEOUT (not DOCKER_TIMEOUT) past deadlines.criuRestoreMs.
   */
  startContainer(id: string, checkpoint?: string): Promise<void>;
  /** Stops a container (stop signal, SIGKILL after `timeoutS`, default 10); a stopped or missing one is not an error. */
  stopContainer(id: string, timeoutS?: number): Promise<void>;
  /** Freezes every process of a running container. FERRY_ERR_DOCKER when it is unknown, not running or already paused. */
  pause(id: string): Promise<void>;
  /** Thaws a paused container. FERRY_ERR_DOCKER when it is unknown or not paused (the message says "not paused"). */
  unpause(id: string): Promise<void>;
  /** Removes a container, killing it first (with `volumes`, its anonymous volumes too); a missing one is not an error. */
  removeContainer(id: string, options?: { volumes?: boolean }): Promise<void>;

  /**
   * Writes a CRIU checkpoint of a running container; `exit: false` leaves it as it was (running
   * or paused), `exit: true` stops it. FERRY_ERR_CHECKPOINT when CRIU fails, FERRY_ERR_DOCKER
   * when the container is unknown or not running, FERRY_ERR_CRIU_TIMEOUT past deadlines.criuDumpMs.
   */
  createCheckpoint(id: string, name: string, exit: boolean): Promise<void>;
  /** Deletes a checkpoint; a missing container is not an error, a checkpoint the container does not have is FERRY_ERR_CHECKPOINT. */
  deleteCheckpoint(id: string, name: string): Promise<void>;

  /** Inspects an image by reference or id, or undefined when the engine has none. */
  findImage(ref: string): Promise<ImageInspect | undefined>;
  /** Streams an image as a `docker save` tar. FERRY_ERR_DOCKER when there is none (no deadline: the stream is the caller's). */
  exportImage(ref: string): Promise<Readable>;
  /** Loads a `docker save` tar (deadline deadlines.dockerImageMs). FERRY_ERR_DOCKER when it is not an image. */
  loadImage(tar: Readable): Promise<void>;

  /** Creates a named local volume with labels; an existing one is returned as it is. */
  createVolume(name: string, labels?: Record<string, string>): Promise<VolumeInspect>;
  /** Inspects a volume, or undefined when there is none. */
  findVolume(name: string): Promise<VolumeInspect | undefined>;
  /** Removes a volume; a missing one is not an error. FERRY_ERR_DOCKER while a container uses it. */
  removeVolume(name: string): Promise<void>;

  /** Inspects a network by name (with the running containers attached), or undefined when there is none. */
  findNetwork(name: string): Promise<NetworkInspect | undefined>;
}
