/**
 * @module adapters/process-memory/round-source — the source's pages for the data link: a pre-copy round
 * reads the running container's memory and yields the pages the tracker says to send; the
 * final round reads CRIU's page files from the local dump, yields the pages the
 * destination lacks and describes each file as a recipe of page addresses.
 */
import { open, readdir } from 'node:fs/promises';
import path from 'node:path';
import { readMemory } from './memory-scan.ts';
import { PAGE, pageAddress } from '../../domain/pages/page-delta.ts';
import type { PageTracker } from '../../domain/pages/page-tracker.ts';
import type { DumpRecipe } from '../../domain/pages/recipe.ts';

/** How page keys are formed: process index × 2^36 + page number (virtual addresses span 2^47 bytes). */
const PAGES_PER_PROCESS = 2 ** 36;

/** Gives each process of the container a small index, so that (pid, address) becomes one numeric key. */
export class PageKeys {
  private readonly index = new Map<number, number>();

  /** The key of the page at `vaddr` of process `pid`. */
  keyOf(pid: number, vaddr: number): number {
    let i = this.index.get(pid);
    if (i === undefined) {
      i = this.index.size;
      this.index.set(pid, i);
    }
    return i * PAGES_PER_PROCESS + vaddr / PAGE;
  }
}

/** Collects pages into buffers of about `outBytes`, handing each full one over. */
class PageBatcher {
  private out: Buffer;
  private used = 0;
  private readonly outBytes: number;

  constructor(outBytes: number) {
    this.outBytes = outBytes;
    this.out = Buffer.allocUnsafe(outBytes);
  }

  /** Adds a page; returns a full batch when one is ready. */
  add(page: Buffer): Buffer | undefined {
    page.copy(this.out, this.used);
    this.used += PAGE;
    return this.used + PAGE > this.outBytes ? this.take() : undefined;
  }

  /** The pages collected so far (empty when none). */
  take(): Buffer {
    const full = this.out.subarray(0, this.used);
    this.out = Buffer.allocUnsafe(this.outBytes);
    this.used = 0;
    return full;
  }
}

/** One pre-copy round: reads every process's memory and yields the pages to send now (`onSend` hears each one's address). The caller brackets it with beginRound/endRound. */
export async function* roundPages(pids: readonly number[], tracker: PageTracker, keys: PageKeys, options: { outBytes?: number; onSend?: (address: string) => void } = {}): AsyncGenerator<Buffer> {
  const batch = new PageBatcher(options.outBytes ?? 1 << 20);
  for (const pid of pids) {
    for await (const { at, bytes } of readMemory(pid)) {
      for (let off = 0; off < bytes.length; off += PAGE) {
        const page = bytes.subarray(off, off + PAGE);
        const address = pageAddress(page);
        if (tracker.observe(keys.keyOf(pid, at + off), address) !== 'send') continue;
        options.onSend?.(address);
        const full = batch.add(page);
        if (full) yield full;
      }
    }
  }
  const rest = batch.take();
  if (rest.length) yield rest;
}

/** True for the CRIU image files that hold memory pages. */
export function isPagesFile(name: string): boolean {
  return /^pages-\d+\.img$/.test(name);
}

/**
 * The final round: reads the dump's page files, yields the pages the destination lacks, and
 * fills `recipe` with every file's page addresses (in file order) as it goes.
 */
export async function* dumpPages(imageDir: string, tracker: PageTracker, recipe: DumpRecipe, outBytes = 1 << 20): AsyncGenerator<Buffer> {
  const batch = new PageBatcher(outBytes);
  const names = (await readdir(imageDir)).filter(isPagesFile).sort();
  const buf = Buffer.allocUnsafe(4 << 20);
  for (const name of names) {
    const pages: string[] = [];
    const fh = await open(path.join(imageDir, name), 'r');
    try {
      for (;;) {
        const { bytesRead } = await fh.read(buf, 0, buf.length, null);
        if (bytesRead === 0) break;
        if (bytesRead % PAGE !== 0) throw new Error(`${name} is not a whole number of pages`);
        for (let off = 0; off < bytesRead; off += PAGE) {
          const page = buf.subarray(off, off + PAGE);
          const address = pageAddress(page);
          pages.push(address);
          if (!tracker.needFinal(address)) continue;
          const full = batch.add(page);
          if (full) yield full;
        }
      }
    } finally {
      await fh.close();
    }
    recipe.files.push({ name, pages });
  }
  const rest = batch.take();
  if (rest.length) yield rest;
}
