/**
 * @module precopy/memory-scan — dirty tracking by content, for kernels without soft-dirty
 * (these machines): reads a running process's writable private mappings through
 * /proc/PID/maps and /proc/PID/mem and hashes every 4 KiB page. Comparing two scans gives
 * the pages that changed between them. Untouched pages read as zeros and hash to ZERO_PAGE.
 */
import { open, readFile } from 'node:fs/promises';
import { PAGE, pageAddress } from './page-delta.ts';

/** One mapping of a process, as /proc/PID/maps lists it. */
export interface Mapping {
  start: number;
  end: number;
  perms: string;
  path: string;
}

/** Parses /proc/PID/maps; keeps writable private mappings (what changes while a process runs), minus the kernel's special ones. */
export function parseMaps(text: string): Mapping[] {
  const out: Mapping[] = [];
  for (const line of text.split('\n')) {
    const m = /^([0-9a-f]+)-([0-9a-f]+)\s+(\S{4})\s+\S+\s+\S+\s+\d+\s*(.*)$/.exec(line);
    if (!m) continue;
    const perms = m[3] ?? '';
    const path = (m[4] ?? '').trim();
    if (perms[1] !== 'w' || perms[3] !== 'p') continue;
    if (path === '[vvar]' || path === '[vsyscall]' || path === '[vdso]' || path === '[vvar_vclock]') continue;
    out.push({ start: parseInt(m[1] ?? '0', 16), end: parseInt(m[2] ?? '0', 16), perms, path });
  }
  return out;
}

/** A scan: the content address of every page, keyed by its virtual address. */
export type PageScan = Map<number, string>;

/** Hashes every page of the process's writable private mappings. Pages that cannot be read are skipped. */
export async function scanProcess(pid: number, chunkBytes = 1 << 20): Promise<PageScan> {
  const maps = parseMaps(await readFile(`/proc/${pid}/maps`, 'utf8'));
  const scan: PageScan = new Map();
  const mem = await open(`/proc/${pid}/mem`, 'r');
  const buf = Buffer.allocUnsafe(chunkBytes);
  try {
    for (const map of maps) {
      for (let at = map.start; at < map.end; at += chunkBytes) {
        const len = Math.min(chunkBytes, map.end - at);
        let got: number;
        try {
          ({ bytesRead: got } = await mem.read(buf, 0, len, at));
        } catch {
          continue; // a mapping that went away or cannot be read (e.g. guard pages)
        }
        for (let off = 0; off + PAGE <= got; off += PAGE) scan.set(at + off, pageAddress(buf.subarray(off, off + PAGE)));
      }
    }
  } finally {
    await mem.close();
  }
  return scan;
}

/** The virtual addresses whose content differs between two scans (new pages included). */
export function changedPages(before: PageScan, after: PageScan): number[] {
  const out: number[] = [];
  for (const [addr, hash] of after) if (before.get(addr) !== hash) out.push(addr);
  return out;
}
