/**
 * @module adapters/host/proc-status — what /proc/PID/status says about a process that decides
 * whether CRIU can dump it: its name, its user and group ids, its tracer and its effective
 * capabilities. Pure parsing; the reading is in container-processes.ts.
 */

/** CAP_SYS_RESOURCE's bit in the capability sets of /proc/PID/status (linux/capability.h). */
export const CAP_SYS_RESOURCE = 24;

/** The fields of /proc/PID/status that the freeze checks use. */
export interface ProcStatus {
  /** The command name (`comm`), at most 15 characters. */
  name: string;
  /** Real, effective, saved and file-system user ids, as the reader's user namespace sees them. */
  uids: readonly number[];
  /** Real, effective, saved and file-system group ids. */
  gids: readonly number[];
  /** The PID of the process tracing this one (ptrace), 0 when none. */
  tracerPid: number;
  /** The effective capability set as a bit mask. */
  capEff: bigint;
}

/** Parses a /proc/PID/status text; undefined when a field the checks need is missing. */
export function parseProcStatus(text: string): ProcStatus | undefined {
  const fields = new Map<string, string>();
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) fields.set(line.slice(0, colon), line.slice(colon + 1).trim());
  }
  const ids = (key: string) => (fields.get(key) ?? '').split(/\s+/).filter(Boolean).map(Number);
  const uids = ids('Uid');
  const gids = ids('Gid');
  const cap = fields.get('CapEff');
  const name = fields.get('Name');
  if (name === undefined || uids.length < 3 || gids.length < 3 || !cap || !/^[0-9a-f]+$/i.test(cap)) return undefined;
  if ([...uids, ...gids].some((n) => !Number.isInteger(n))) return undefined;
  return { name, uids, gids, tracerPid: Number(fields.get('TracerPid') ?? 0) || 0, capEff: BigInt(`0x${cap}`) };
}

/** Whether a capability bit is in an effective set. */
export function hasCap(capEff: bigint, bit: number): boolean {
  return ((capEff >> BigInt(bit)) & 1n) === 1n;
}
