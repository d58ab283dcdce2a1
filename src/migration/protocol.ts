/**
 * @module migration/protocol — the control-link messages between the source and the
 * destination agent, as zod schemas (validated on arrival) and their types.
 */
import * as z from 'zod';

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
});
export type PrepareRequest = z.infer<typeof PrepareRequest>;

/** The destination's answer to prepare. */
export interface PrepareReply {
  ticket: string;
  dataPort: number;
  needImage: boolean;
}

/** Restore from a named checkpoint. */
export const RestoreRequest = z.strictObject({ checkpoint: z.string().regex(/^[a-zA-Z0-9_.-]{1,64}$/) });
export type RestoreRequest = z.infer<typeof RestoreRequest>;

/** The destination's answer to status. */
export interface DestinationStatus {
  migrationId: string;
  phase: string | null;
  word: 'committed' | 'running-uncommitted' | 'aborted' | 'unknown';
}

/** The start of a migration, as the CLI asks the source agent. */
export const MigrateRequest = z.strictObject({
  container: z.string().min(1).max(255),
  strategy: z.enum(['stop-copy']),
  destination: z.strictObject({
    name: z.string().min(1).max(64),
    controlUrl: z.url(),
    dataHost: z.string().min(1).max(255),
  }),
  options: z
    .strictObject({
      allowBind: z.boolean().optional(),
      skipCapacityCheck: z.boolean().optional(),
      faults: z.strictObject({ corruptChunk: z.number().int().positive().optional() }).optional(),
    })
    .optional(),
});
export type MigrateRequest = z.infer<typeof MigrateRequest>;
