/** Tests of tools/testbed/pki: one CA per `up`, a certificate per host, replaced on the next `up`. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { listCerts } from '../../adapters/pki/cluster-pki.ts';
import { roleUri } from '../../domain/pki/cert-subject.ts';
import { createTestbedPki } from './pki.ts';
import type { HostPlan } from './plan.ts';

test('up makes a CA and the controller, agent and operator certificates, again on the next up', async (t) => {
  const stateDir = await mkdtemp(path.join(tmpdir(), 'ferry-bed-pki-'));
  t.after(() => rm(stateDir, { recursive: true, force: true }));
  const hosts = [{ name: 'h1', ip: '10.238.0.11' }, { name: 'h2', ip: '10.238.0.12' }] as HostPlan[];
  const plan = { stateDir, bridgeCidr: '10.238.0.1/24', hosts };
  const dir = await createTestbedPki(plan);
  const first = await listCerts(dir);
  assert.deepEqual(first.map((c) => [roleUri(c.peer!), c.subjectAltName]), [
    ['ferry://agent/h1', 'URI:ferry://agent/h1, IP Address:10.238.0.11'],
    ['ferry://agent/h2', 'URI:ferry://agent/h2, IP Address:10.238.0.12'],
    ['ferry://controller', 'URI:ferry://controller, IP Address:127.0.0.1, IP Address:10.238.0.1, DNS:localhost'],
    ['ferry://operator/testbed', 'URI:ferry://operator/testbed'],
  ]);
  await createTestbedPki(plan);
  const second = await listCerts(dir);
  assert.equal(second.length, 4);
  assert.ok(second.every((c, i) => c.serial !== first[i]!.serial && !c.revoked));
});
