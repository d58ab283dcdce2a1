/**
 * @module tools/testbed/pki — the test bed's cluster CA and certificates, made fresh by each
 * `up` in `STATE/pki`: the controller (loopback and the bridge address), one agent per host
 * (its name and address), and the operator `testbed` (the CLI's and the tests' certificate).
 */
import path from 'node:path';
import { initCa, issueCert } from '../../adapters/pki/cluster-pki.ts';
import { loadTlsIdentity, type TlsIdentity } from '../../adapters/pki/tls-identity.ts';
import { certSubject } from '../../domain/pki/cert-subject.ts';
import type { TestbedPlan } from './plan.ts';

/** The operator whose certificate the test bed's CLI calls and tests present. */
export const TESTBED_OPERATOR = 'testbed';

/** The test bed operator's identity, for clients of the bed's agents and controller. */
export function testbedOperator(pkiDir: string): TlsIdentity {
  return loadTlsIdentity(pkiDir, { role: 'operator', name: TESTBED_OPERATOR });
}

/** The PKI directory of a test bed. */
export function testbedPkiDir(stateDir: string): string {
  return path.join(stateDir, 'pki');
}

/** Creates a new CA (replacing an earlier bed's) and every certificate of the plan; returns the directory. */
export async function createTestbedPki(plan: Pick<TestbedPlan, 'stateDir' | 'bridgeCidr' | 'hosts'>): Promise<string> {
  const dir = testbedPkiDir(plan.stateDir);
  await initCa(dir, { force: true });
  const subjects = [
    certSubject('controller', undefined, ['127.0.0.1', plan.bridgeCidr.split('/')[0]!], ['localhost']),
    ...plan.hosts.map((h) => certSubject('agent', h.name, [h.ip])),
    certSubject('operator', TESTBED_OPERATOR),
  ];
  for (const s of subjects) await issueCert(dir, s, { replace: true });
  return dir;
}
