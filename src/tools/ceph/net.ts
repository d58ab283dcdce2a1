/**
 * @module tools/ceph/net — the cluster's /32 on the ferrystore0 interface of the root
 * namespace. Several clusters (a developer's and a test's) may share the interface, each
 * with its own address; the interface goes when its last address does.
 */
import { FerryError } from '../../core/errors.ts';
import { run, runOrThrow } from '../../adapters/host/run.ts';
import { INTERFACE } from './plan.ts';

interface IpAddrEntry {
  ifname: string;
  addr_info?: Array<{ family: string; local: string; prefixlen: number }>;
}

/** The IPv4 addresses of each interface, from `ip -j addr show` output. */
export function parseIpv4(json: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const e of JSON.parse(json || '[]') as IpAddrEntry[]) {
    out.set(e.ifname, (e.addr_info ?? []).filter((a) => a.family === 'inet').map((a) => a.local));
  }
  return out;
}

async function addresses(): Promise<Map<string, string[]>> {
  const r = await runOrThrow('FERRY_ERR_PREREQUISITE', 'ip', ['-j', 'addr', 'show'], 'check that iproute2 is installed (`ferry doctor --fix`)');
  return parseIpv4(r.stdout);
}

/**
 * Puts `address`/32 on ferrystore0, creating the interface when missing: a dummy, or, on a
 * kernel without the dummy driver, a bridge without ports (it holds an address the same way).
 * Returns what it did (empty when the address was already local).
 */
export async function ensureAddress(address: string): Promise<string[]> {
  const done: string[] = [];
  let all = await addresses();
  const owner = [...all].find(([, addrs]) => addrs.includes(address))?.[0];
  if (owner !== undefined && owner !== INTERFACE) return done;
  if (!all.has(INTERFACE)) {
    const dummy = await run('ip', ['link', 'add', INTERFACE, 'type', 'dummy']);
    if (dummy.code !== 0) {
      await runOrThrow('FERRY_ERR_PREREQUISITE', 'ip', ['link', 'add', INTERFACE, 'type', 'bridge'],
        `cannot create ${INTERFACE} as a dummy (${dummy.stderr.trim()}) nor as a bridge; run as root on a kernel with the dummy or bridge driver`);
      done.push(`interface ${INTERFACE} (bridge without ports: no dummy driver)`);
    } else {
      done.push(`interface ${INTERFACE} (dummy)`);
    }
    all = await addresses();
  }
  await runOrThrow('FERRY_ERR_PREREQUISITE', 'ip', ['link', 'set', INTERFACE, 'up'], `cannot bring ${INTERFACE} up; run as root`);
  if (!(all.get(INTERFACE) ?? []).includes(address)) {
    await runOrThrow('FERRY_ERR_PREREQUISITE', 'ip', ['addr', 'add', `${address}/32`, 'dev', INTERFACE], `cannot add ${address}/32 to ${INTERFACE}; run as root`);
    done.push(`address ${address}/32 on ${INTERFACE}`);
  }
  return done;
}

/** True when `address` is assigned to some interface of this namespace. */
export async function addressIsLocal(address: string): Promise<boolean> {
  return [...(await addresses()).values()].some((a) => a.includes(address));
}

/** Removes `address` from ferrystore0, and the interface once it holds no IPv4 address; returns what it removed. */
export async function removeAddress(address: string): Promise<string[]> {
  const done: string[] = [];
  const mine = (await addresses()).get(INTERFACE);
  if (mine === undefined) return done;
  if (mine.includes(address)) {
    await runOrThrow('FERRY_ERR_PREREQUISITE', 'ip', ['addr', 'del', `${address}/32`, 'dev', INTERFACE], `cannot remove ${address}/32 from ${INTERFACE}; run as root`);
    done.push(`address ${address}/32 on ${INTERFACE}`);
  }
  if (mine.every((a) => a === address)) {
    const r = await run('ip', ['link', 'del', INTERFACE]);
    if (r.code !== 0) throw new FerryError('FERRY_ERR_PREREQUISITE', `cannot delete ${INTERFACE}: ${r.stderr.trim()}; run as root`);
    done.push(`interface ${INTERFACE}`);
  }
  return done;
}
