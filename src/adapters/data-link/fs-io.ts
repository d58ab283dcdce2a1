/**
 * @module adapters/data-link/fs-io — positional file reads and writes that pick the cheaper path: small
 * transfers run synchronously (a thread-pool round trip costs more than the copy), large
 * ones go to the thread pool so a slow disk never stalls the event loop for long.
 */
import fs from 'node:fs';

/** Transfers up to this size run synchronously. */
export const SYNC_IO_BYTES = 64 * 1024;

function readAsync(fd: number, buffer: Buffer, position: number): Promise<number> {
  return new Promise((resolve, reject) => fs.read(fd, buffer, 0, buffer.length, position, (err, n) => (err ? reject(err) : resolve(n))));
}

function writeAsync(fd: number, buffer: Buffer, offset: number, position: number): Promise<number> {
  return new Promise((resolve, reject) => fs.write(fd, buffer, offset, buffer.length - offset, position, (err, n) => (err ? reject(err) : resolve(n))));
}

/** Reads into `buffer` from `position`; returns the bytes read (0 at end of file). */
export async function readAt(fd: number, buffer: Buffer, position: number): Promise<number> {
  if (buffer.length <= SYNC_IO_BYTES) return fs.readSync(fd, buffer, 0, buffer.length, position);
  return readAsync(fd, buffer, position);
}

/** Writes all of `buffer` at `position`, looping over short writes. */
export async function writeAt(fd: number, buffer: Buffer, position: number): Promise<void> {
  let done = 0;
  while (done < buffer.length) {
    const n = buffer.length - done <= SYNC_IO_BYTES ? fs.writeSync(fd, buffer, done, buffer.length - done, position + done) : await writeAsync(fd, buffer, done, position + done);
    done += n;
  }
}
