/**
 * @module adapters/host/departed-addresses — cluster-network addresses that left this host with a
 * migrated container and live elsewhere now. Docker's IPAM on this host forgets an address
 * when its container is removed, and would hand it to the next container it starts; ferry
 * gives containers it deploys an address of its own choosing instead (pickAddress), never
 * one of these. An address comes off the list when a container brings it back. Kept in a
 * small JSON file of the agent's state directory, written whole and renamed.
 */
import { readFile, rename, writeFile } from 'node:fs/promises';
import { FerryError } from '../../core/errors.ts';

/** The departed addresses of one host. */
export class DepartedAddresses {
  private readonly file: string;
  private chain: Promise<unknown> = Promise.resolve();

  constructor(file: string) {
    this.file = file;
  }

  /** The addresses now elsewhere. */
  async list(): Promise<Set<string>> {
    const text = await readFile(this.file, 'utf8').catch(() => '[]');
    try {
      const parsed: unknown = JSON.parse(text);
      return new Set(Array.isArray(parsed) ? parsed.filter((a): a is string => typeof a === 'string') : []);
    } catch {
      throw new FerryError('FERRY_ERR_CONFIG', `${this.file} is not a JSON list of addresses; remove it only when no container that left this host still runs elsewhere`);
    }
  }

  /** Notes that `ip` left with a container. */
  add(ip: string): Promise<void> {
    return this.change((s) => s.add(ip));
  }

  /** Notes that `ip` came back with a container. */
  remove(ip: string): Promise<void> {
    return this.change((s) => s.delete(ip));
  }

  private change(edit: (s: Set<string>) => unknown): Promise<void> {
    const next = this.chain.then(async () => {
      const s = await this.list();
      edit(s);
      const tmp = `${this.file}.tmp`;
      await writeFile(tmp, `${JSON.stringify([...s].sort(), null, 1)}\n`, { mode: 0o600 });
      await rename(tmp, this.file);
    });
    this.chain = next.catch(() => undefined);
    return next;
  }
}

/** An IPv4 CIDR block as its first address (a 32-bit number) and its size. */
function block(cidr: string): { start: number; size: number } {
  const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)\/(\d+)$/.exec(cidr);
  if (!m) throw new FerryError('FERRY_ERR_CONFIG', `"${cidr}" is not an IPv4 block like 10.213.128.16/28`);
  const bits = Number(m[5]);
  if (bits < 16 || bits > 32) throw new FerryError('FERRY_ERR_CONFIG', `block ${cidr}: ferry hands out addresses from /16 to /32 blocks`);
  const base = ((Number(m[1]) << 24) >>> 0) + (Number(m[2]) << 16) + (Number(m[3]) << 8) + Number(m[4]);
  const size = 2 ** (32 - bits);
  return { start: base - (base % size), size };
}

const dotted = (i: number): string => [i >>> 24, (i >>> 16) & 255, (i >>> 8) & 255, i & 255].join('.');

/**
 * The lowest address of `range` (a host's slice) that is not the `subnet`'s network or
 * broadcast address and not in `taken`; undefined when there is none.
 */
export function pickAddress(range: string, subnet: string, taken: ReadonlySet<string>): string | undefined {
  const r = block(range);
  const s = block(subnet);
  for (let i = r.start; i < r.start + r.size; i++) {
    if (i === s.start || i === s.start + s.size - 1) continue;
    if (!taken.has(dotted(i))) return dotted(i);
  }
  return undefined;
}
