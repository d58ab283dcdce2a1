/**
 * @module adapters/host/announce — tells the segment where a container's address lives now. After a
 * restore on the destination, a gratuitous ARP (iputils `arping -U`) from the container's own
 * network namespace, with its address and MAC, makes switches learn the MAC on the new port
 * and neighbours refresh their entries, so clients' next packets (their TCP retransmissions)
 * arrive at the destination at once rather than after a timeout.
 *
 * @example
 *   const result = await announceAddress(pid, '10.213.0.70', 3_000); // 'gratuitous ARP for 10.213.0.70 on eth0'
 */
import { FerryError } from '../../core/errors.ts';
import { run } from './run.ts';

/** The interface that holds `ip`, from `ip -j -4 addr show` output; undefined when none does. */
export function interfaceOf(ipJson: string, ip: string): string | undefined {
  let links: Array<{ ifname?: string; addr_info?: Array<{ family?: string; local?: string }> }>;
  try {
    links = JSON.parse(ipJson) as typeof links;
  } catch {
    return undefined;
  }
  if (!Array.isArray(links)) return undefined;
  return links.find((l) => (l.addr_info ?? []).some((a) => a.family === 'inet' && a.local === ip))?.ifname;
}

/** Sends gratuitous ARP for `ip` from the network namespace of process `pid`; returns what it did. */
export async function announceAddress(pid: number, ip: string, timeoutMs: number): Promise<string> {
  const ns = `--net=/proc/${pid}/ns/net`;
  const addrs = await run('nsenter', [ns, 'ip', '-j', '-4', 'addr', 'show'], { timeoutMs });
  const dev = addrs.code === 0 ? interfaceOf(addrs.stdout, ip) : undefined;
  if (!dev) throw new FerryError('FERRY_ERR_ADDRESS', `the restored container (pid ${pid}) has no interface with address ${ip}: ${addrs.failure ?? (addrs.stderr.trim() || 'not found')}`);
  // Two probes, 1 s apart (arping's interval): the second covers a switch that missed the first.
  const r = await run('nsenter', [ns, 'arping', '-U', '-c', '2', '-I', dev, ip], { timeoutMs });
  if (r.code !== 0 || r.failure) throw new FerryError('FERRY_ERR_ADDRESS', `gratuitous ARP for ${ip} on ${dev} failed: ${r.failure ?? (r.stderr.trim() || `arping exited ${r.code}`)}; install iputils-arping`);
  return `gratuitous ARP for ${ip} on ${dev}`;
}
