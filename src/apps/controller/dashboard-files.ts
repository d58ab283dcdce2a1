/**
 * @module apps/controller/dashboard-files — the dashboard's built files (dashboard/dist) as the
 * controller serves them: a URL path mapped to one file inside the directory (never outside
 * it: no `..`, no encoded slashes, no dot files), with its content type.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { StaticFile } from '../../adapters/http-api/server.ts';
import { repoRoot } from '../../core/paths.ts';

/** Where `npm run build:dashboard` writes the dashboard. */
export const DASHBOARD_DIR = path.join(repoRoot(), 'dashboard', 'dist');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.map': 'application/json',
};

/** The content type of a file name, or undefined for a type the dashboard does not serve. */
export function contentTypeOf(name: string): string | undefined {
  return TYPES[path.extname(name).toLowerCase()];
}

/** The relative file a URL path names (`/` is index.html), or undefined when it is unsafe or not a dashboard file. */
export function assetPath(pathname: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return undefined;
  }
  if (decoded === '/' || decoded === '') return 'index.html';
  if (!decoded.startsWith('/') || decoded.includes('\\') || decoded.includes('\0')) return undefined;
  const parts = decoded.slice(1).split('/');
  if (parts.some((p) => p === '' || p.startsWith('.'))) return undefined;
  const rel = parts.join('/');
  return contentTypeOf(rel) ? rel : undefined;
}

/** Reads the file a URL path names from `dir`; undefined when there is none. */
export async function dashboardFile(pathname: string, dir = DASHBOARD_DIR): Promise<StaticFile | undefined> {
  const rel = assetPath(pathname);
  if (!rel) return undefined;
  const full = path.resolve(dir, rel);
  if (!full.startsWith(dir + path.sep)) return undefined;
  try {
    return { body: await readFile(full), contentType: contentTypeOf(full) ?? 'application/octet-stream' };
  } catch {
    return undefined;
  }
}
