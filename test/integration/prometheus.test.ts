/**
 * @module test/integration/prometheus.test — a real Prometheus (Debian's `prometheus`) scrapes
 * the agents and the controller of a real 2-host test bed (subnet 10.237.0) over mutual TLS 1.3
 * (`scheme: https`, the cluster CA, a client certificate of its own: the observer `prometheus`)
 * with the cluster's token; after two migrations a PromQL query through its HTTP API counts them,
 * and the node colours are there. An agent's `/metrics` from outside loopback refuses plain HTTP,
 * a peer without a client certificate, the scraper's certificate without the token and another
 * agent's certificate, and the scraper may not call a route that acts; promtool check metrics passes on what each live endpoint serves over TLS.
 * Needs root and the `prometheus` package (`ferry doctor --fix` installs it).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, openSync, closeSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Agent, fetch } from 'undici';
import { parseConfig } from '../../src/core/config.ts';
import { DockerEngine } from '../../src/adapters/docker/engine.ts';
import { testbedDown, testbedUp, readToken, bedCredentials, type Cluster, clusterFile } from '../../src/tools/testbed/index.ts';
import { issueCert, pkiFiles, subjectFiles } from '../../src/adapters/pki/cluster-pki.ts';
import { loadTlsIdentity } from '../../src/adapters/pki/tls-identity.ts';
import { certSubject, type PeerIdentity } from '../../src/domain/pki/cert-subject.ts';
import { migrate } from '../../src/apps/cli/migrate-client.ts';
import { stopControllerProcess } from '../../src/apps/controller/process.ts';
import { COUNTER_IMAGE, ensureCounterImage } from '../../src/tools/workloads/counter-image.ts';
import { waitForBeats } from '../../src/tools/demo/demo.ts';
import { startControllerProcess, type ControllerProcess } from '../support/controller.ts';
import { keepLogsOnFailure } from '../support/kept-logs.ts';

const stateDir = path.join(tmpdir(), `ferry-it-prometheus-${process.pid}`);
const config = parseConfig({ testbed: { stateDir, subnet: '10.237.0', hosts: 2, bandwidthMbit: 1000 } });
const logs = keepLogsOnFailure(import.meta.filename, config);
const LONG = { timeout: 300_000 };
const SCHEDULER_ENV: Record<string, string> = { FERRY_SCHEDULER_SAMPLE_EVERY_MS: '1000', FERRY_SCHEDULER_SAMPLES: '2', FERRY_CONTROLLER_TICK_MS: '1000' };
Object.assign(process.env, SCHEDULER_ENV);
const CONTROLLER_PORT = 7184;
const PROMETHEUS_PORT = 9391;

let cluster: Cluster;
let ctl: ControllerProcess | undefined;
let prometheus: ChildProcess | undefined;
/** Prometheus' own client certificate: an observer's, which may read /metrics and health and nothing else. */
const PROMETHEUS: PeerIdentity = { role: 'observer', name: 'prometheus' };
/** Connections with Prometheus' certificate (to fetch what it scrapes). */
let asScraper: Agent | undefined;

/** The Prometheus configuration: both jobs scraped every second over mutual TLS with the cluster's token. */
function prometheusConfig(tokenFile: string, pkiDir: string, agents: readonly string[]): string {
  const own = subjectFiles(pkiDir, PROMETHEUS);
  const job = (name: string, targets: readonly string[]) => [
    `  - job_name: ${name}`,
    '    scheme: https',
    '    tls_config:',
    `      ca_file: ${pkiFiles(pkiDir).caCert}`,
    `      cert_file: ${own.cert}`,
    `      key_file: ${own.key}`,
    '      min_version: TLS13',
    '    authorization:',
    '      type: Bearer',
    `      credentials_file: ${tokenFile}`,
    '    static_configs:',
    `      - targets: [${targets.map((t) => `'${t}'`).join(', ')}]`,
  ];
  return ['global:', '  scrape_interval: 1s', '  evaluation_interval: 1s', 'scrape_configs:', ...job('ferry-agents', agents), ...job('ferry-controller', [`127.0.0.1:${CONTROLLER_PORT}`]), ''].join('\n');
}

/** A PromQL instant query through Prometheus' HTTP API: the result vector. */
async function query(promql: string): Promise<Array<{ metric: Record<string, string>; value: [number, string] }>> {
  const res = await fetch(`http://127.0.0.1:${PROMETHEUS_PORT}/api/v1/query?query=${encodeURIComponent(promql)}`);
  const body = await res.json() as { status: string; data?: { result: Array<{ metric: Record<string, string>; value: [number, string] }> } };
  assert.equal(body.status, 'success', JSON.stringify(body));
  return body.data?.result ?? [];
}

