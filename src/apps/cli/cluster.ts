/**
 * @module apps/cli/cluster — the CLI's view of a cluster: host names resolved through the test
 * bed's cluster.json (or a file named by --cluster / FERRY_CLUSTER), the cluster token, and the
 * operator's certificate (FERRY_TLS_DIR and FERRY_TLS_NAME, else the cluster file's PKI).
 */
import { readFileSync } from 'node:fs';
import { FerryError } from '../../core/errors.ts';
import { ControlClient, type Credentials } from '../../adapters/http-api/client.ts';
import { loadOperatorIdentity, type TlsIdentity } from '../../adapters/pki/tls-identity.ts';
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

/** The operator's certificate: config tls.dir/tls.name (FERRY_TLS_DIR, FERRY_TLS_NAME) win over the cluster file's; undefined without either. */
export function operatorTls(cluster: Cluster | undefined): TlsIdentity | undefined {
  const { tls } = loadConfig();
  const dir = tls.dir || cluster?.pki?.dir;
  if (!dir) return undefined;
  return loadOperatorIdentity(dir, tls.name || (tls.dir ? '' : cluster?.pki?.operator ?? ''));
}

/** How the CLI proves itself to the cluster's agents. */
export function clusterCredentials(cluster: Cluster): Credentials {
  return { token: clusterToken(cluster), tls: operatorTls(cluster) };
}

/** A control client of a host of the cluster. */
export function agentClient(cluster: Cluster, name: string, timeoutMs = 60_000): ControlClient {
  return new ControlClient(findHost(cluster, name).controlUrl, clusterCredentials(cluster), timeoutMs);
}
