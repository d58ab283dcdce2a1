/**
 * @module cli/cluster — resolves host names to agents from a cluster file (the test bed
 * writes one: stateDir/cluster.json) and reads the cluster token.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { FerryError } from '../core/errors.ts';
import { ControlClient } from '../control/client.ts';

/** A host as the cluster file lists it. */
export interface ClusterHost {
  name: string;
  ip: string;
  controlUrl: string;
  dataPort: number;
  dockerSocket: string;
}

/** The cluster file. */
export interface ClusterFile {
  tokenFile: string;
  hosts: ClusterHost[];
}

/** Default place of the cluster file (the test bed's). */
export function defaultClusterFile(): string {
  return process.env['FERRY_CLUSTER'] ?? path.join(process.env['FERRY_TESTBED_STATE_DIR'] ?? '/var/lib/ferry/testbed', 'cluster.json');
}

/** Reads the cluster file; a missing one says how to make it. */
export function readCluster(file = defaultClusterFile()): ClusterFile {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as ClusterFile;
  } catch (err) {
    throw new FerryError('FERRY_ERR_UNKNOWN_HOST', `no cluster file at ${file} (${(err as NodeJS.ErrnoException).code ?? 'unreadable'}); start a test bed with \`ferry testbed up\` or pass --cluster FILE`);
  }
}

/** Finds a host by name. */
export function clusterHost(cluster: ClusterFile, name: string): ClusterHost {
  const host = cluster.hosts.find((h) => h.name === name);
  if (!host) throw new FerryError('FERRY_ERR_UNKNOWN_HOST', `no host named "${name}" in the cluster (hosts: ${cluster.hosts.map((h) => h.name).join(', ')})`);
  return host;
}

/** The token: FERRY_TOKEN wins over the cluster's token file. */
export function clusterToken(cluster: ClusterFile): string | undefined {
  const env = process.env['FERRY_TOKEN']?.trim();
  if (env) return env;
  try {
    return readFileSync(cluster.tokenFile, 'utf8').trim();
  } catch {
    return undefined;
  }
}

/** A control client of a host of the cluster. */
export function agentClient(cluster: ClusterFile, name: string, timeoutMs = 60_000): ControlClient {
  return new ControlClient(clusterHost(cluster, name).controlUrl, clusterToken(cluster), timeoutMs);
}
