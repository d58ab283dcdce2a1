/**
 * @module apps/cli/cluster — the CLI's view of a cluster: host names resolved through the test
 * bed's cluster.json (or a file named by --cluster / FERRY_CLUSTER), and the cluster token.
 */
import { readFileSync } from 'node:fs';
import { FerryError } from '../../core/errors.ts';
import { ControlClient } from '../../adapters/http-api/client.ts';
import { loadConfig } from '../../core/config.ts';
import { clusterFile, findHost, parseCluster, type Cluster, type ClusterHost } from './cluster-file.ts';

export type { Cluster, ClusterHost };

/** The cluster file: FERRY_CLUSTER, else the test bed's. */
export function defaultClusterFile(): string {
  return process.env['FERRY_CLUSTER'] ?? clusterFile(loadConfig().testbed.stateDir);
}

/** Reads and validates a cluster file; a missing one says how to make it. */
export function readCluster(file = defaultClusterFile()): Cluster {
  let raw: string;
  try {
    raw = readFileSync(file, 'utf8');
  } catch (err) {
    throw new FerryError('FERRY_ERR_UNKNOWN_HOST', `no cluster file at ${file} (${(err as NodeJS.ErrnoException).code ?? 'unreadable'}); start a test bed with \`ferry testbed up\` or pass --cluster FILE`);
  }
  return parseCluster(JSON.parse(raw), file);
}

/** Finds a host by name (FERRY_ERR_UNKNOWN_HOST names the hosts there are). */
export const clusterHost = findHost;

/** The token: FERRY_TOKEN wins over the cluster's token file. */
export function clusterToken(cluster: Cluster): string | undefined {
  const env = process.env['FERRY_TOKEN']?.trim();
  if (env) return env;
  try {
    return readFileSync(cluster.tokenFile, 'utf8').trim();
  } catch {
    return undefined;
  }
}

/** A control client of a host of the cluster. */
export function agentClient(cluster: Cluster, name: string, timeoutMs = 60_000): ControlClient {
  return new ControlClient(findHost(cluster, name).controlUrl, clusterToken(cluster), timeoutMs);
}
