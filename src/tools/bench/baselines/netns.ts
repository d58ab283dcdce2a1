/**
 * @module tools/bench/baselines/netns — running programs inside a test-bed host's network namespace
 * (nsenter, like dockerd), and the counters and sockets the baselines read there.
 */
import { FerryError } from '../../../core/errors.ts';
import { runOrThrow } from '../../../adapters/host/run.ts';
import type { CommandLine } from '../../testbed/index.ts';

/** A program run in a network namespace through nsenter (`ip netns exec` would remount /sys). */
export function inNetns(netnsPath: string, file: string, args: readonly string[]): CommandLine {
  return { file: 'nsenter', args: [`--net=${netnsPath}`, file, ...args] };
}

/** The transmitted-bytes counter of one interface from `ip -j -s link show dev X`. */
export function parseTxBytes(json: string): number {
  const parsed: unknown = JSON.parse(json || '[]');
  const bytes = Array.isArray(parsed) ? (parsed[0] as { stats64?: { tx?: { bytes?: unknown } } } | undefined)?.stats64?.tx?.bytes : undefined;
  if (typeof bytes !== 'number' || !Number.isFinite(bytes)) {
    throw new FerryError('FERRY_ERR_TESTBED', '`ip -j -s link show` gave no stats64.tx.bytes for the interface');
  }
  return bytes;
}

/** Bytes sent so far by interface `ifname` of namespace `netns` (the host's side of its test-bed link). */
export async function txBytes(netns: string, ifname: string): Promise<number> {
  const r = await runOrThrow('FERRY_ERR_TESTBED', 'ip', ['-n', netns, '-j', '-s', 'link', 'show', 'dev', ifname],
    'check that the test bed is up (`ferry testbed status`)', { timeoutMs: 10_000 });
  return parseTxBytes(r.stdout);
}

/** Local TCP ports in LISTEN state from `ss -Hltn` (any address). */
export function parseListeningPorts(ss: string): Set<number> {
  const ports = new Set<number>();
  for (const line of ss.split('\n')) {
    const local = line.trim().split(/\s+/)[3];
    const port = Number(local?.slice(local.lastIndexOf(':') + 1));
    if (Number.isInteger(port) && port > 0) ports.add(port);
  }
  return ports;
}

/** TCP ports something listens on inside a namespace. */
export async function listeningPorts(netnsPath: string): Promise<Set<number>> {
  const cmd = inNetns(netnsPath, 'ss', ['-Hltn']);
  const r = await runOrThrow('FERRY_ERR_TESTBED', cmd.file, cmd.args, 'check that the test bed is up (`ferry testbed status`)', { timeoutMs: 10_000 });
  return parseListeningPorts(r.stdout);
}
