/**
 * @module precopy/page-delta — pure: content addresses of 4 KiB pages, which of them a
 * receiver lacks, and the rebuild of a file (e.g. a CRIU pages-N.img) from a recipe of
 * page addresses. Zero pages are never sent; a page seen before under any address (a page
 * that flipped back to old content, or the same content twice) is never sent again.
 */
import { createHash, hash } from 'node:crypto';

/** The page size ferry hashes by. */
export const PAGE = 4096;

/** The content address of a page (SHA-256, base64url). */
export function pageAddress(page: Uint8Array): string {
  return hash('sha256', page, 'base64url');
}

/** The address of a page of zeros. */
export const ZERO_PAGE = pageAddress(new Uint8Array(PAGE));

/** The addresses of every page of `buf` (the last page may be short). */
export function pageAddresses(buf: Uint8Array): string[] {
  const out: string[] = [];
  for (let off = 0; off < buf.length; off += PAGE) out.push(pageAddress(buf.subarray(off, Math.min(buf.length, off + PAGE))));
  return out;
}

/** A file described as its size and the addresses of its pages, in order. */
export interface Recipe {
  size: number;
  pages: string[];
  /** SHA-256 (hex) of the whole file, checked after the rebuild. */
  sha256: string;
}

/** Describes `buf` as a recipe. */
export function recipeOf(buf: Uint8Array): Recipe {
  return { size: buf.length, pages: pageAddresses(buf), sha256: createHash('sha256').update(buf).digest('hex') };
}

/**
 * Which page indexes must be sent so that a receiver holding `has` can rebuild: each
 * distinct non-zero address it lacks, once (the first index where it occurs).
 */
export function pagesToSend(addresses: readonly string[], has: (address: string) => boolean): number[] {
  const seen = new Set<string>();
  const send: number[] = [];
  addresses.forEach((a, i) => {
    if (a === ZERO_PAGE || seen.has(a) || has(a)) return;
    seen.add(a);
    send.push(i);
  });
  return send;
}

/** Rebuilds a file from its recipe; `get` returns a held page or undefined. Every page and the whole file are verified. */
export function rebuild(recipe: Recipe, get: (address: string) => Uint8Array | undefined): Buffer {
  const out = Buffer.alloc(recipe.size);
  recipe.pages.forEach((address, i) => {
    const off = i * PAGE;
    const len = Math.min(PAGE, recipe.size - off);
    if (address === ZERO_PAGE && len === PAGE) return;
    const page = get(address);
    if (!page) throw new RebuildError(`page ${i} (${address}) is not held`);
    if (page.length !== len || pageAddress(page) !== address) throw new RebuildError(`page ${i} does not match its address ${address}`);
    out.set(page, off);
  });
  const digest = createHash('sha256').update(out).digest('hex');
  if (digest !== recipe.sha256) throw new RebuildError(`rebuilt file digest ${digest} differs from ${recipe.sha256}`);
  return out;
}

/** A rebuild that cannot be trusted: a page missing or not matching. */
export class RebuildError extends Error {
  override readonly name = 'RebuildError';
}
