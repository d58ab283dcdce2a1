/**
 * @module services/migration/cluster-address — the destination's side of a kept address: before
 * anything moves, its cluster network must exist and the address be free there; after the
 * restore, the new location is announced (the checkpointer's announce: adapters/host/announce.ts) so clients' packets come here.
 */
import type { Config } from '../../core/config.ts';
import { FerryError, asFerryError } from '../../core/errors.ts';
import type { Engine } from '../../adapters/docker/engine-port.ts';
import type { Checkpointer } from '../../adapters/host/checkpointer-port.ts';

/** A container's address on the cluster network, as the source sends it. */
export interface KeptAddress {
  network: string;
  ip: string;
  mac: string;
}

/** Refuses (FERRY_ERR_ADDRESS) when this host lacks the cluster network or already uses the address or MAC on it. */
export async function checkAddressFree(engine: Engine, config: Config, address: KeptAddress): Promise<void> {
  if (address.network !== config.network.cluster) {
    throw new FerryError('FERRY_ERR_ADDRESS', `the container is on network "${address.network}", but this host's cluster network is "${config.network.cluster}" (network.cluster); both hosts must name the same one`);
  }
  const net = await engine.findNetwork(address.network);
  if (!net) throw new FerryError('FERRY_ERR_ADDRESS', `this host has no network "${address.network}"; create the cluster network here (same driver and subnet as on the source, e.g. \`ferry testbed up\` does) before moving containers to it`);
  for (const c of Object.values(net.Containers ?? {})) {
    if (c.IPv4Address.split('/')[0] === address.ip) throw new FerryError('FERRY_ERR_ADDRESS', `address ${address.ip} is already used on this host by container ${c.Name}; two containers cannot share it`);
    if (c.MacAddress.toLowerCase() === address.mac) throw new FerryError('FERRY_ERR_ADDRESS', `MAC ${address.mac} is already used on this host by container ${c.Name}`);
  }
}

/** The kept IPv4 address in a create body (NetworkingConfig of container-spec.ts), if any. */
export function keptIp(createBody: Record<string, unknown>): string | undefined {
  const endpoints = (createBody['NetworkingConfig'] as { EndpointsConfig?: Record<string, { IPAMConfig?: { IPv4Address?: string } }> } | undefined)?.EndpointsConfig;
  return Object.values(endpoints ?? {})[0]?.IPAMConfig?.IPv4Address;
}

/** Announces a restored container's address (never fails: a failed announce only slows clients down); says what happened. */
export async function announceMoved(checkpointer: Pick<Checkpointer, 'announce'>, pid: number, ip: string, config: Config): Promise<string> {
  if (!config.network.announce) return 'not announced (network.announce is off)';
  try {
    return await checkpointer.announce(pid, ip);
  } catch (err) {
    return `not announced: ${asFerryError(err).message}`;
  }
}
