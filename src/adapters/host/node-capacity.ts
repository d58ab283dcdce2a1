/** @module adapters/host/node-capacity — what a node offers when its agent is not told: all CPUs, all memory, a 1 Gbit/s link. */
import { readFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';

/** What a node offers: CPU in millicores, memory in MiB, network in Mbit/s. */
export interface NodeCapacity {
  cpuMillis: number;
  memoryMiB: number;
  networkMbps: number;
}

/** The link rate a node is assumed to have when none is given, in Mbit/s. */
export const DEFAULT_NETWORK_MBPS = 1000;

/** MemTotal of a /proc/meminfo text, in MiB. */
export function memTotalMiB(meminfo: string): number {
  return Math.floor(Number(/^MemTotal:\s+(\d+)\s*kB/m.exec(meminfo)?.[1] ?? 0) / 1024);
}

/** The capacity given, with each missing (or 0) part defaulted: 1000 × CPUs, MemTotal, {@link DEFAULT_NETWORK_MBPS}. */
export async function nodeCapacity(given: Partial<NodeCapacity> = {}): Promise<NodeCapacity> {
  return {
    cpuMillis: given.cpuMillis || 1000 * availableParallelism(),
    memoryMiB: given.memoryMiB || memTotalMiB(await readFile('/proc/meminfo', 'utf8')),
    networkMbps: given.networkMbps || DEFAULT_NETWORK_MBPS,
  };
}
