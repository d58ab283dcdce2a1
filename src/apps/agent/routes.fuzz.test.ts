/**
 * Fuzzing the agent's control API (issue 18) with fast-check, fixed seed: the real server on
 * 127.0.0.1:0 serves the agent's real route table over services that record their calls, and takes
 * random methods, paths (`..`, encoded slashes, huge and empty ids), headers (missing, wrong and
 * garbled tokens, odd content types, beyond the parser's limit) and bodies (valid, mutated at any
 * depth, random JSON, not JSON, beyond the limit, chunked), in batches over keep-alive connections
 * (test/support/http-fuzz.ts, shared with the controller's campaign). Every answer must be a registered status
 * with a JSON FERRY_ERR code for a refusal (never FERRY_ERR_INTERNAL); a request without the token
 * is a 401 that reaches no handler; a refused request calls nothing that changes state; the process
 * sees no unhandled rejection, and the server still answers at the end.
 */
import { after, before, test } from 'node:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startControlServer, type ControlServer, type Route } from '../../adapters/http-api/server.ts';
import { newToken } from '../../adapters/http-api/auth.ts';
import { agentMetrics } from '../../services/metrics/agent-metrics.ts';
import type { EngineServices } from './engine-services.ts';
import { PowerSwitch } from './power.ts';
import { agentRoutes } from './routes.ts';
import { RequestTrace, runCampaign } from '../../../test/support/http-fuzz.ts';

const token = newToken();
const MAX_BODY = 65536;
const BATCH = 8;

/** Which request reached which handler and which service calls it made. */
const trace = new RequestTrace();

/** Service calls that only read. */
const READS = new Set(['containers.list', 'source.list', 'source.get', 'source.events', 'destination.status', 'protections.list', 'facts', 'store', 'store.listManifests']);

/** An object whose methods record their call (with the request that made it) and answer `answer(name)`. */
function recording<T>(prefix: string, names: readonly string[], answer?: (name: string) => unknown): T {
  return trace.recording<T>(prefix, names, READS, answer);
}

async function* oneEvent(): AsyncGenerator<unknown> {
  yield await Promise.resolve({ type: 'phase', phase: 'done' });
}

const fakeServices = {
  containers: recording('containers', ['deploy', 'list', 'remove'], (n) => Promise.resolve(n === 'list' ? [] : { name: 'web', id: 'c0ffee' })),
  source: recording('source', ['start', 'list', 'get', 'events'], (n) => (n === 'list' ? [] : n === 'events' ? oneEvent() : n === 'get' ? { id: 'm-00000000', container: 'web', phase: 'done', data: { report: {} } } : Promise.resolve({ id: 'm-00000000' }))),
  destination: recording('destination', ['preflight', 'prepare', 'status', 'create', 'prestored', 'storedImage', 'restore', 'wants', 'verify', 'commit', 'abort'], () => Promise.resolve({})),
  protection: {
    protections: recording('protections', ['start', 'list', 'stop', 'runOnce'], (n) => Promise.resolve(n === 'list' ? [] : {})),
    recoveries: recording('recoveries', ['recover'], () => Promise.resolve({})),
    store: () => {
      trace.record('store', false);
      return Promise.resolve(recording('store', ['listManifests'], () => Promise.resolve([])));
    },
    close: () => undefined,
  },
  facts: recording<{ facts: () => unknown }>('', ['facts'], () => Promise.resolve({ name: 'h1' })).facts,
} as unknown as EngineServices;

let services: EngineServices | undefined = fakeServices;
const stateDir = mkdtempSync(path.join(tmpdir(), 'ferry-routes-fuzz-'));
const record = (call: string) => () => {
  trace.record(call, true);
  return Promise.resolve();
};
const power = new PowerSwitch({
  file: path.join(stateDir, 'power.json'), hook: ['/bin/true'], ping: () => Promise.resolve(true), busy: () => Promise.resolve(undefined),
  down: () => { services = undefined; return record('power.down')(); },
  up: () => { services = fakeServices; return record('power.up')(); },
  runHook: () => { trace.record('power.hook', true); return Promise.resolve({ code: 0, stdout: '', stderr: '' }); },
}, 'awake');
const prometheus = agentMetrics('h1');
let server: ControlServer;
let routes: Route<unknown>[];

before(async () => {
  routes = agentRoutes({
    name: 'h1', power, services: () => services, prometheus: prometheus.registry,
    metrics: () => ({ node: 'h1', power: power.state, everyMs: 2000, capacity: { cpuMillis: 2000, memoryMiB: 1024, networkMbps: 1000 }, samples: [] }),
  });
  // The real table; each handler runs in the context of its request so that calls can be traced to it.
  server = await startControlServer({ host: '127.0.0.1', port: 0, token, maxRequestBytes: MAX_BODY, routes: trace.traced(routes) });
});
after(async () => {
  await server.close();
  prometheus.close();
  rmSync(stateDir, { recursive: true, force: true });
});

const MID = 'm-0123456789ab';
const SHA = 'a'.repeat(64);
/** A valid body for each route that takes one. */
const VALID: Record<string, unknown> = {
  'POST /v1/power': { state: 'sleep' },
  'POST /v1/containers': { name: 'web', image: 'ferry/loop:1', env: ['A=1'], labels: { 'ferry.app': 'web' }, cpuMillis: 100 },
  'POST /v1/migrations': { container: 'web', strategy: 'precopy', destination: { name: 'h2', controlUrl: 'http://10.0.0.2:7070', dataHost: '10.0.0.2' }, options: { precopy: { maxRounds: 3 } } },
  'POST /v1/incoming/preflight': { migrationId: MID, container: 'web', imageId: 'sha256:x', volumes: [{ name: 'v', destination: '/data', readOnly: false }], needs: { memoryBytes: 1, diskBytes: 1 }, cpuinfo: '', skipCapacityCheck: false },
  'POST /v1/incoming': { migrationId: MID, source: 'h1', container: 'web', imageId: 'x', imageRef: 'ferry/loop:1', volumes: [], createBody: { Image: 'x' } },
  'POST /v1/incoming/:id/prestored': { packs: [SHA] },
  'POST /v1/incoming/:id/stored-image': { imageId: `sha256:${SHA}` },
  'POST /v1/incoming/:id/abort': { why: 'fuzz' },
  ...Object.fromEntries(['create', 'restore', 'wants', 'verify', 'commit'].map((step) => [`POST /v1/incoming/:id/${step}`, {}])),
  'POST /v1/protections': { container: 'web', everyMs: 1000, keep: 3 },
  'POST /v1/protections/:container/points': {},
  'POST /v1/recoveries': { container: 'web', sequence: 1 },
};

void test('fuzz: the agent\'s control API answers every request with a registered status and a JSON FERRY_ERR refusal, and a refusal changes nothing', async (t) => {
  const result = await runCampaign({
    port: server.address.port,
    plan: { token, maxBody: MAX_BODY, routes, valid: VALID, ids: ['web', MID, 'm-00000000'] },
    rules: { token, trace },
    batch: BATCH,
    // Keep the node awake for the next batch more often than not.
    afterBatch: async () => {
      if (power.state !== 'awake') await power.wake();
    },
  });
  t.diagnostic(`${result.sent} requests in ${result.ms} ms; statuses ${result.statuses}; ${trace.calls.filter((c) => c.changes).length} state-changing service calls`);
});
