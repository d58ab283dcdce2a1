/**
 * @module domain/migration/protocol — the control-link messages between the source and the
 * destination agent, as zod schemas (validated on arrival) and their types.
 */
import * as z from 'zod';
import { FerryError } from '../../core/errors.ts';
import type { DestinationWord } from './phases.ts';

const name = z.string().min(1).max(255).regex(/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/, 'letters, digits, _ . - only');
const migrationId = z.string().regex(/^m-[a-z0-9-]{8,64}$/, 'a ferry migration id');

/** A local volume to recreate on the destination. */
export const VolumeSchema = z.strictObject({ name, destination: z.string().min(1), readOnly: z.boolean() });

/** What the destination must check before anything is sent. */
export const PreflightRequest = z.strictObject({
  migrationId,
  container: name,
  imageId: z.string().min(1),
  volumes: z.array(VolumeSchema).max(64),
  needs: z.strictObject({ memoryBytes: z.number().nonnegative(), diskBytes: z.number().nonnegative() }),
  cpuinfo: z.string().max(1 << 20),
  skipCapacityCheck: z.boolean(),
  /** Post-copy: the destination must be able to restore lazily. */
  postcopy: z.boolean().optional(),
  /** The container's address on the cluster network, which the destination must have free. */
  address: z.strictObject({
    network: z.string().regex(/^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,63}$/),
    ip: z.ipv4(),
    mac: z.string().regex(/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/),
  }).optional(),
});
export type PreflightRequest = z.infer<typeof PreflightRequest>;

/** The stage request: the container to be, and what the source will send. */
export const PrepareRequest = z.strictObject({
  migrationId,
  source: z.string().min(1).max(64),
  container: name,
  imageId: z.string().min(1),
  imageRef: z.string().min(1).max(512),
  volumes: z.array(VolumeSchema).max(64),
  createBody: z.record(z.string(), z.unknown()),
  /** The source sends memory as pages plus a recipe (pre-copy), so the destination keeps a page store. */
  pages: z.boolean().optional(),
  /** Post-copy: the destination resumes the container before its lazy pages came; the source pushes them afterwards. */
  postcopy: z.boolean().optional(),
  /** The object store the source pre-stores into (strategy prestore); the destination must use the same one. */
  store: z.string().min(1).max(1024).optional(),
  /** How the dump takes connected TCP sockets: moved with their state (default), or closed (--drop-connections); the restore must say the same. */
  tcp: z.enum(['established', 'close']).optional(),
});
export type PrepareRequest = z.infer<typeof PrepareRequest>;

/** The destination's answer to prepare. */
export interface PrepareReply {
  ticket: string;
  dataPort: number;
  needImage: boolean;
}

/** The destination's answer to status. */
export interface DestinationStatus {
  migrationId: string;
  phase: string | null;
  word: Exclude<DestinationWord, 'unreachable'>;
}

/** The start of a migration, as the CLI asks the source agent. */
export const MigrateRequest = z.strictObject({
  container: z.string().min(1).max(255),
  strategy: z.enum(['stop-copy', 'precopy', 'prestore', 'postcopy']),
  destination: z.strictObject({
    name: z.string().min(1).max(64),
    controlUrl: z.url(),
    dataHost: z.string().min(1).max(255),
  }),
  options: z
    .strictObject({
      allowBind: z.boolean().optional(),
      /** Move a container whose connections cannot keep their clients (off the cluster network, or through a published port), closing every connection. */
      dropConnections: z.boolean().optional(),
      skipCapacityCheck: z.boolean().optional(),
      faults: z.strictObject({ corruptChunk: z.number().int().positive().optional() }).optional(),
      /** Overrides of migration.prestore for this migration (strategy prestore). */
      prestore: z
        .strictObject({
          window: z.number().int().min(1).max(30).optional(),
          threshold: z.number().int().min(0).max(30).optional(),
        })
        .optional(),
      /** Overrides of migration.precopy for this migration. */
      precopy: z
        .strictObject({
          deferWindow: z.number().int().min(1).max(30).optional(),
          deferThreshold: z.number().int().min(0).max(30).optional(),
          downtimeBudgetMs: z.number().int().min(0).optional(),
          growthLimit: z.number().min(0).max(10).optional(),
          shrinkMargin: z.number().min(0).max(1).optional(),
          maxRounds: z.number().int().min(1).max(100).optional(),
          maxBytesFactor: z.number().min(0.5).max(100).optional(),
        })
        .optional(),
    })
    .optional(),
});
export type MigrateRequest = z.infer<typeof MigrateRequest>;

