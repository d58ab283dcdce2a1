/** @module adapters/object-store/directory-files — the file-system steps of the directory store: atomic writes, reads that do not follow links. */
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { lstat, mkdir, open, rename, rm } from 'node:fs/promises';
import path from 'node:path';

/** Marks temporary files; '~' never occurs in a digest or a stored manifest name, so a temporary file is never mistaken for either. */
export const TEMP_MARK = '.tmp~';

/** The errno code of a file-system error ('EUNKNOWN' when it has none). */
export function errnoOf(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : 'EUNKNOWN';
}

/** Makes `dir` when it is missing; 'missing' when its parent does not exist; throws ENOTDIR when it is anything but a real directory. */
export async function realDirectory(dir: string): Promise<'ok' | 'missing'> {
  try {
    await mkdir(dir, 0o755);
  } catch (err) {
    if (errnoOf(err) === 'ENOENT') return 'missing';
    if (errnoOf(err) !== 'EEXIST') throw err;
  }
  if (!(await lstat(dir)).isDirectory()) throw Object.assign(new Error(`${dir} is not a directory`), { code: 'ENOTDIR' });
  return 'ok';
}

/** Writes `bytes` to dir/name atomically: a new temporary file in `dir` (never following a link), fsync, rename, fsync of `dir`. */
export async function writeAtomic(dir: string, name: string, bytes: Uint8Array): Promise<void> {
  const temp = path.join(dir, `${TEMP_MARK}${name.slice(0, 16)}-${randomBytes(6).toString('hex')}`);
  const file = await open(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o644);
  try {
    try {
      await file.writeFile(bytes);
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(temp, path.join(dir, name));
  } catch (err) {
    await rm(temp, { force: true });
    throw err;
  }
  const handle = await open(dir, constants.O_RDONLY | constants.O_DIRECTORY);
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** A file's bytes, refusing a symbolic link (ELOOP) and a file larger than `maxBytes` (EFBIG). */
export async function readNoFollow(file: string, maxBytes: number): Promise<Buffer> {
  const handle = await open(file, constants.O_RDONLY | constants.O_NOFOLLOW);
  try {
    if ((await handle.stat()).size > maxBytes) throw Object.assign(new Error(`${file} is larger than ${maxBytes} bytes`), { code: 'EFBIG' });
    return await handle.readFile();
  } finally {
    await handle.close();
  }
}
