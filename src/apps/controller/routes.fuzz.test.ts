/**
 * Fuzzing the controller's API (issue 18) with fast-check, fixed seed: the real server on
 * 127.0.0.1:0 serves the controller's real route table, the dashboard's feed (`GET /v1/stream`) and
 * its built files, over a real ControllerService on a temporary SQLite store whose every method
 * call is traced, with nodes whose ports record their calls. It takes random methods, paths,
 * headers and bodies (test/support/http-fuzz.ts, shared with the agent's campaign). Every answer
 * must be a registered status with a JSON FERRY_ERR code for a refusal (never FERRY_ERR_INTERNAL);
 * a request without the token is a 401 that reaches no handler, unless it asked for one of the
 * dashboard's files, which is served as it is on disk and from nowhere else; a refused request
 * writes nothing to the store and asks no node to change; the process sees no unhandled
 * rejection, and the server still answers at the end.
 */
import { after, before, test } from 'node:test';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { startControlServer, type ControlServer, type Route } from '../../adapters/http-api/server.ts';
import { newToken } from '../../adapters/http-api/auth.ts';
import { parseConfig } from '../../core/config.ts';
import { controllerMetrics, type ControllerMetrics } from './controller-metrics.ts';
import { DASHBOARD_DIR, dashboardFile } from './dashboard-files.ts';
import { dashboardRoute } from './dashboard-route.ts';
import type { NodePort } from './node-port.ts';
import type { NodeRecord } from './records.ts';
import { controllerRoutes } from './routes.ts';
import { ControllerService } from './service.ts';
import { StateStore } from './state-store.ts';
import { RequestTrace, runCampaign, targetOf, type Answer, type FuzzRequest } from '../../../test/support/http-fuzz.ts';

const token = newToken();
const MAX_BODY = 16 * 1024;
const BATCH = 16;

/** Which request reached which handler, and every store and node call it made. */
const trace = new RequestTrace();
/** Store methods that only read. */
const STORE_READS = new Set(['node', 'nodes', 'container', 'containers', 'migration', 'migrations', 'lastSamples', 'events', 'get']);

/** A node that answers at once and records what it is asked; an agent whose URL says `impostor` names another node. */
function fakeNode(node: NodeRecord): NodePort {
  const call = <T>(name: string, changes: boolean, answer: T): Promise<T> => {
    trace.record(`node.${name}`, changes);
    return Promise.resolve(answer);
  };
  const capacity = { cpuMillis: 4000, memoryMiB: 8192, networkMbps: 1000 };
  return {
    health: () => call('health', false, { name: node.controlUrl.includes('impostor') ? 'impostor' : node.name, power: 'awake' as const }),
    metrics: () => call('metrics', false, { node: node.name, power: 'awake' as const, everyMs: 2000, capacity, samples: [] }),
    containers: () => call('containers', false, []),
    run: (spec) => call('run', true, { name: spec.name, id: 'c0ffee' }),
    remove: () => call('remove', true, undefined),
    power: () => call('power', true, undefined),
    migrate: () => call('migrate', true, 'm-00000000'),
    migration: (id) => call('migration', false, { id, phase: 'done' }),
  };
}

const stateDir = mkdtempSync(path.join(tmpdir(), 'ferry-controller-fuzz-'));
const store = new StateStore(path.join(stateDir, 'controller.db'));
for (const name of ['h1', 'h2']) store.upsertNode({ name, controlUrl: `http://${name}:7070`, dataHost: name, capacity: { cpuMillis: 4000, memoryMiB: 8192, networkMbps: 1000 }, zone: '', rack: '' }, 0);
trace.wrap(store, 'store', STORE_READS);
const service = new ControllerService({ store, config: parseConfig({}), portOf: fakeNode });
let metrics: ControllerMetrics;
let server: ControlServer;
let routes: Route<unknown>[];

/** The dashboard's built files (none when it is not built), to recognise a public file in an answer. */
const distFiles = existsSync(DASHBOARD_DIR) ? readdirSync(DASHBOARD_DIR, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name)) : [];
const DIST: Buffer[] = distFiles.map((f) => readFileSync(f));
const DIST_PATHS = distFiles.map((f) => `/${path.relative(DASHBOARD_DIR, f)}`);

