/**
 * @module adapters/data-link/test-support — fixtures for the wire tests only: an overlay-like upper
 * directory with every kind of entry, and a description of a tree to compare two copies.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, lchownSync, linkSync, lstatSync, lutimesSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, symlinkSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { readOpaqueDirs } from './overlay-attrs.ts';

/** A fresh directory under the system temp dir. */
export function tempDir(label: string): string {
  return mkdtempSync(path.join(os.tmpdir(), `ferry-wire-${label}-`));
}

/** Bytes that look like data: compressible but not trivially so, same for the same seed. */
export function sampleBytes(size: number, seed = 1): Buffer {
  const out = Buffer.allocUnsafe(size);
  let x = seed * 2654435761;
  for (let i = 0; i < size; i++) {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    out[i] = (x >> 16) % 26 + 97;
  }
  return out;
}

const T0 = 1_700_000_000_000;

/** Leaves a unix socket file at `file`, as a process that died without cleaning up would. */
async function leaveSocketFile(file: string): Promise<void> {
  const server = net.createServer();
  const listening = `${file}.listening`;
  await new Promise<void>((resolve) => server.listen(listening, resolve));
  // Node unlinks the socket it listened on when it closes; a second name survives that.
  linkSync(listening, file);
  await new Promise((resolve) => server.close(resolve));
}

/** One file, with owner, mode and mtime. */
function file(root: string, rel: string, content: Buffer | string, mode: number, owner: [number, number], t: number): void {
  const full = path.join(root, rel);
  writeFileSync(full, content);
  lchownSync(full, owner[0], owner[1]);
  chmodSync(full, mode);
  lutimesSync(full, t / 1000, t / 1000);
}

/**
 * Builds an overlay upper directory: files (empty, multi-chunk, setuid), a 0:0 whiteout,
 * opaque directories (one with a newline in its name), relative, absolute and dangling
 * symlinks, and things the link skips (a fifo, a socket, a device node). Returns what is skipped.
 */
export async function buildUpperFixture(root: string, options: { bigFileBytes?: number } = {}): Promise<string[]> {
  for (const d of ['etc', 'usr/lib', 'var/empty', 'opaque', 'deep/a/b/c/d', 'sp ace\nnl', 'private']) mkdirSync(path.join(root, d), { recursive: true });
  file(root, 'etc/hostname', 'web-1\n', 0o644, [0, 0], T0 + 1);
  file(root, 'etc/app.conf', sampleBytes(options.bigFileBytes ?? 3 * 1024 * 1024 + 123), 0o640, [1000, 1000], T0 + 2);
  file(root, 'usr/lib/tool', 'tool', 0o4755, [0, 0], T0 + 3);
  file(root, 'var/empty/zero', '', 0o600, [33, 33], T0 + 4);
  file(root, 'opaque/only-this', 'upper wins', 0o644, [0, 0], T0 + 5);
  file(root, 'deep/a/b/c/d/leaf', 'deep', 0o644, [0, 0], T0 + 6);
  file(root, 'sp ace\nnl/ü name', 'unicode', 0o644, [0, 0], T0 + 7);
  file(root, 'private/key', 'secret', 0o600, [1234, 5678], T0 + 8);
  symlinkSync('usr/lib', path.join(root, 'lib'));
  symlinkSync('/etc/passwd', path.join(root, 'passwd-link'));
  symlinkSync('../nowhere', path.join(root, 'etc/dangling'));
  lchownSync(path.join(root, 'etc/dangling'), 1000, 1000);
  execFileSync('mknod', [path.join(root, 'etc/removed'), 'c', '0', '0']);
  execFileSync('mknod', [path.join(root, 'etc/fifo'), 'p']);
  execFileSync('mknod', [path.join(root, 'etc/null'), 'c', '1', '3']);
  await leaveSocketFile(path.join(root, 'var/app.sock'));
  execFileSync('setfattr', ['-n', 'trusted.overlay.opaque', '-v', 'y', path.join(root, 'opaque')]);
  execFileSync('setfattr', ['-n', 'trusted.overlay.opaque', '-v', 'y', path.join(root, 'sp ace\nnl')]);
  execFileSync('setfattr', ['-n', 'trusted.overlay.opaque', '-v', 'y', root]);
  chmodSync(path.join(root, 'private'), 0o700);
  lchownSync(path.join(root, 'private'), 1234, 5678);
  chmodSync(path.join(root, 'usr'), 0o2775);
  // Directories last, deepest first: creating their content moved their mtimes.
  const dirs = ['deep/a/b/c/d', 'deep/a/b/c', 'deep/a/b', 'deep/a', 'deep', 'etc', 'usr/lib', 'usr', 'var/empty', 'var', 'opaque', 'sp ace\nnl', 'private', '.'];
  dirs.forEach((d, i) => lutimesSync(path.join(root, d), (T0 + 100 + i) / 1000, (T0 + 100 + i) / 1000));
  return ['etc/fifo', 'etc/null', 'var/app.sock'];
}

/** What a tree holds, entry by entry, in a form two copies can be compared by. */
export async function describeTree(root: string, options: { ignore?: string[]; mtimes?: boolean } = {}): Promise<Record<string, string>> {
  const opaque = await readOpaqueDirs(root);
  const out: Record<string, string> = {};
  const visit = (rel: string) => {
    if (options.ignore?.includes(rel)) return;
    const full = rel === '.' ? root : path.join(root, rel);
    const st = lstatSync(full);
    const kind = st.isDirectory() ? 'dir' : st.isFile() ? 'file' : st.isSymbolicLink() ? 'symlink' : st.isCharacterDevice() ? `chr ${st.rdev}` : 'other';
    let detail = '';
    if (st.isFile()) detail = `${st.size} ${createHash('sha256').update(readFileSync(full)).digest('hex').slice(0, 16)}`;
    if (st.isSymbolicLink()) detail = `-> ${readlinkSync(full)}`;
    if (opaque.has(rel)) detail = 'opaque';
    const mode = st.isSymbolicLink() ? '' : (st.mode & 0o7777).toString(8);
    const mtime = options.mtimes === false ? '' : ` t=${Math.round(st.mtimeMs)}`;
    out[rel] = `${kind} ${mode} ${st.uid}:${st.gid}${mtime} ${detail}`.trim();
    if (st.isDirectory()) for (const name of readdirSync(full).sort()) visit(rel === '.' ? name : `${rel}/${name}`);
  };
  visit('.');
  return out;
}
