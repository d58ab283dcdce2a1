import { test, before, after } from 'node:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import assert from 'node:assert/strict';
import { startControlServer, type ControlServer } from '../../adapters/http-api/server.ts';
import { ControlClient } from '../../adapters/http-api/client.ts';
import { newToken } from '../../adapters/http-api/auth.ts';
import { codeOf } from '../../../test/support/errors.ts';
import type { EngineServices } from './engine-services.ts';
import { MetricsAnswer, HealthAnswer } from './metrics-protocol.ts';
import { PowerSwitch } from './power.ts';
import { agentRoutes } from './routes.ts';
import { agentMetrics } from '../../services/metrics/agent-metrics.ts';

const token = newToken();
let server: ControlServer;
let client: ControlClient;
let services: EngineServices | undefined;
const deployed: string[] = [];
const prometheus = agentMetrics('h1');

/** Engine-backed services that only record deploys (enough to see the guard let requests through). */
const fakeServices = {
  containers: {
    deploy: (req: { name: string }) => { deployed.push(req.name); return Promise.resolve({ name: req.name, id: 'c0ffee' }); },
    list: () => Promise.resolve(deployed.map((name) => ({ name, id: 'c0ffee', image: 'ferry/loop:1', running: true, labels: {} }))),
  },
  source: { list: () => [] },
} as unknown as EngineServices;

const stateDir = mkdtempSync(path.join(tmpdir(), 'ferry-routes-'));
// Starts asleep: the agent was put to sleep before it restarted.
const power = new PowerSwitch({
  file: path.join(stateDir, 'power.json'), hook: ['/bin/true'], ping: () => Promise.resolve(true), busy: () => Promise.resolve(undefined),
  down: () => { services = undefined; return Promise.resolve(); },
  up: () => { services = fakeServices; return Promise.resolve(); },
  runHook: () => Promise.resolve({ code: 0, stdout: '', stderr: '' }),
}, 'sleeping');

before(async () => {
  server = await startControlServer({
    host: '127.0.0.1', port: 0, token, maxRequestBytes: 65536,
    routes: agentRoutes({
      name: 'h1', power, services: () => services,
      metrics: () => ({ node: 'h1', power: power.state, everyMs: 2000, capacity: { cpuMillis: 2000, memoryMiB: 1024, networkMbps: 1000 }, samples: [] }),
      prometheus: prometheus.registry,
    }),
  });
  client = new ControlClient(`http://127.0.0.1:${server.address.port}`, { token: token });
});
after(async () => {
  await server.close();
  prometheus.close();
  rmSync(stateDir, { recursive: true, force: true });
});

test('asleep: health and metrics answer with power sleeping; every engine route answers NODE_ASLEEP', async () => {
  assert.deepEqual(HealthAnswer.parse(await client.call('GET', '/v1/health')), { name: 'h1', ok: true, power: 'sleeping' });
  assert.equal(MetricsAnswer.parse(await client.call('GET', '/v1/metrics')).power, 'sleeping');
  const refused = await Promise.all([
    codeOf(client.call('GET', '/v1/containers')),
    codeOf(client.call('POST', '/v1/containers', { name: 'web', image: 'ferry/loop:1' })),
    codeOf(client.call('DELETE', '/v1/containers/web')),
    codeOf(client.call('GET', '/v1/migrations')),
    codeOf(client.call('GET', '/v1/incoming/m-1')),
    codeOf(client.call('GET', '/v1/protections')),
    codeOf(client.call('GET', '/v1/host')),
  ]);
  assert.deepEqual(new Set(refused), new Set(['FERRY_ERR_NODE_ASLEEP']));
  assert.deepEqual(deployed, []);
});

test('asleep: /metrics serves Prometheus\' text format with the cluster token, and refuses a request without it or with another', async () => {
  const url = `http://127.0.0.1:${server.address.port}/metrics`;
  const ok = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
  assert.equal(ok.status, 200);
  assert.match(ok.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
  const text = await ok.text();
  assert.match(text, /^ferry_agent_info\{node="h1"\} 1$/m);
  assert.match(text, /^process_cpu_seconds_total /m);
  for (const headers of [{}, { authorization: `Bearer ${'x'.repeat(64)}` }, { authorization: token }]) {
    const refused = await fetch(url, { headers });
    assert.equal(refused.status, 401);
    assert.equal(((await refused.json()) as { error: { code: string } }).error.code, 'FERRY_ERR_AUTH');
  }
});

test('a body is still validated before the guard (the field is named, not the power state)', async () => {
  assert.equal(await codeOf(client.call('POST', '/v1/containers', { name: 'web' })), 'FERRY_ERR_INVALID_INPUT');
  assert.equal(await codeOf(client.call('POST', '/v1/power', { state: 'off' })), 'FERRY_ERR_INVALID_INPUT');
});

test('awake: the same routes are served; asleep again: refused again', async () => {
  assert.deepEqual(await client.call('POST', '/v1/power', { state: 'wake' }), { name: 'h1', power: 'awake' });
  assert.equal(HealthAnswer.parse(await client.call('GET', '/v1/health')).power, 'awake');
  assert.deepEqual(await client.call('POST', '/v1/containers', { name: 'web', image: 'ferry/loop:1' }), { name: 'web', id: 'c0ffee' });
  assert.deepEqual(await client.call('GET', '/v1/migrations'), []);
  assert.deepEqual(await client.call('POST', '/v1/power', { state: 'sleep' }), { name: 'h1', power: 'sleeping' });
  assert.equal(await codeOf(client.call('GET', '/v1/containers')), 'FERRY_ERR_NODE_ASLEEP');
});