before(async () => {
  metrics = controllerMetrics(() => service.nodes());
  // The feed follows no agent: each would be an HTTP client to a URL the fuzzer registered.
  const feedStore = { nodes: () => [], lastSamples: (node: string, count: number) => store.lastSamples(node, count) } as unknown as StateStore;
  routes = controllerRoutes(service, '0.0.0-fuzz', metrics.registry, [dashboardRoute(service, feedStore, { token })]);
  server = await startControlServer({ host: '127.0.0.1', port: 0, token, maxRequestBytes: MAX_BODY, routes: trace.traced(routes), files: (p) => dashboardFile(p) });
});
after(async () => {
  await server.close();
  await service.idle();
  metrics.close();
  store.close();
  rmSync(stateDir, { recursive: true, force: true });
});

const NAMES = ['web', 'db', 'cache'];
/** Valid bodies for each route that takes one: a few names, so that deployments, removals and re-registrations meet. */
const VALID: Record<string, fc.Arbitrary<unknown>> = {
  'POST /v1/nodes': fc.record({
    name: fc.constantFrom('h1', 'h2', 'h3', 'h4'),
    controlUrl: fc.constantFrom('http://127.0.0.1:7070', 'http://impostor:7070', 'https://10.0.0.9:7443'),
    dataHost: fc.constantFrom('127.0.0.1', 'h4'),
    capacity: fc.record({ cpuMillis: fc.integer({ min: 0, max: 8000 }), memoryMiB: fc.integer({ min: 0, max: 16384 }), networkMbps: fc.integer({ min: 0, max: 10000 }) }),
    zone: fc.constantFrom('z1', 'z2'),
    rack: fc.constantFrom('r1', 'r2'),
  }, { requiredKeys: ['name', 'controlUrl', 'dataHost'] }),
  'POST /v1/containers': fc.record({
    image: fc.constantFrom('ferry/loop:1', 'redis:7'),
    name: fc.constantFrom(...NAMES),
    app: fc.constantFrom('web', 'shop'),
    appType: fc.constantFrom('balanced', 'cpu-intensive', 'memory-intensive', 'network-intensive', 'db'),
    env: fc.constant(['A=1']),
    cpuMillis: fc.integer({ min: 1, max: 3000 }),
    memoryMiB: fc.integer({ min: 1, max: 4096 }),
    networkMbps: fc.integer({ min: 0, max: 100 }),
  }, { requiredKeys: ['image', 'cpuMillis', 'memoryMiB'] }),
  'POST /v1/app-types/:name': fc.constantFrom({ memory: 0.5, cpu: 0.3, network: 0.2 }, { memory: 0.2, cpu: 0.2, network: 0.6 }, { memory: 1, cpu: 0, network: 0 }),
  'POST /v1/policy': fc.constantFrom('elastic', 'spread', 'binpack', 'kube').map((name) => ({ name })),
};

/** Requests for the dashboard's files, and attempts to get others through it. */
const FILE_TARGETS = ['/', '/index.html', ...DIST_PATHS, '/../package.json', '/%2e%2e/package.json', '/assets/..%2f..%2fpackage.json', '/assets/%2e%2e/%2e%2e/package.json',
  '/..%5c..%5cpackage.json', '/.vite/manifest.json', '/index.html%00.js', '/assets/', '/favicon.ico', '//etc/passwd', '/etc/passwd%00.html', '/dashboard/dist/index.html', '/v1/../index.html', '/metrics/../index.html'];

/** A 200 that is one of the dashboard's files, for a GET outside the API. */
function publicFile(n: number, r: FuzzRequest, a: Answer): boolean {
  if (r.method !== 'GET') return false;
  const pathname = new URL(targetOf(n, r), 'http://controller').pathname;
  if (pathname.startsWith('/v1/') || pathname === '/metrics') return false;
  return DIST.some((file) => file.equals(a.body));
}

void test('fuzz: the controller\'s API answers every request with a registered status and a JSON FERRY_ERR refusal, and a refusal changes nothing', async (t) => {
  const result = await runCampaign({
    port: server.address.port,
    plan: { token, maxBody: MAX_BODY, routes, valid: VALID, ids: [...NAMES, 'h1', 'balanced'], targets: FILE_TARGETS },
    rules: { token, trace, publicFile },
    batch: BATCH,
  });
  const changes = trace.calls.filter((c) => c.changes);
  t.diagnostic(`${result.sent} requests in ${result.ms} ms; statuses ${result.statuses}; ${changes.length} state-changing store and node calls; ${store.nodes().length} nodes, ${store.containers().length} containers at the end`);
});
