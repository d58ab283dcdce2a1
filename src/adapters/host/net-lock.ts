/**
 * @module adapters/host/net-lock — closes a container's network namespace to every packet, in and out,
 * IP and ARP, with nftables tables of ferry's own inside that namespace. From the final freeze
 * until the source copy is removed, the source kernel must neither acknowledge data the
 * checkpoint will not hold nor answer a client with a reset, nor answer ARP for an address
 * that now lives elsewhere; the clients' TCP retransmits what it sent meanwhile, and the
 * destination answers it. On rollback the lock is lifted and the source serves on with its
 * connections as they were. (CRIU's own lock for a namespace it does not dump puts rules in
 * its own namespace, which the container's packets never cross.)
 *
 * @example
 *   await lockNetwork(inspect.State.Pid, 10_000);   // frozen container: nothing in, nothing out
 *   await unlockNetwork(inspect.State.Pid, 10_000); // rollback: it serves on
 */
import { FerryError } from '../../core/errors.ts';
import { run } from './run.ts';

/** The name of ferry's tables in a locked namespace (one per family). */
export const LOCK_TABLE = 'ferry_lock';

/** Before every other hook (conntrack is -200, Docker's filters 0): nothing reaches a socket or leaves one. */
const PRIORITY = -400;

/** The nft script that locks a namespace: drop-all chains on input and output for IP (both versions) and ARP. Idempotent. */
export function lockScript(): string {
  return ['inet', 'arp'].flatMap((family) => [
    `add table ${family} ${LOCK_TABLE}`,
    `add chain ${family} ${LOCK_TABLE} in { type filter hook input priority ${PRIORITY}; policy drop; }`,
    `add chain ${family} ${LOCK_TABLE} out { type filter hook output priority ${PRIORITY}; policy drop; }`,
  ]).join('; ');
}

/** The nft script that unlocks a namespace: removes ferry's tables (adding them first makes it idempotent). */
export function unlockScript(): string {
  return ['inet', 'arp'].flatMap((family) => [`add table ${family} ${LOCK_TABLE}`, `delete table ${family} ${LOCK_TABLE}`]).join('; ');
}

/** Runs an nft script in the network namespace of process `pid`. */
async function nftIn(pid: number, script: string, what: string, timeoutMs: number): Promise<void> {
  if (!Number.isInteger(pid) || pid <= 0) throw new FerryError('FERRY_ERR_NET_LOCK', `cannot ${what} the network of a container without a process (pid ${pid})`);
  const r = await run('nsenter', [`--net=/proc/${pid}/ns/net`, 'nft', script], { timeoutMs });
  if (r.code === 0 && !r.failure) return;
  const why = r.timedOut ? `no answer within ${timeoutMs} ms` : (r.failure ?? (r.stderr.trim() || `nft exited ${r.code}`));
  throw new FerryError('FERRY_ERR_NET_LOCK', `could not ${what} the network of the container (pid ${pid}): ${why}; install nftables (apt-get install nftables) and check that the kernel has nf_tables`);
}

/** Locks the network namespace of a (frozen) container's process `pid`. */
export function lockNetwork(pid: number, timeoutMs: number): Promise<void> {
  return nftIn(pid, lockScript(), 'lock', timeoutMs);
}

/** Lifts ferry's lock from the namespace of process `pid`; no error when there is none. */
export function unlockNetwork(pid: number, timeoutMs: number): Promise<void> {
  return nftIn(pid, unlockScript(), 'unlock', timeoutMs);
}

/** True when ferry's lock is on the namespace of process `pid`. */
export async function networkLocked(pid: number, timeoutMs: number): Promise<boolean> {
  const r = await run('nsenter', [`--net=/proc/${pid}/ns/net`, 'nft', 'list', 'tables'], { timeoutMs });
  return r.code === 0 && r.stdout.includes(LOCK_TABLE);
}
