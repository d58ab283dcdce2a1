/**
 * @module adapters/host/page-server-protocol — pure: the frames of CRIU's page-server protocol as
 * its lazy-pages daemon speaks it (criu/page-xfer.c). The daemon sends fixed-size requests
 * `{cmd u32, nr_pages, vaddr u64, dst_id u64}` — `PS_IOV_GET` for pages of process `dst_id`,
 * `PS_IOV_CLOSE` at the end — and the server answers a GET with the same header
 * (`PS_IOV_ADD_F` with `PE_PRESENT`) followed by the raw pages, and a CLOSE with a 32-bit
 * status. CRIU 4.2 widened nr_pages to 64 bits, so a request is 32 bytes there (with
 * padding after cmd) and 24 bytes before.
 */
import { FerryError } from '../../core/errors.ts';

/** Commands (criu/page-xfer.c). */
export const PS_IOV_ADD_F = 6;
export const PS_IOV_GET = 7;
export const PS_IOV_CLOSE = 0x1023;
export const PS_IOV_FORCE_CLOSE = 0x1024;
const PS_CMD_BITS = 16;
const PE_PRESENT = 1 << 2;

/** A request or reply header. */
export interface PageIov {
  cmd: number;
  nrPages: number;
  vaddr: number;
  dstId: number;
}

/** The header layout of a CRIU version: 32 bytes from 4.2 on, 24 before. */
export type IovLayout = 24 | 32;

/** The layout a CRIU version speaks (`4.2.1` → 32). */
export function iovLayoutOf(version: string): IovLayout {
  const m = /^(\d+)\.(\d+)/.exec(version);
  const [major, minor] = m ? [Number(m[1]), Number(m[2])] : [0, 0];
  return major > 4 || (major === 4 && minor >= 2) ? 32 : 24;
}

/** Reads a header; numbers beyond 2^53 are refused as malformed. */
export function decodeIov(buf: Buffer, layout: IovLayout): PageIov {
  if (buf.length < layout) throw new FerryError('FERRY_ERR_PROTOCOL', `a page-server request of ${buf.length} bytes is shorter than ${layout}`);
  const big = (at: number): number => {
    const v = buf.readBigUInt64LE(at);
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new FerryError('FERRY_ERR_PROTOCOL', 'a page-server request holds a number beyond 2^53');
    return Number(v);
  };
  const cmd = buf.readUInt32LE(0);
  return layout === 32 ? { cmd, nrPages: big(8), vaddr: big(16), dstId: big(24) } : { cmd, nrPages: buf.readUInt32LE(4), vaddr: big(8), dstId: big(16) };
}

/** Writes a header. */
export function encodeIov(iov: PageIov, layout: IovLayout): Buffer {
  const buf = Buffer.alloc(layout);
  buf.writeUInt32LE(iov.cmd, 0);
  if (layout === 32) {
    buf.writeBigUInt64LE(BigInt(iov.nrPages), 8);
    buf.writeBigUInt64LE(BigInt(iov.vaddr), 16);
    buf.writeBigUInt64LE(BigInt(iov.dstId), 24);
  } else {
    buf.writeUInt32LE(iov.nrPages, 4);
    buf.writeBigUInt64LE(BigInt(iov.vaddr), 8);
    buf.writeBigUInt64LE(BigInt(iov.dstId), 16);
  }
  return buf;
}

/** The header of the answer to a GET that is served in full. */
export function pagesReply(req: PageIov): PageIov {
  return { cmd: (PE_PRESENT << PS_CMD_BITS) | PS_IOV_ADD_F, nrPages: req.nrPages, vaddr: req.vaddr, dstId: req.dstId };
}

/** The command of a header without its flags. */
export function commandOf(iov: PageIov): number {
  return iov.cmd & ((1 << PS_CMD_BITS) - 1);
}
