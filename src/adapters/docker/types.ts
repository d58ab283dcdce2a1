/** @module adapters/docker/types — the parts of the Engine API's JSON that ferry reads. */

/** A mount as `docker inspect` shows it. */
export interface MountPoint {
  /** bind, volume, tmpfs or npipe. */
  Type: string;
  Name?: string;
  Source: string;
  Destination: string;
  Driver?: string;
  Mode?: string;
  RW: boolean;
}

/** `GET /containers/{id}/json`. */
export interface ContainerInspect {
  Id: string;
  Name: string;
  Image: string;
  SizeRw?: number;
  State: { Status: string; Running: boolean; Paused: boolean; Restarting: boolean; Pid: number; ExitCode: number; Error: string; StartedAt: string };
  Config: {
    Image: string;
    Tty: boolean;
    OpenStdin: boolean;
    Env: string[] | null;
    Cmd: string[] | null;
    Entrypoint: string[] | null;
    WorkingDir: string;
    User: string;
    Labels: Record<string, string> | null;
    ExposedPorts?: Record<string, object> | null;
    StopSignal?: string;
    Hostname: string;
    Healthcheck?: Record<string, unknown>;
  };
  HostConfig: {
    Privileged: boolean;
    Devices: Array<{ PathOnHost: string }> | null;
    Binds: string[] | null;
    Memory: number;
    MemorySwap: number;
    NanoCpus: number;
    CpuShares: number;
    CpuQuota: number;
    CpuPeriod: number;
    PidsLimit: number | null;
    RestartPolicy?: { Name: string; MaximumRetryCount: number };
    PortBindings?: Record<string, unknown> | null;
    NetworkMode: string;
    Ulimits?: unknown[] | null;
    ShmSize?: number;
    Tmpfs?: Record<string, string> | null;
    CapAdd?: string[] | null;
    CapDrop?: string[] | null;
    SecurityOpt?: string[] | null;
  };
  GraphDriver: { Name: string; Data: Record<string, string> };
  Mounts: MountPoint[];
  /** The networks the container is attached to, by name (absent in some engines' answers for created containers). */
  NetworkSettings?: { Networks?: Record<string, EndpointSettings> | null };
}

/** A container's endpoint on one network (`NetworkSettings.Networks[name]`). */
export interface EndpointSettings {
  IPAddress?: string;
  MacAddress?: string;
  IPAMConfig?: { IPv4Address?: string } | null;
}

/** One entry of `GET /containers/json` (`docker ps`). */
export interface ContainerSummary {
  Id: string;
  /** With a leading slash, as the engine gives them. */
  Names: string[];
  Image: string;
  /** created, running, paused, restarting, removing, exited or dead. */
  State: string;
  Labels: Record<string, string> | null;
}

/** `GET /images/{name}/json`. */
export interface ImageInspect {
  Id: string;
  RepoTags: string[] | null;
  Size: number;
}

/** `GET /networks/{name}`: what ferry reads of a network. */
export interface NetworkInspect {
  Id: string;
  Name: string;
  Driver: string;
  IPAM: { Config: Array<{ Subnet?: string; IPRange?: string; Gateway?: string }> | null };
  Options: Record<string, string> | null;
  /** Attached containers by id, with their addresses ("10.0.0.5/24"). */
  Containers: Record<string, { Name: string; MacAddress: string; IPv4Address: string }> | null;
}

/** `GET /info`. */
export interface EngineInfo {
  DockerRootDir: string;
  ServerVersion: string;
  KernelVersion: string;
  MemTotal: number;
  NCPU: number;
  Driver: string;
  ExperimentalBuild: boolean;
}

/** `GET /volumes/{name}`. */
export interface VolumeInspect {
  Name: string;
  Driver: string;
  Mountpoint: string;
  Labels: Record<string, string> | null;
}