/** Polls a query until `check` holds on its result. */
async function until(promql: string, check: (r: Awaited<ReturnType<typeof query>>) => boolean, timeoutMs: number): Promise<Awaited<ReturnType<typeof query>>> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const r = await query(promql).catch(() => []);
    if (check(r)) return r;
    if (Date.now() > end) assert.fail(`${promql} did not hold within ${timeoutMs} ms; last: ${JSON.stringify(r)}`);
    await sleep(500);
  }
}

before(async () => {
  cluster = await logs.watch(testbedUp({ config, log: () => undefined }));
  ctl = await startControllerProcess({ clusterFile: clusterFile(stateDir), stateDir: path.join(stateDir, 'controller'), port: CONTROLLER_PORT, credentials: await bedCredentials(cluster), env: SCHEDULER_ENV, logFile: path.join(stateDir, 'controller.log'), policy: 'spread' });
  assert.ok(cluster.pki, 'the test bed runs over mutual TLS (testbed.tls)');
  await issueCert(cluster.pki.dir, certSubject(PROMETHEUS.role, PROMETHEUS.name));
  asScraper = new Agent({ connect: loadTlsIdentity(cluster.pki.dir, PROMETHEUS).clientOptions() });
  const dir = path.join(stateDir, 'prometheus');
  mkdirSync(path.join(dir, 'data'), { recursive: true });
  writeFileSync(path.join(dir, 'prometheus.yml'), prometheusConfig(cluster.tokenFile, cluster.pki.dir, cluster.hosts.map((h) => `${h.ip}:${h.controlPort}`)));
  const out = openSync(path.join(dir, 'prometheus.log'), 'a');
  prometheus = spawn('prometheus', [`--config.file=${path.join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${path.join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${PROMETHEUS_PORT}`], { stdio: ['ignore', out, out] });
  closeSync(out);
  const end = Date.now() + 30_000;
  while (!(await fetch(`http://127.0.0.1:${PROMETHEUS_PORT}/-/ready`).then((r) => r.ok, () => false))) {
    if (prometheus.exitCode !== null || Date.now() > end) throw new Error(`prometheus did not become ready (exit ${String(prometheus.exitCode)}); see ${path.join(dir, 'prometheus.log')}`);
    await sleep(300);
  }
}, LONG);

after(async () => {
  // Stopped by PID: the Prometheus this file started, and its controller.
  if (prometheus && prometheus.exitCode === null) {
    const gone = new Promise((r) => prometheus?.once('exit', r));
    prometheus.kill('SIGTERM');
    await Promise.race([gone, sleep(10_000).then(() => prometheus?.kill('SIGKILL'))]);
  }
  await asScraper?.close();
  if (ctl) await stopControllerProcess(ctl);
  await logs.keep();
  await testbedDown({ config, log: () => undefined });
}, LONG);

