/**
 * Links a stranger cannot use (issue 18), on a real two-host test bed whose agents speak only
 * mutual TLS 1.3: a migration with the CLI's operator certificate works; then the source agent
 * is asked to migrate by plain HTTP, by a certificate of another CA, by an expired and by a
 * revoked one, and by an agent (wrong role); the destination is asked to prepare a migration by
 * an operator; and the data-link ticket of the finished migration is replayed with an agent's
 * certificate. Each is refused with a FerryError that names the reason, and nothing changes:
 * the container runs on where it was, with the same process, and neither agent records a new
 * migration.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { X509Certificate } from 'node:crypto';
import { parseConfig } from '../../src/core/config.ts';
import { DockerEngine } from '../../src/adapters/docker/engine.ts';
import { ControlClient, type Credentials } from '../../src/adapters/http-api/client.ts';
import { connectDataLink } from '../../src/adapters/data-link/data-link.ts';
import { initCa, issueCert, revokeCert } from '../../src/adapters/pki/cluster-pki.ts';
import { loadTlsIdentity, type TlsIdentity } from '../../src/adapters/pki/tls-identity.ts';
import { certSubject } from '../../src/domain/pki/cert-subject.ts';
import { RecordStore } from '../../src/services/migration/record-store.ts';
import { migrate } from '../../src/apps/cli/migrate-client.ts';
import { bedCredentials, clusterFile, testbedDown, testbedUp, type Cluster } from '../../src/tools/testbed/index.ts';
import { COUNTER_IMAGE, ensureCounterImage } from '../../src/tools/workloads/counter-image.ts';
import { waitForBeats } from '../../src/tools/demo/demo.ts';
import { keepLogsOnFailure } from '../support/kept-logs.ts';
import { refusalOf } from '../support/errors.ts';

const stateDir = path.join(tmpdir(), `ferry-it-tls-${process.pid}`);
const config = parseConfig({ testbed: { stateDir, subnet: '10.241.0', hosts: 2, bandwidthMbit: 1000 } });
const logs = keepLogsOnFailure(import.meta.filename, config);
const LONG = { timeout: 240_000 };

let cluster: Cluster;
let bed: Credentials;
let otherCa = '';
const engines: Record<string, DockerEngine> = {};

const host = (name: string) => cluster.hosts.find((h) => h.name === name) ?? assert.fail(`no host ${name}`);
const pki = (): string => cluster.pki?.dir ?? assert.fail('the test bed has a PKI');
const asOperator = (name: string, dir = pki()): TlsIdentity => loadTlsIdentity(dir, { role: 'operator', name });

/** Another CA's operator that still trusts this cluster's CA, so the refusal is the agent's, not the client's. */
function strangerTrustingUs(): TlsIdentity {
  const stranger = asOperator('testbed', otherCa);
  const ours = asOperator('testbed');
  return { ...stranger, clientOptions: () => ({ ...stranger.clientOptions(), ca: ours.clientOptions().ca }) };
}

/** Starts a counter on `on` and returns its process start time. */
async function startCounter(on: string, name: string): Promise<string> {
  const e = engines[on] as DockerEngine;
  await e.removeContainer(name);
  const id = await e.createContainer(name, { Image: COUNTER_IMAGE, Env: ['BALLAST_MIB=8'], HostConfig: { Memory: 256 * 1024 * 1024 } });
  await e.startContainer(id);
  await waitForBeats(e, name, 4);
  return (await e.inspectContainer(name)).State.StartedAt;
}

/** A request to migrate `container` from h1 to h2, as the CLI sends it. */
function migrateRequest(container: string): unknown {
  const h2 = host('h2');
  return { container, strategy: 'stop-copy', destination: { name: 'h2', controlUrl: h2.controlUrl, dataHost: h2.ip } };
}

/** What must not change: the migrations each agent recorded, and the container's process. */
async function snapshot(container: string, on: string): Promise<string> {
  const records = ['h1', 'h2'].map((h) => {
    const store = new RecordStore(path.join(host(h).dataRoot, '..', 'agent', 'agent.db'));
    try {
      return `${h}: ${store.list('source').length} out, ${store.list('destination').length} in`;
    } finally {
      store.close();
    }
  });
  const c = await (engines[on] as DockerEngine).inspectContainer(container);
  return `${records.join('; ')}; ${container} on ${on}: running=${c.State.Running} paused=${c.State.Paused} started=${c.State.StartedAt}`;
}

before(async () => {
  cluster = await logs.watch(testbedUp({ config, log: () => undefined }));
  for (const h of cluster.hosts) engines[h.name] = new DockerEngine(h.dockerSocket);
  await ensureCounterImage(engines['h1'] as DockerEngine);
  await ensureCounterImage(engines['h2'] as DockerEngine);
  bed = await bedCredentials(cluster);
  otherCa = await mkdtemp(path.join(tmpdir(), 'ferry-it-tls-other-ca-'));
  await initCa(otherCa);
  await issueCert(otherCa, certSubject('operator', 'testbed'));
  await issueCert(pki(), certSubject('operator', 'expired'), { days: -1 });
  await issueCert(pki(), certSubject('operator', 'leaver'));
}, LONG);

