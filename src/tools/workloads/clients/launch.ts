/**
 * @module tools/workloads/clients/launch — the command line that runs one of the clients with the
 * project's Node, inside a network namespace (a test bed's client host) when one is named.
 *
 * @example
 *   const [cmd, ...args] = clientArgv('redis-writer', { netns: 'ferry-0ae800-c', host: '10.9.0.5', log: '/tmp/w.log' });
 *   const child = spawn(cmd, args, { stdio: 'ignore' }); // later: child.kill('SIGTERM'), then parseRedisLog
 */
import path from 'node:path';
import { repoRoot } from '../../../core/paths.ts';

/** The client programs. */
export type ClientName = 'redis-writer' | 'http-load' | 'dns-asker';

/** The project's Node 24 (the clients are TypeScript run by type stripping). */
export const PROJECT_NODE = path.join(repoRoot(), 'node_modules', 'node', 'bin', 'node');

/** Where a client's program is. */
export function clientScript(name: ClientName): string {
  return path.join(import.meta.dirname, `${name}.ts`);
}

/** How to run a client. */
export interface ClientLaunch {
  /** A namespace under /run/netns to run in (through nsenter, which keeps /sys as it is); none: this one. */
  netns?: string;
  host: string;
  /** Default: the service's port in the services image. */
  port?: number;
  log: string;
  /** 0 or absent: until SIGTERM. */
  durationMs?: number;
  /** The client's own options, as `--name value` pairs without the dashes (e.g. { 'pause-ms': 0 }). */
  options?: Readonly<Record<string, string | number>>;
}

/** The argv (command first) that runs client `name` as `launch` says. */
export function clientArgv(name: ClientName, launch: ClientLaunch): string[] {
  const argv = [PROJECT_NODE, '--disable-warning=ExperimentalWarning', clientScript(name), '--host', launch.host, '--log', launch.log];
  if (launch.port !== undefined) argv.push('--port', String(launch.port));
  if (launch.durationMs) argv.push('--duration-ms', String(launch.durationMs));
  for (const [k, v] of Object.entries(launch.options ?? {})) argv.push(`--${k}`, String(v));
  return launch.netns ? ['nsenter', `--net=/run/netns/${launch.netns}`, '--', ...argv] : argv;
}
