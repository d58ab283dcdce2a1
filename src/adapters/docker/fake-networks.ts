/**
 * @module adapters/docker/fake-networks — the networks of `FakeEngine`: Docker's three defaults plus
 * those created, each handing out addresses in its IP range the way the engine's IPAM does
 * (a container's address is taken when it starts, and released when it stops).
 */
import { createHash } from 'node:crypto';
import { pickAddress } from '../host/departed-addresses.ts';
import { engineError } from './engine-error.ts';
import type { NetworkInspect } from './types.ts';

/** A container's place on one network while it runs: its address and MAC. */
export interface FakeEndpoint {
  ip: string;
  mac: string;
}

/** One network of the fake engine. */
interface FakeNetwork {
  id: string;
  name: string;
  driver: string;
  ipam: Array<{ Subnet?: string; IPRange?: string; Gateway?: string }>;
  options: Record<string, string>;
  /** Endpoints of running containers, by container id, with the container's name. */
  endpoints: Map<string, FakeEndpoint & { name: string }>;
}

/** Docker's MAC of an address: 02:42 and the four octets in hex. */
export function macOf(ip: string): string {
  return ['02', '42', ...ip.split('.').map((o) => Number(o).toString(16).padStart(2, '0'))].join(':');
}

/** A field of a create body that should be text: itself, or `fallback` when it is not a string. */
export function textOf(v: unknown, fallback = ''): string {
  return typeof v === 'string' ? v : fallback;
}

/** A 64-hex id from a seed, as the engine's ids look. */
export function fakeId(seed: string): string {
  return createHash('sha256').update(seed).digest('hex');
}

/** The networks of one fake engine. */
export class FakeNetworks {
  private readonly byName = new Map<string, FakeNetwork>();

  constructor(bridgeSubnet: string) {
    this.add({ Name: 'bridge', Driver: 'bridge', IPAM: { Config: [{ Subnet: bridgeSubnet, Gateway: bridgeSubnet.replace(/\.0\/\d+$/, '.1') }] } });
    this.add({ Name: 'host', Driver: 'host' });
    this.add({ Name: 'none', Driver: 'null' });
  }

  /** Creates a network from a `POST /networks/create` body; a taken name is refused (as with CheckDuplicate). */
  add(body: Record<string, unknown>): string {
    const name = textOf(body['Name']);
    if (this.byName.has(name)) throw engineError('POST', '/networks/create', { status: 409, body: JSON.stringify({ message: `network with name ${name} already exists` }) });
    const ipam = (body['IPAM'] as { Config?: FakeNetwork['ipam'] } | undefined)?.Config ?? [];
    const id = fakeId(`network ${name} ${this.byName.size}`);
    this.byName.set(name, { id, name, driver: textOf(body['Driver'], 'bridge'), ipam, options: { ...(body['Options'] as Record<string, string> | undefined) }, endpoints: new Map() });
    return id;
  }

  /** True when a container can have an endpoint on the network (not host or none). */
  attachable(name: string): boolean {
    const n = this.byName.get(name);
    return n !== undefined && n.driver !== 'host' && n.driver !== 'null';
  }

  /** True when the network exists. */
  has(name: string): boolean {
    return this.byName.has(name);
  }

  /** Takes an address for a starting container: `wanted`, or the lowest free one of the range. Refuses one in use. */
  connect(network: string, container: { id: string; name: string }, wanted: string | undefined, mac: string | undefined): FakeEndpoint {
    const n = this.byName.get(network);
    const ipam = n?.ipam[0];
    const refuse = (message: string) => engineError('POST', `/containers/${container.id}/start`, { status: 500, body: JSON.stringify({ message }) });
    if (!n || !ipam?.Subnet) throw refuse(`network ${network} not found`);
    const taken = new Set([...n.endpoints.values()].map((e) => e.ip));
    if (ipam.Gateway) taken.add(ipam.Gateway);
    if (wanted !== undefined && taken.has(wanted)) throw refuse(`failed to create endpoint ${container.name} on network ${network}: Address already in use`);
    const ip = wanted ?? pickAddress(ipam.IPRange || ipam.Subnet, ipam.Subnet, taken);
    if (!ip) throw refuse(`no available IPv4 addresses on this network's address pools: ${network}`);
    const endpoint = { ip, mac: mac ?? macOf(ip) };
    n.endpoints.set(container.id, { ...endpoint, name: container.name });
    return endpoint;
  }

  /** Releases a stopping container's address. */
  disconnect(network: string, containerId: string): void {
    this.byName.get(network)?.endpoints.delete(containerId);
  }

  /** The network as `GET /networks/{name}` shows it, or undefined. */
  inspect(nameOrId: string): NetworkInspect | undefined {
    const n = this.byName.get(nameOrId) ?? [...this.byName.values()].find((x) => x.id === nameOrId);
    if (!n) return undefined;
    const bits = (n.ipam[0]?.Subnet ?? '/32').split('/')[1];
    const containers = Object.fromEntries([...n.endpoints].map(([id, e]) => [id, { Name: e.name, MacAddress: e.mac, IPv4Address: `${e.ip}/${bits}` }]));
    return { Id: n.id, Name: n.name, Driver: n.driver, IPAM: { Config: n.ipam.map((c) => ({ ...c })) }, Options: { ...n.options }, Containers: containers };
  }
}
