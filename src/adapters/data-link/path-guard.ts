/**
 * @module adapters/data-link/path-guard — decides whether a path that came off the wire may be joined to a
 * target directory. Pure: it looks at the string only; the tree sink adds the lstat checks.
 */
import { FerryError } from '../../core/errors.ts';

/** Longest path the guard accepts, in UTF-8 bytes (Linux PATH_MAX). */
export const MAX_PATH_BYTES = 4096;
/** Longest single path segment, in UTF-8 bytes (Linux NAME_MAX). */
export const MAX_SEGMENT_BYTES = 255;

/** Quotes a hostile path for a message without letting it forge lines or run on forever. */
export function showPath(p: string): string {
  return JSON.stringify(p.length > 200 ? `${p.slice(0, 200)}…` : p);
}

function refuse(p: string, why: string): never {
  throw new FerryError('FERRY_ERR_UNSAFE_PATH', `unsafe path ${showPath(p)}: ${why}`);
}

/**
 * Accepts only a relative POSIX path that stays inside its base, and returns it normalised
 * (`./a//b/` becomes `a/b`); throws FERRY_ERR_UNSAFE_PATH naming the path otherwise.
 */
export function safeRelativePath(p: string): string {
  if (typeof p !== 'string') refuse(String(p), 'not a string');
  if (p.length === 0) refuse(p, 'empty path');
  if (p.includes('\0')) refuse(p, 'contains a NUL byte');
  // A lone surrogate would be replaced when encoded, so the name written would differ.
  if (!p.isWellFormed()) refuse(p, 'not valid Unicode');
  const total = Buffer.byteLength(p, 'utf8');
  if (total > MAX_PATH_BYTES) refuse(p, `${total} bytes long, the limit is ${MAX_PATH_BYTES}`);
  if (p.startsWith('/')) refuse(p, 'absolute path');
  const kept: string[] = [];
  for (const segment of p.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') refuse(p, 'contains a ".." segment');
    const bytes = Buffer.byteLength(segment, 'utf8');
    if (bytes > MAX_SEGMENT_BYTES) refuse(p, `segment of ${bytes} bytes, the limit is ${MAX_SEGMENT_BYTES}`);
    kept.push(segment);
  }
  if (kept.length === 0) refuse(p, 'names no entry (empty after normalisation)');
  return kept.join('/');
}

/** The parent directories of a normalised relative path, outermost first (`a/b/c` → `a`, `a/b`). */
export function parentsOf(rel: string): string[] {
  const parts = rel.split('/');
  const out: string[] = [];
  for (let i = 1; i < parts.length; i++) out.push(parts.slice(0, i).join('/'));
  return out;
}

/** True when `rel` is `dir` or lies below it (both normalised). */
export function isWithin(rel: string, dir: string): boolean {
  return rel === dir || rel.startsWith(`${dir}/`);
}
