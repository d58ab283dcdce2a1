/** @module test/support/processes — what tests ask of this machine's processes: alive or not, and which run a given command. */
import { readdirSync, readFileSync } from 'node:fs';

/** True while a process with this PID exists and is neither a zombie nor dead (a killed orphan may wait for its reaper). */
export function alive(pid: number): boolean {
  try {
    return !/^\S+ \(.*\) [ZX]/s.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

/** PIDs of live processes whose argument vector `match` accepts. */
export function processesWhere(match: (argv: string[]) => boolean): number[] {
  return readdirSync('/proc').filter((d) => /^\d+$/.test(d)).map(Number).filter((pid) => {
    try {
      return match(readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')) && alive(pid);
    } catch {
      return false;
    }
  });
}