describe('Prometheus scrapes the agents and the controller', () => {
  it('every target is up over TLS with the cluster\'s token; /metrics without a certificate or the token is refused from outside loopback', LONG, async () => {
    const up = await until('up', (r) => r.length === 3 && r.every((s) => s.value[1] === '1'), 30_000);
    assert.deepEqual(up.map((s) => s.metric['job']).sort(), ['ferry-agents', 'ferry-agents', 'ferry-controller']);
    const targets = await (await fetch(`http://127.0.0.1:${PROMETHEUS_PORT}/api/v1/targets`)).json() as { data: { activeTargets: Array<{ scrapeUrl: string; health: string }> } };
    console.log(`# targets: ${targets.data.activeTargets.map((t) => `${t.scrapeUrl} ${t.health}`).join(', ')}`);
    assert.ok(targets.data.activeTargets.every((t) => t.scrapeUrl.startsWith('https://')));
    const pki = cluster.pki?.dir ?? '';
    const h1 = cluster.hosts[0];
    const metrics = `${h1?.ip}:${h1?.controlPort}/metrics`;
    const token = await readToken(cluster.tokenFile);
    const noCert = new Agent({ connect: { ca: [readFileSync(pkiFiles(pki).caCert)], minVersion: 'TLSv1.3' } });
    const asH2 = new Agent({ connect: loadTlsIdentity(pki, { role: 'agent', name: 'h2' }).clientOptions() });
    const seen: string[] = [];
    const refused = async (what: string, url: string, dispatcher: Agent | undefined, authorization: string | undefined, status: number, why: RegExp): Promise<void> => {
      const res = await fetch(url, { ...(dispatcher ? { dispatcher } : {}), headers: authorization ? { authorization } : {} });
      const body = await res.text();
      seen.push(`${what}: ${res.status}`);
      assert.equal(res.status, status, `${what}: ${body}`);
      assert.match(body, why, what);
      assert.doesNotMatch(body, /ferry_migrations_total/, what);
    };
    try {
      await refused('plain http', `http://${metrics}`, undefined, undefined, 401, /https:\/\//);
      await refused('https without a client certificate', `https://${metrics}`, noCert, undefined, 401, /no client certificate/);
      await refused('https without a client certificate, with the token', `https://${metrics}`, noCert, `Bearer ${token}`, 401, /no client certificate/);
      await refused('prometheus\'s certificate without the token', `https://${metrics}`, asScraper, undefined, 401, /token/);
      await refused('agent h2\'s certificate with the token', `https://${metrics}`, asH2, `Bearer ${token}`, 403, /FERRY_ERR_FORBIDDEN/);
      // The observer reads metrics and health, and may not act: least privilege for the scraper.
      await refused('prometheus\'s (observer) certificate on the containers route, with the token', `https://${h1?.ip}:${h1?.controlPort}/v1/containers`, asScraper, `Bearer ${token}`, 403, /ferry:\/\/observer\/prometheus may not call GET \/v1\/containers/);
    } finally {
      await noCert.close();
      await asH2.close();
    }
    console.log(`# ${h1?.name} /metrics from outside loopback: ${seen.join('; ')}`);
  });

  it('a PromQL query counts the migrations the test made, and gives every node its colour', LONG, async () => {
    const engine = new DockerEngine(cluster.hosts[0]?.dockerSocket ?? '');
    await ensureCounterImage(engine);
    const id = await engine.createContainer('counted', { Image: COUNTER_IMAGE, Env: ['BALLAST_MIB=8'] });
    await engine.startContainer(id);
    await waitForBeats(engine, 'counted', 5);
    for (const [from, to] of [['h1', 'h2'], ['h2', 'h1']] as const) {
      const report = await migrate('counted', { strategy: 'precopy', cluster: clusterFile(stateDir), from, to });
      assert.equal(report.outcome, 'migrated', JSON.stringify(report.error));
    }
    const migrations = await until('sum(ferry_migrations_total{outcome="migrated"})', (r) => r[0]?.value[1] === '2', 30_000);
    console.log(`# sum(ferry_migrations_total{outcome="migrated"}) = ${migrations[0]?.value[1]}`);
    const bySource = await query('sum by (instance) (ferry_migrations_total)');
    assert.equal(bySource.length, 2, 'each agent counted the migration it was the source of');
    const colours = await until('ferry_node_colour == 1', (r) => new Set(r.map((s) => s.metric['node'])).size === 2, 60_000);
    console.log(`# node colours: ${colours.map((s) => `${s.metric['node']}=${s.metric['colour']}`).join(', ')}`);
    for (const s of colours) assert.match(s.metric['colour'] ?? '', /^(blue|green|red)$/);
    const frozen = await query('sum(ferry_migration_frozen_seconds_count)');
    assert.equal(frozen[0]?.value[1], '2');
    await new DockerEngine(cluster.hosts[0]?.dockerSocket ?? '').removeContainer('counted');
  });

  it('promtool check metrics passes on what every live endpoint serves over TLS', LONG, async () => {
    const token = await readToken(cluster.tokenFile);
    const endpoints = [...cluster.hosts.map((h) => `https://${h.ip}:${h.controlPort}/metrics`), `https://127.0.0.1:${CONTROLLER_PORT}/metrics`];
    for (const url of endpoints) {
      const res = await fetch(url, { ...(asScraper ? { dispatcher: asScraper } : {}), headers: { authorization: `Bearer ${token}` } });
      assert.equal(res.status, 200, url);
      const text = await res.text();
      const r = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8', timeout: 30_000 });
      console.log(`# promtool check metrics ${url}: exit ${r.status}, ${text.split('\n').filter((l) => l && !l.startsWith('#')).length} samples`);
      assert.equal(`${r.stdout}${r.stderr}`.trim(), '', `promtool found problems in ${url}`);
      assert.equal(r.status, 0, url);
    }
  });
});