const mount = z.strictObject({ Type: z.enum(['volume', 'bind']), Source: z.string().min(1), Target: z.string().min(1), ReadOnly: z.boolean() });

/** The create body a destination accepts: exactly the keys the source emits (container-spec.ts), nothing that widens the container's power. */
const CreateBody = z.strictObject({
  Image: z.string().min(1),
  Env: z.array(z.string()).optional(),
  Cmd: z.array(z.string()).optional(),
  Entrypoint: z.array(z.string()).optional(),
  WorkingDir: z.string().optional(),
  User: z.string().optional(),
  Labels: z.record(z.string(), z.string()).optional(),
  ExposedPorts: z.record(z.string(), z.object({})).optional(),
  MacAddress: z.string().regex(/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/).optional(),
  NetworkingConfig: z.strictObject({
    EndpointsConfig: z.record(z.string().regex(/^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,63}$/), z.strictObject({
      IPAMConfig: z.strictObject({ IPv4Address: z.ipv4() }),
    })).refine((o) => Object.keys(o).length === 1, 'exactly one endpoint'),
  }).optional(),
  StopSignal: z.string().optional(),
  Hostname: z.string().optional(),
  Healthcheck: z.record(z.string(), z.unknown()).optional(),
  Tty: z.literal(false),
  OpenStdin: z.boolean().optional(),
  HostConfig: z.strictObject({
    Memory: z.number().int().nonnegative().optional(),
    MemorySwap: z.number().int().optional(),
    NanoCpus: z.number().int().nonnegative().optional(),
    CpuShares: z.number().int().nonnegative().optional(),
    CpuQuota: z.number().int().optional(),
    CpuPeriod: z.number().int().nonnegative().optional(),
    PidsLimit: z.number().int().optional(),
    RestartPolicy: z.strictObject({ Name: z.string(), MaximumRetryCount: z.number().int() }).optional(),
    PortBindings: z.record(z.string(), z.unknown()).optional(),
    NetworkMode: z.string().refine((m) => m !== 'host' && !m.startsWith('container:'), 'host and container network modes tie a container to one host').optional(),
    Ulimits: z.array(z.unknown()).optional(),
    ShmSize: z.number().int().nonnegative().optional(),
    Tmpfs: z.record(z.string(), z.string()).optional(),
    CapAdd: z.array(z.string()).optional(),
    CapDrop: z.array(z.string()).optional(),
    SecurityOpt: z.array(z.string()).optional(),
    Mounts: z.array(mount).max(64).optional(),
  }),
});

/** Refuses a create body that is not what a movable container's source sends (privileged, devices, host binds unless allowed, docker.sock). */
export function checkCreateBody(body: unknown, options: { allowBind: boolean }): void {
  const r = CreateBody.safeParse(body);
  if (!r.success) {
    const issue = r.error.issues[0];
    throw new FerryError('FERRY_ERR_INVALID_INPUT', `create body field ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}`);
  }
  for (const m of r.data.HostConfig.Mounts ?? []) {
    if (m.Type !== 'bind') continue;
    if (/(^|\/)docker\.sock$/.test(m.Source)) throw new FerryError('FERRY_ERR_DOCKER_SOCKET', `the container would bind the Docker socket ${m.Source}`);
    if (!options.allowBind) throw new FerryError('FERRY_ERR_UNSUPPORTED_MOUNT', `the container would bind host path ${m.Source}; this destination does not accept host binds (migration.allowBind)`);
  }
}

/** Packs the source stored during a round (strategy prestore); the destination fetches them. */
export const PrestoredRequest = z.strictObject({ packs: z.array(z.string().regex(/^[0-9a-f]{64}$/)).max(1_000_000) });
export type PrestoredRequest = z.infer<typeof PrestoredRequest>;

/** The image is in the object store (strategy prestore); the destination loads it from there. */
export const StoredImageRequest = z.strictObject({ imageId: z.string().regex(/^sha256:[0-9a-f]{64}$/) });
export type StoredImageRequest = z.infer<typeof StoredImageRequest>;
