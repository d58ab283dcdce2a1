/** @module tools/testbed/logs — the last lines of a log file, for error messages. */
import { open } from 'node:fs/promises';

/** The last `lines` non-empty lines of a file, joined with " | " ("(no log)" when it cannot be read). */
export async function logTail(path: string, lines = 6): Promise<string> {
  let fh;
  try {
    fh = await open(path, 'r');
    const { size } = await fh.stat();
    const len = Math.min(size, 16 * 1024);
    const buf = Buffer.alloc(len);
    await fh.read(buf, 0, len, size - len);
    const tail = buf.toString('utf8').split('\n').map((l) => l.trim()).filter((l) => l !== '').slice(-lines);
    return tail.length > 0 ? tail.join(' | ') : '(empty log)';
  } catch {
    return '(no log)';
  } finally {
    await fh?.close();
  }
}
