/**
 * @module adapters/host/net-stats — byte counters of network interfaces from /proc/<pid>/net/dev
 * (which shows the network namespace of that process), and the choice of a host's uplink
 * among its interfaces. Parsers are pure; the readers only read files.
 */
import { readFile } from 'node:fs/promises';

/** Bytes received and sent by one interface since it was created. */
export interface IfaceBytes {
  rx: number;
  tx: number;
}

/** Parses a /proc/net/dev text into interface name → byte counters. */
export function parseNetDev(text: string): Map<string, IfaceBytes> {
  const out = new Map<string, IfaceBytes>();
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const name = line.slice(0, colon).trim();
    const fields = line.slice(colon + 1).trim().split(/\s+/);
    // receive: bytes packets errs drop fifo frame compressed multicast; transmit: bytes ...
    const rx = Number(fields[0]);
    const tx = Number(fields[8]);
    if (!name || !Number.isFinite(rx) || !Number.isFinite(tx)) continue;
    out.set(name, { rx, tx });
  }
  return out;
}

/** The interfaces of /proc/net/route that carry a default route (destination 0.0.0.0/0). */
export function defaultRouteIfaces(routeText: string): string[] {
  const out = new Set<string>();
  for (const line of routeText.split('\n').slice(1)) {
    const [iface, destination, , , , , , mask] = line.trim().split(/\s+/);
    if (iface && destination === '00000000' && mask === '00000000') out.add(iface);
  }
  return [...out];
}

/** Interfaces Docker makes inside a host: its bridges and the host ends of container veths. */
const DOCKER_MADE = /^(docker\d*|br-[0-9a-f]+|veth[0-9a-f]*)$/;

/**
 * A host's uplink(s): the interfaces carrying its default route; without one (the test bed
 * routes only its own subnet), every interface except loopback and what Docker made. Traffic
 * of containers crosses docker0 and a veth before the uplink, so counting those too would
 * count it twice or three times.
 */
export function uplinks(names: Iterable<string>, routeText: string): string[] {
  const all = [...names];
  const byRoute = defaultRouteIfaces(routeText).filter((n) => all.includes(n));
  if (byRoute.length > 0) return byRoute;
  return all.filter((n) => n !== 'lo' && !DOCKER_MADE.test(n));
}

/** Sums rx+tx over the named interfaces (or every non-loopback one when `only` is absent). */
export function totalBytes(dev: ReadonlyMap<string, IfaceBytes>, only?: readonly string[]): number {
  let sum = 0;
  for (const [name, c] of dev) {
    if (only ? !only.includes(name) : name === 'lo') continue;
    sum += c.rx + c.tx;
  }
  return sum;
}

/** Reads the byte counters of a process's network namespace (`self`: the agent's, i.e. its host's). */
export async function readNetDev(pid: number | 'self'): Promise<Map<string, IfaceBytes>> {
  return parseNetDev(await readFile(`/proc/${pid}/net/dev`, 'utf8'));
}

/** rx+tx bytes of this process's host uplink(s) (see {@link uplinks}). */
export async function readUplinkBytes(): Promise<{ bytes: number; ifaces: string[] }> {
  const dev = await readNetDev('self');
  const route = await readFile('/proc/self/net/route', 'utf8').catch(() => '');
  const ifaces = uplinks(dev.keys(), route);
  return { bytes: totalBytes(dev, ifaces), ifaces };
}
