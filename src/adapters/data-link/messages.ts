/**
 * @module adapters/data-link/messages — the JSON payloads of the data-link frames and their validation.
 * Pure: a payload that does not match is a FERRY_ERR_PROTOCOL naming the frame.
 */
import * as z from 'zod';
import { FerryError } from '../../core/errors.ts';
import { frameJson, frameTypeName, type Frame } from './frame.ts';

const u32 = z.number().int().min(0).max(0xffff_ffff);
const byteCount = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/);

/** The kinds of tree entries the link carries; an overlay whiteout is a 0:0 character device. */
export const ENTRY_KINDS = ['dir', 'file', 'symlink', 'whiteout'] as const;

/** One entry of a tree, as ENTRY announces it. */
export const EntryMetaSchema = z.strictObject({
  /** Relative to the tree root; "." is the root itself. */
  path: z.string().min(1),
  kind: z.enum(ENTRY_KINDS, { error: (issue) => `unknown entry kind ${JSON.stringify(issue.input)}` }),
  /** Permission bits, setuid/setgid/sticky included. */
  mode: z.number().int().min(0).max(0o7777),
  uid: u32,
  gid: u32,
  mtimeMs: z.number().finite(),
  /** Regular files only. */
  size: byteCount.optional(),
  /** Symlinks only; never followed on either side. */
  target: z.string().min(1).max(4095).refine((t) => !t.includes('\0'), 'contains a NUL byte').optional(),
  /** Directories only: overlayfs hides the lower layers below it. */
  opaque: z.boolean().optional(),
});

/** One entry of a tree. */
export type EntryMeta = z.infer<typeof EntryMetaSchema>;
/** The kinds of tree entries. */
export type EntryKind = EntryMeta['kind'];

/** HELLO: who the client is and the ticket the destination gave it. */
export const HelloSchema = z.strictObject({ migrationId: z.string().min(1).max(256), ticket: z.string().max(1024) });
/** The first frame of a connection. */
export type Hello = z.infer<typeof HelloSchema>;

/** ENTRY_END: the whole-file checksum of the file just sent. */
export const EntryEndSchema = z.strictObject({ sha256: sha256Hex });

/** STREAM_BEGIN: a section for one root, either a tree or a byte stream. */
export const StreamBeginSchema = z.strictObject({ root: z.string().min(1).max(256).regex(/^[^/\0]+$/), kind: z.enum(['tree', 'stream']) });
/** The start of a section. */
export type StreamBegin = z.infer<typeof StreamBeginSchema>;

/** STREAM_END: what the section held, so the receiver can check it got exactly that. */
export const StreamEndSchema = z.strictObject({ entries: byteCount, rawBytes: byteCount, sha256: sha256Hex.optional() });
/** The end of a section. */
export type StreamEnd = z.infer<typeof StreamEndSchema>;

/** What a finished session moved; the ACK after END carries it. */
export const TransferSummarySchema = z.strictObject({ files: byteCount, rawBytes: byteCount, wireBytes: byteCount });
/** What a finished session moved: entries and streams, DATA bytes, and every frame byte. */
export type TransferSummary = z.infer<typeof TransferSummarySchema>;

/** The ACK after HELLO: the session is open. */
export const HelloAckSchema = z.strictObject({ accepted: z.literal(true) });

/** ERROR: a FerryError as it crosses the link. */
export const ErrorPayloadSchema = z.object({ code: z.string(), message: z.string() });

/** Parses and validates the JSON payload of a frame. */
export function parsePayload<T>(frame: Frame, schema: z.ZodType<T>): T {
  const result = schema.safeParse(frameJson(frame));
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const where = issue?.path.join('.') || '(payload)';
  throw new FerryError('FERRY_ERR_PROTOCOL', `frame ${frame.index} (${frameTypeName(frame.type)}): ${where}: ${issue?.message ?? 'invalid'}`);
}

/** Checks the fields an entry of each kind must (and must not) carry. */
export function checkEntryShape(meta: EntryMeta, frameIndex: number): void {
  const bad = (why: string): never => {
    throw new FerryError('FERRY_ERR_PROTOCOL', `frame ${frameIndex} (ENTRY) ${JSON.stringify(meta.path)}: ${why}`);
  };
  if ((meta.kind === 'file') !== (meta.size !== undefined)) bad(meta.kind === 'file' ? 'a file without a size' : `a ${meta.kind} with a size`);
  if ((meta.kind === 'symlink') !== (meta.target !== undefined)) bad(meta.kind === 'symlink' ? 'a symlink without a target' : `a ${meta.kind} with a target`);
  if (meta.opaque !== undefined && meta.kind !== 'dir') bad(`a ${meta.kind} marked opaque`);
  if (meta.path === '.' && meta.kind !== 'dir') bad('the root must be a directory');
}
