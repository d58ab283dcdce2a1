/**
 * @module adapters/process-memory/memory-scan — dirty tracking by content, for kernels without soft-dirty
 * (these machines): reads a running process's writable private mappings through
 * /proc/PID/maps and /proc/PID/mem and hashes every 4 KiB page. Comparing two scans gives
 * the pages that changed between them. Untouched pages read as zeros and hash to ZERO_PAGE.
 */
import { open, readFile, type FileHandle } from 'node:fs/promises';
import { PAGE, pageAddress } from '../../domain/pages/page-delta.ts';

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

/** A chunk of a process's memory: `bytes` read at virtual address `at` (whole pages only). */
export interface MemoryChunk {
  at: number;
  bytes: Buffer;
}

/**
 * Reads the process's writable private mappings in chunks (the buffer is reused: consume
 * each chunk before asking for the next). Mappings that cannot be read are skipped, and a
 * process that is gone yields nothing.
 */
export async function* readMemory(pid: number, chunkBytes = 1 << 20): AsyncGenerator<MemoryChunk> {
  let maps: Mapping[];
  let mem: FileHandle;
  try {
    maps = parseMaps(await readFile(`/proc/${pid}/maps`, 'utf8'));
    mem = await open(`/proc/${pid}/mem`, 'r');
  } catch (err) {
    // A process that exited since it was listed (a compiler in a build) has no memory left to move.
    if (['ENOENT', 'ESRCH'].includes((err as NodeJS.ErrnoException).code ?? '')) return;
    throw err;
  }
  const buf = Buffer.allocUnsafe(chunkBytes);
  try {
    for (const map of maps) {
      for (let at = map.start; at < map.end; at += chunkBytes) {
        let got: number;
        try {
          ({ bytesRead: got } = await mem.read(buf, 0, Math.min(chunkBytes, map.end - at), at));
        } catch {
          continue; // a mapping that went away or cannot be read (e.g. guard pages)
        }
        yield { at, bytes: buf.subarray(0, got - (got % PAGE)) };
      }
    }
  } finally {
    await mem.close();
  }
}

/** Hashes every page of the process's writable private mappings. */
export async function scanProcess(pid: number, chunkBytes = 1 << 20): Promise<PageScan> {
  const scan: PageScan = new Map();
  for await (const { at, bytes } of readMemory(pid, chunkBytes)) {
    for (let off = 0; off < bytes.length; off += PAGE) scan.set(at + off, pageAddress(bytes.subarray(off, off + PAGE)));
  }
  return scan;
}

/** The virtual addresses whose content differs between two scans (new pages included). */
export function changedPages(before: PageScan, after: PageScan): number[] {
  const out: number[] = [];
  for (const [addr, hash] of after) if (before.get(addr) !== hash) out.push(addr);
  return out;
}
