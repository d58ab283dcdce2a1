/** @module adapters/process-memory/process-tree — the processes of a container: its init and every descendant, from /proc. */
import { readdir, readFile } from 'node:fs/promises';

/** The PIDs of `root` and all its descendants (threads excluded: they share their process's memory). */
export async function processTree(root: number): Promise<number[]> {
  const out: number[] = [];
  const queue = [root];
  while (queue.length) {
    const pid = queue.shift() as number;
    let tasks: string[];
    try {
      tasks = await readdir(`/proc/${pid}/task`);
    } catch {
      continue; // exited meanwhile
    }
    out.push(pid);
    for (const tid of tasks) {
      const children = await readFile(`/proc/${pid}/task/${tid}/children`, 'utf8').catch(() => '');
      for (const c of children.split(/\s+/)) if (c) queue.push(Number(c));
    }
  }
  return out;
}
