/**
 * @module domain/pages/page-delta — pure: content addresses of 4 KiB pages. The same address
 * names a page on both hosts, so zero pages are never sent and a page whose content the
 * receiver already holds (a page that flipped back, or the same content twice) is never
 * sent again; `PageTracker` decides that, and `PageStore` rebuilds files from addresses.
 */
import { hash } from 'node:crypto';

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
