/**
 * @module domain/pages/postcopy-frames — pure: what a post-copy migration sends over the data
 * link. While frozen, `postcopy-eager`: a length-prefixed JSON header naming each page file,
 * its page count and the indexes of its eager pages (those CRIU's restorer reads itself),
 * then those pages in order. After the resume, `postcopy-pages`: records of
 * `{pid u32, nrPages u32, vaddr u64}` each followed by its pages, pushed in the background
 * and, first, the pages the destination's faults asked for.
 */
import * as z from 'zod';
import { FerryError } from '../../core/errors.ts';
import { PAGE } from './page-delta.ts';

/** The eager header's schema. */
const EagerHeaderSchema = z.strictObject({
  files: z.array(z.strictObject({ name: z.string().regex(/^pages-\d{1,6}\.img$/), pages: z.number().int().min(0).max(1 << 28), eager: z.array(z.number().int().min(0)) })).max(4096),
});

/** The page files of a post-copy dump and the eager pages that follow the header. */
export type EagerHeader = z.infer<typeof EagerHeaderSchema>;

/** Largest eager header accepted, in bytes. */
const MAX_HEADER = 64 << 20;

/** The header as it goes on the wire. */
export function encodeEagerHeader(h: EagerHeader): Buffer {
  const json = Buffer.from(JSON.stringify(h));
  const len = Buffer.alloc(4);
  len.writeUInt32LE(json.length);
  return Buffer.concat([len, json]);
}

/** Parses a header; indexes must be in range and ascending. */
export function parseEagerHeader(json: Buffer): EagerHeader {
  let raw: unknown;
  try {
    raw = JSON.parse(json.toString('utf8'));
  } catch {
    throw new FerryError('FERRY_ERR_PROTOCOL', 'the post-copy eager header is not JSON');
  }
  const r = EagerHeaderSchema.safeParse(raw);
  if (!r.success) throw new FerryError('FERRY_ERR_PROTOCOL', `the post-copy eager header field ${r.error.issues[0]?.path.join('.') ?? ''}: ${r.error.issues[0]?.message ?? 'invalid'}`);
  for (const f of r.data.files) {
    for (let i = 0; i < f.eager.length; i++) {
      const x = f.eager[i] as number;
      if (x >= f.pages || (i > 0 && x <= (f.eager[i - 1] as number))) throw new FerryError('FERRY_ERR_PROTOCOL', `the post-copy eager header lists page ${x} of ${f.name} out of order or beyond its ${f.pages} pages`);
    }
  }
  return r.data;
}

/** Splits a byte stream into the header's length, the header, and then raw pages. */
export class EagerParser {
  private buf: Buffer = Buffer.alloc(0);
  private header: EagerHeader | undefined;

  /** Feeds bytes; returns the header when it completes (once) and whole pages that follow. */
  push(chunk: Buffer): { header?: EagerHeader; pages: Buffer } {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    let header: EagerHeader | undefined;
    if (!this.header) {
      if (this.buf.length < 4) return { pages: Buffer.alloc(0) };
      const len = this.buf.readUInt32LE(0);
      if (len > MAX_HEADER) throw new FerryError('FERRY_ERR_PROTOCOL', `the post-copy eager header is ${len} bytes (at most ${MAX_HEADER})`);
      if (this.buf.length < 4 + len) return { pages: Buffer.alloc(0) };
      header = this.header = parseEagerHeader(this.buf.subarray(4, 4 + len));
      this.buf = this.buf.subarray(4 + len);
    }
    const whole = this.buf.length - (this.buf.length % PAGE);
    const pages = this.buf.subarray(0, whole);
    this.buf = Buffer.from(this.buf.subarray(whole));
    return { ...(header ? { header } : {}), pages };
  }

  /** Bytes left over that are not a whole page (must be 0 at the end). */
  get rest(): number {
    return this.buf.length;
  }
}

/** A run of pushed pages. */
export interface PageRecord {
  pid: number;
  vaddr: number;
  pages: Buffer;
}

/** Bytes in a record header. */
export const RECORD_HEADER = 16;
/** Most pages in one record. */
export const MAX_RECORD_PAGES = 1024;

/** A record header. */
export function encodeRecordHeader(pid: number, vaddr: number, nrPages: number): Buffer {
  const h = Buffer.alloc(RECORD_HEADER);
  h.writeUInt32LE(pid, 0);
  h.writeUInt32LE(nrPages, 4);
  h.writeBigUInt64LE(BigInt(vaddr), 8);
  return h;
}

/** Splits a byte stream into page records. */
export class RecordParser {
  private buf: Buffer = Buffer.alloc(0);

  /** Feeds bytes; returns the records completed. */
  push(chunk: Buffer): PageRecord[] {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    const out: PageRecord[] = [];
    for (;;) {
      if (this.buf.length < RECORD_HEADER) break;
      const pid = this.buf.readUInt32LE(0);
      const n = this.buf.readUInt32LE(4);
      const vaddr = this.buf.readBigUInt64LE(8);
      if (n < 1 || n > MAX_RECORD_PAGES || vaddr % BigInt(PAGE) !== 0n || vaddr > BigInt(Number.MAX_SAFE_INTEGER)) throw new FerryError('FERRY_ERR_PROTOCOL', `a post-copy page record of ${n} pages at 0x${vaddr.toString(16)} is malformed`);
      if (this.buf.length < RECORD_HEADER + n * PAGE) break;
      out.push({ pid, vaddr: Number(vaddr), pages: Buffer.from(this.buf.subarray(RECORD_HEADER, RECORD_HEADER + n * PAGE)) });
      this.buf = this.buf.subarray(RECORD_HEADER + n * PAGE);
    }
    if (out.length) this.buf = Buffer.from(this.buf);
    return out;
  }

  /** Bytes of an unfinished record (must be 0 at the end). */
  get rest(): number {
    return this.buf.length;
  }
}
