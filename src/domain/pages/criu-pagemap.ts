/**
 * @module domain/pages/criu-pagemap — pure: reads CRIU's `pagemap-*.img` files, which say where
 * each run of a process's pages lives: its virtual address, its length, and flags (present
 * in `pages-N.img`, restorable lazily, in a parent dump). The file is CRIU's image format: two
 * magic words, then entries each as a 32-bit length and a protobuf message — first a
 * `pagemap_head` naming the pages file, then one `pagemap_entry` per run (images/pagemap.proto).
 */
import { FerryError } from '../../core/errors.ts';

/** CRIU's head magic of every image but the inventory, and the pagemap magic. */
const IMG_COMMON_MAGIC = 0x54564319;
const PAGEMAP_MAGIC = 0x56084025;

/** Pagemap entry flags (criu/include/pagemap.h). */
export const PE_PARENT = 1 << 0;
export const PE_LAZY = 1 << 1;
export const PE_PRESENT = 1 << 2;

/** One run of pages. */
export interface PagemapRun {
  vaddr: number;
  nrPages: number;
  flags: number;
}

/** A pagemap image: the id of its pages file and its runs in file order. */
export interface Pagemap {
  pagesId: number;
  runs: PagemapRun[];
}

/** Reads a protobuf varint at `at`; returns its value and the offset after it. */
function varint(buf: Buffer, at: number, end: number): [number, number] {
  let value = 0;
  let scale = 1;
  for (let i = at; i < end && i < at + 10; i++) {
    const b = buf[i] as number;
    value += (b & 0x7f) * scale;
    scale *= 128;
    if (!(b & 0x80)) {
      if (!Number.isSafeInteger(value)) break;
      return [value, i + 1];
    }
  }
  throw new FerryError('FERRY_ERR_PROTOCOL', 'a CRIU pagemap holds a malformed number; the dump is damaged');
}

/** The varint fields of one protobuf message, by field number (other wire types are skipped). */
function fields(buf: Buffer, start: number, end: number): Map<number, number> {
  const out = new Map<number, number>();
  let at = start;
  while (at < end) {
    const [key, next] = varint(buf, at, end);
    at = next;
    const wire = key & 7;
    const field = Math.floor(key / 8);
    if (wire === 0) {
      const [v, after] = varint(buf, at, end);
      out.set(field, v);
      at = after;
    } else if (wire === 1) at += 8;
    else if (wire === 5) at += 4;
    else if (wire === 2) {
      const [len, after] = varint(buf, at, end);
      at = after + len;
    } else throw new FerryError('FERRY_ERR_PROTOCOL', `a CRIU pagemap entry has wire type ${wire}; the dump is damaged`);
  }
  if (at !== end) throw new FerryError('FERRY_ERR_PROTOCOL', 'a CRIU pagemap entry runs past its length; the dump is damaged');
  return out;
}

/** Parses a pagemap image; anything else is FERRY_ERR_PROTOCOL naming what is wrong. */
export function parsePagemap(buf: Buffer): Pagemap {
  if (buf.length < 8 || buf.readUInt32LE(0) !== IMG_COMMON_MAGIC || buf.readUInt32LE(4) !== PAGEMAP_MAGIC) {
    throw new FerryError('FERRY_ERR_PROTOCOL', 'not a CRIU pagemap image (wrong magic)');
  }
  const messages: Array<Map<number, number>> = [];
  for (let at = 8; at < buf.length; ) {
    if (at + 4 > buf.length) throw new FerryError('FERRY_ERR_PROTOCOL', 'a CRIU pagemap ends inside an entry length');
    const len = buf.readUInt32LE(at);
    if (at + 4 + len > buf.length) throw new FerryError('FERRY_ERR_PROTOCOL', 'a CRIU pagemap ends inside an entry');
    messages.push(fields(buf, at + 4, at + 4 + len));
    at += 4 + len;
  }
  const head = messages.shift();
  const pagesId = head?.get(1);
  if (pagesId === undefined) throw new FerryError('FERRY_ERR_PROTOCOL', 'a CRIU pagemap has no head naming its pages file');
  const runs = messages.map((m) => {
    const vaddr = m.get(1);
    const nrPages = m.get(5) ?? m.get(2);
    if (vaddr === undefined || nrPages === undefined || vaddr % 4096 !== 0) throw new FerryError('FERRY_ERR_PROTOCOL', 'a CRIU pagemap entry lacks an aligned address or a length');
    const flags = m.get(4) ?? (m.get(3) ? PE_PARENT : PE_PRESENT);
    return { vaddr, nrPages, flags };
  });
  return { pagesId, runs };
}

/** Builds a pagemap image (for tests and fakes: the inverse of {@link parsePagemap}). */
export function encodePagemap(map: Pagemap): Buffer {
  const v = (n: number): number[] => {
    const out: number[] = [];
    let x = n;
    while (x >= 128) {
      out.push((x % 128) | 0x80);
      x = Math.floor(x / 128);
    }
    out.push(x);
    return out;
  };
  const msg = (pairs: Array<[number, number]>): Buffer => Buffer.from(pairs.flatMap(([f, n]) => [...v(f * 8), ...v(n)]));
  const parts = [msg([[1, map.pagesId]]), ...map.runs.map((r) => msg([[1, r.vaddr], [2, r.nrPages], [4, r.flags], [5, r.nrPages]]))];
  const head = Buffer.alloc(8);
  head.writeUInt32LE(IMG_COMMON_MAGIC, 0);
  head.writeUInt32LE(PAGEMAP_MAGIC, 4);
  return Buffer.concat([head, ...parts.flatMap((p) => { const len = Buffer.alloc(4); len.writeUInt32LE(p.length); return [len, p]; })]);
}
