/**
 * @module test/support/ceph — a test's own Ceph cluster (monitor, manager, OSDs, radosgw),
 * started and purged through `bin/ferry storage`, on an address and port of the test's own
 * so that it never meets a developer's cluster or another test's.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';

const exec = promisify(execFile);
const FERRY = path.resolve(import.meta.dirname, '../../bin/ferry');

/** Where a test's cluster lives and listens. */
export interface TestCeph {
  env: NodeJS.ProcessEnv;
  address: string;
  endpoint: string;
  credentialsFile: string;
}

/** The environment of a test cluster: its state dir, address and port. */
export function cephEnv(name: string, address: string, port: number): NodeJS.ProcessEnv {
  return { ...process.env, FERRY_STORAGE_STATE_DIR: `/var/lib/ferry/ceph-${name}`, FERRY_STORAGE_ADDRESS: address, FERRY_STORAGE_RGW_PORT: String(port) };
}

/** Starts (or finds running) a test cluster; returns its endpoint and credentials file. */
export async function cephUp(name: string, address: string, port: number): Promise<TestCeph> {
  const env = cephEnv(name, address, port);
  const { stdout } = await exec(FERRY, ['storage', 'up', '--json'], { env, timeout: 240_000, maxBuffer: 16 << 20 });
  const out = JSON.parse(stdout) as { endpoint: string; credentialsFile: string };
  return { env, address, endpoint: out.endpoint, credentialsFile: out.credentialsFile };
}

/** Stops a test cluster and deletes its data. */
export async function cephPurge(name: string, address: string, port: number): Promise<void> {
  await exec(FERRY, ['storage', 'down', '--purge'], { env: cephEnv(name, address, port), timeout: 120_000 });
}

/** Stops a test cluster, keeping its data. */
export async function cephStop(name: string, address: string, port: number): Promise<void> {
  await exec(FERRY, ['storage', 'down'], { env: cephEnv(name, address, port), timeout: 120_000 });
}