after(async () => {
  await logs.keep();
  await testbedDown({ config, log: () => undefined });
  if (otherCa) await rm(otherCa, { recursive: true, force: true });
});

void describe('mutual TLS between the CLI, the agents and the data link (integration, needs root)', () => {
  let movedId = '';

  it('every link of the test bed is TLS, and a migration with the operator\'s certificate works', LONG, async () => {
    assert.ok(cluster.hosts.every((h) => h.controlUrl.startsWith('https://')), 'the agents answer on https://');
    await startCounter('h1', 'moved');
    const report = await migrate('moved', { from: 'h1', to: 'h2', strategy: 'stop-copy', cluster: clusterFile(stateDir) });
    assert.equal(report.outcome, 'migrated', JSON.stringify(report.error));
    movedId = report.migrationId;
    assert.equal((await (engines['h2'] as DockerEngine).inspectContainer('moved')).State.Running, true);
  });

  it('the source agent refuses plain HTTP, another CA, an expired and a revoked certificate, and an agent, changing nothing', LONG, async () => {
    await startCounter('h1', 'stays');
    const before = await snapshot('stays', 'h1');
    const h1 = host('h1');
    const plainUrl = h1.controlUrl.replace('https://', 'http://');
    const leaver = asOperator('leaver');
    assert.deepEqual(await new ControlClient(h1.controlUrl, { token: bed.token, tls: leaver }).call('GET', '/v1/health').then(() => 'ok'), 'ok', 'the leaver gets in before it is revoked');
    await revokeCert(pki(), new X509Certificate(leaver.clientOptions().cert as Buffer).serialNumber, 'left the team');

    const cases: Array<[string, ControlClient, string, RegExp]> = [
      ['plain HTTP', new ControlClient(plainUrl, { token: bed.token }), 'FERRY_ERR_AUTH', /speaks only HTTPS .*call https:\/\//],
      ['another CA', new ControlClient(h1.controlUrl, { token: bed.token, tls: strangerTrustingUs() }), 'FERRY_ERR_AUTH', /TLS peer refused: the client certificate was not issued by this cluster's CA/],
      ['expired', new ControlClient(h1.controlUrl, { token: bed.token, tls: asOperator('expired') }), 'FERRY_ERR_AUTH', /has expired/],
      ['revoked', new ControlClient(h1.controlUrl, { token: bed.token, tls: asOperator('leaver') }), 'FERRY_ERR_AUTH', /is revoked/],
      ['an agent', new ControlClient(h1.controlUrl, { token: bed.token, tls: loadTlsIdentity(pki(), { role: 'agent', name: 'h2' }) }), 'FERRY_ERR_FORBIDDEN', /ferry:\/\/agent\/h2 may not call POST \/v1\/migrations/],
    ];
    const seen: string[] = [];
    for (const [what, client, code, reason] of cases) {
      const err = await refusalOf(client.call('POST', '/v1/migrations', migrateRequest('stays')));
      assert.equal(err.code, code, `${what}: ${err.message}`);
      assert.match(err.message, reason, what);
      seen.push(`${what}: ${err.code} (${err.message.slice(0, 90)})`);
    }
    console.log(`# refused: ${seen.join('; ')}`);
    assert.equal(await snapshot('stays', 'h1'), before, 'no migration recorded, the container runs on untouched');
  });

  it('the destination refuses an operator on its migration routes, and a replayed data-link ticket, changing nothing', LONG, async () => {
    const before = await snapshot('moved', 'h2');
    const h2 = host('h2');
    const operator = await refusalOf(new ControlClient(h2.controlUrl, bed).call('POST', '/v1/incoming/preflight', {}));
    assert.equal(operator.code, 'FERRY_ERR_FORBIDDEN');
    assert.match(operator.message, /ferry:\/\/operator\/testbed may not call POST \/v1\/incoming\/preflight \(it admits agent\)/);

    const store = new RecordStore(path.join(h2.dataRoot, '..', 'agent', 'agent.db'));
    const ticket = (store.get<{ ticket: string }>(movedId, 'destination')?.data.ticket) ?? assert.fail('h2 recorded the migration and its ticket');
    store.close();
    const replay = await refusalOf(connectDataLink({ host: h2.ip, port: h2.dataPort, migrationId: movedId, ticket, tls: loadTlsIdentity(pki(), { role: 'agent', name: 'h1' }) })
      .then(async (link) => {
        await link.sendStream('checkpoint', (async function* () { yield await Promise.resolve(Buffer.alloc(4096)); })());
        return link.finish();
      }));
    assert.equal(replay.code, 'FERRY_ERR_AUTH');
    assert.match(replay.message, new RegExp(`no migration ${movedId} open for data with that ticket`));
    const plain = await refusalOf(connectDataLink({ host: h2.ip, port: h2.dataPort, migrationId: movedId, ticket }));
    assert.equal(plain.code, 'FERRY_ERR_AUTH');
    assert.match(plain.message, /speaks only TLS 1\.3 with an agent's certificate/);
    console.log(`# replayed ticket: ${replay.message}; plain TCP: ${plain.message}`);
    assert.equal(await snapshot('moved', 'h2'), before, 'the moved container and both agents\' records are as they were');
  });
});
