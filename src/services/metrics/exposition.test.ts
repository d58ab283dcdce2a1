import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { networkInterfaces, tmpdir } from 'node:os';
import path from 'node:path';
import { newToken } from '../../adapters/http-api/auth.ts';
import { startControlServer, type ControlServer } from '../../adapters/http-api/server.ts';
import { parseConfig } from '../../core/config.ts';
import type { NodePort } from '../../apps/controller/node-port.ts';
import { controllerRoutes } from '../../apps/controller/routes.ts';
import { ControllerService } from '../../apps/controller/service.ts';
import { StateStore } from '../../apps/controller/state-store.ts';
import { isCode } from '../../../test/support/errors.ts';
import { controllerMetrics, type ControllerMetrics } from '../../apps/controller/controller-metrics.ts';

const token = newToken();
const dir = mkdtempSync(path.join(tmpdir(), 'ferry-metrics-'));
const store = new StateStore(path.join(dir, 'c.db'));
let metrics: ControllerMetrics;
let service: ControllerService;

/** The controller's routes on a plain-HTTP server at `host` (with the cluster token unless `withToken` is false; beyond loopback only with `plainBeyondLoopback`). */
function serve(host: string, withToken = true, plainBeyondLoopback = false): Promise<ControlServer> {
  return startControlServer({ host, port: 0, token: withToken ? token : undefined, maxRequestBytes: 65536, routes: controllerRoutes(service, 'test', metrics.registry), plainBeyondLoopback });
}

/** GET /metrics; `auth` is the Authorization header, if any. */
async function scrape(server: ControlServer, host: string, auth?: string): Promise<{ status: number; type: string; body: string }> {
  const res = await fetch(`http://${host}:${server.address.port}/metrics`, { headers: auth ? { authorization: auth } : {} });
  return { status: res.status, type: res.headers.get('content-type') ?? '', body: await res.text() };
}

/** An IPv4 address of this machine that is not loopback, if it has one. */
function outsideAddress(): string | undefined {
  return Object.values(networkInterfaces()).flat().find((a) => a && a.family === 'IPv4' && !a.internal)?.address;
}

before(() => {
  store.upsertNode({ name: 'h1', controlUrl: 'http://h1:7070', dataHost: 'h1', capacity: { cpuMillis: 2000, memoryMiB: 4096, networkMbps: 1000 }, zone: '', rack: '' }, 0);
  const portOf = (): NodePort => { throw new Error('no agent call was expected'); };
  service = new ControllerService({ store, config: parseConfig({}), portOf, now: () => 1000 });
  metrics = controllerMetrics(() => service.nodes());
});
after(() => {
  metrics.close();
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

test('the controller serves /metrics in Prometheus\' text format with the token, from its own node view', async () => {
  const server = await serve('127.0.0.1');
  try {
    const ok = await scrape(server, '127.0.0.1', `Bearer ${token}`);
    assert.equal(ok.status, 200);
    assert.match(ok.type, /^text\/plain; version=0\.0\.4/);
    assert.match(ok.body, /^ferry_node_state\{node="h1",state="awake"\} 1$/m);
    assert.match(ok.body, /^ferry_node_containers\{node="h1"\} 0$/m);
    assert.equal((await scrape(server, '127.0.0.1')).status, 401);
  } finally {
    await server.close();
  }
});

test('without TLS the controller refuses to listen beyond loopback, and plain TCP there needs the token, so /metrics is never open there', async () => {
  await assert.rejects(serve('10.213.0.11', true), isCode('FERRY_ERR_CONFIG', /refusing plain TCP on 10\.213\.0\.11: beyond loopback ferry speaks only TLS/));
  await assert.rejects(serve('10.213.0.11', false, true), isCode('FERRY_ERR_CONFIG', /refusing to listen on 10\.213\.0\.11 in plain TCP without a cluster token/));
  await assert.rejects(serve('0.0.0.0', false, true), isCode('FERRY_ERR_CONFIG'));
});

test('a request to /metrics from outside loopback without the token is refused; with it, served (skipped where the machine has no IPv4 address beyond loopback)', async (t) => {
  const host = outsideAddress();
  if (!host) return t.skip('this machine has no IPv4 address beyond loopback');
  const server = await serve(host, true, true);
  try {
    const refused = await scrape(server, host);
    assert.equal(refused.status, 401);
    assert.match(refused.body, /FERRY_ERR_AUTH/);
    assert.doesNotMatch(refused.body, /ferry_node/);
    assert.equal((await scrape(server, host, 'Bearer wrong')).status, 401);
    assert.equal((await scrape(server, host, `Bearer ${token}`)).status, 200);
  } finally {
    await server.close();
  }
});
