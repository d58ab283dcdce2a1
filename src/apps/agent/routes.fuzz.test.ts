/**
 * Fuzzing the agent's control API (issue 18) with fast-check, fixed seed: the real server on
 * 127.0.0.1:0 serves the agent's real route table over services that record their calls, and takes
 * random methods, paths (`..`, encoded slashes, huge and empty ids), headers (missing, wrong and
 * garbled tokens, odd content types) and bodies (valid, mutated, random JSON, not JSON, beyond the
 * limit, chunked), in batches over keep-alive connections. Every answer must be a registered status
 * with a JSON FERRY_ERR code for a refusal (never FERRY_ERR_INTERNAL); a request without the token
 * is a 401 that reaches no handler; a refused request calls nothing that changes state; the process
 * sees no unhandled rejection, and the server still answers at the end.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { AsyncLocalStorage } from 'node:async_hooks';
import http from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { ERRORS, isErrorCode } from '../../core/errors.ts';
import { startControlServer, type ControlServer, type Route } from '../../adapters/http-api/server.ts';
import { newToken } from '../../adapters/http-api/auth.ts';
import { agentMetrics } from '../../services/metrics/agent-metrics.ts';
import type { EngineServices } from './engine-services.ts';
import { PowerSwitch } from './power.ts';
import { agentRoutes } from './routes.ts';
import { fuzzOptions, fuzzRuns } from '../../../test/support/fuzz.ts';

const token = newToken();
const MAX_BODY = 65536;
const BATCH = 8;

/** Which fuzz request is being served (each carries its number in the query as `__fz`). */
const current = new AsyncLocalStorage<number>();
/** Calls that reached a service, and handlers entered, by request number. */
const calls: Array<{ req: number | undefined; call: string; changes: boolean }> = [];
const handled = new Set<number>();

/** Service calls that only read. */
const READS = new Set(['containers.list', 'source.list', 'source.get', 'source.events', 'destination.status', 'protections.list', 'facts', 'store', 'store.listManifests']);

/** An object whose methods record their call (with the request that made it) and answer `answer(name)`. */
function recording<T>(prefix: string, names: readonly string[], answer: (name: string) => unknown = () => ({})): T {
  return Object.fromEntries(names.map((n) => {
    const call = prefix ? `${prefix}.${n}` : n;
    return [n, () => {
      calls.push({ req: current.getStore(), call, changes: !READS.has(call) });
      return answer(n);
    }];
  })) as T;
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
      calls.push({ req: current.getStore(), call: 'store', changes: false });
      return Promise.resolve(recording('store', ['listManifests'], () => Promise.resolve([])));
    },
    close: () => undefined,
  },
  facts: recording<{ facts: () => unknown }>('', ['facts'], () => Promise.resolve({ name: 'h1' })).facts,
} as unknown as EngineServices;

let services: EngineServices | undefined = fakeServices;
const stateDir = mkdtempSync(path.join(tmpdir(), 'ferry-routes-fuzz-'));
const record = (call: string) => () => {
  calls.push({ req: current.getStore(), call, changes: true });
  return Promise.resolve();
};
const power = new PowerSwitch({
  file: path.join(stateDir, 'power.json'), hook: ['/bin/true'], ping: () => Promise.resolve(true), busy: () => Promise.resolve(undefined),
  down: () => { services = undefined; return record('power.down')(); },
  up: () => { services = fakeServices; return record('power.up')(); },
  runHook: () => { calls.push({ req: current.getStore(), call: 'power.hook', changes: true }); return Promise.resolve({ code: 0, stdout: '', stderr: '' }); },
}, 'awake');
const prometheus = agentMetrics('h1');
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown): void => { unhandled.push(reason); };
let server: ControlServer;
let agent: http.Agent;

/** The request number a handler serves, from its query. */
function requestOf(query: URLSearchParams): number | undefined {
  const n = Number(query.getAll('__fz').at(-1));
  return Number.isInteger(n) ? n : undefined;
}

before(async () => {
  process.on('unhandledRejection', onUnhandled);
  const routes = agentRoutes({
    name: 'h1', power, services: () => services, prometheus: prometheus.registry,
    metrics: () => ({ node: 'h1', power: power.state, everyMs: 2000, capacity: { cpuMillis: 2000, memoryMiB: 1024, networkMbps: 1000 }, samples: [] }),
  });
  // The real table; each handler runs in the context of its request so that calls can be traced to it.
  const traced = routes.map((r): Route<unknown> => ({
    ...r,
    handler: (ctx) => {
      const req = requestOf(ctx.query);
      if (req !== undefined) handled.add(req);
      return current.run(req ?? -1, () => r.handler(ctx));
    },
  }));
  server = await startControlServer({ host: '127.0.0.1', port: 0, token, maxRequestBytes: MAX_BODY, routes: traced });
  agent = new http.Agent({ keepAlive: true, maxSockets: BATCH });
});
after(async () => {
  process.off('unhandledRejection', onUnhandled);
  agent.destroy();
  await server.close();
  prometheus.close();
  rmSync(stateDir, { recursive: true, force: true });
});

const MID = 'm-0123456789ab';
const SHA = 'a'.repeat(64);
/** A valid body for each route that takes one. */
const VALID: Record<string, unknown> = {
  'POST /v1/power': { state: 'sleep' },
  'POST /v1/containers': { name: 'web', image: 'ferry/loop:1', env: ['A=1'], labels: { 'app.tier': 'web' }, cpuMillis: 100 },
  'POST /v1/migrations': { container: 'web', strategy: 'precopy', destination: { name: 'h2', controlUrl: 'http://10.0.0.2:7070', dataHost: '10.0.0.2' }, options: { precopy: { maxRounds: 3 } } },
  'POST /v1/incoming/preflight': { migrationId: MID, container: 'web', imageId: 'sha256:x', volumes: [{ name: 'v', destination: '/data', readOnly: false }], needs: { memoryBytes: 1, diskBytes: 1 }, cpuinfo: '', skipCapacityCheck: false },
  'POST /v1/incoming': { migrationId: MID, source: 'h1', container: 'web', imageId: 'x', imageRef: 'ferry/loop:1', volumes: [], createBody: { Image: 'x' } },
  'POST /v1/incoming/:id/prestored': { packs: [SHA] },
  'POST /v1/incoming/:id/stored-image': { imageId: `sha256:${SHA}` },
  'POST /v1/incoming/:id/abort': { why: 'fuzz' },
  'POST /v1/protections': { container: 'web', everyMs: 1000, keep: 3 },
  'POST /v1/recoveries': { container: 'web', sequence: 1 },
};
/** Every route of the table, as `METHOD path`. */
const ROUTES = ['GET /v1/health', 'GET /v1/metrics', 'GET /metrics', 'POST /v1/power', 'GET /v1/host', 'POST /v1/containers', 'GET /v1/containers', 'DELETE /v1/containers/:name',
  'POST /v1/migrations', 'GET /v1/migrations', 'GET /v1/migrations/:id', 'GET /v1/migrations/:id/events', 'POST /v1/incoming/preflight', 'POST /v1/incoming', 'GET /v1/incoming/:id',
  ...['create', 'prestored', 'stored-image', 'restore', 'wants', 'verify', 'commit', 'abort'].map((s) => `POST /v1/incoming/:id/${s}`),
  'POST /v1/protections', 'GET /v1/protections', 'DELETE /v1/protections/:container', 'POST /v1/protections/:container/points', 'GET /v1/points/:container', 'POST /v1/recoveries'];
const TEMPLATES = [...new Set(ROUTES.map((r) => r.split(' ')[1] ?? ''))];

/** Ids for path parameters: valid, empty, dot segments, encoded slashes and NULs, broken escapes, huge, random. */
const idArb = fc.oneof(
  fc.constantFrom('web', MID, 'm-00000000', '', '.', '..', '%2e%2e', '..%2f..%2fetc', '%2F', 'a%2Fb', '%00', '%', '%zz', '%E0%A4%A', 'web%0a', '-rf', 'a'.repeat(129)),
  fc.integer({ min: 200, max: 7000 }).map((n) => 'x'.repeat(n)),
  fc.string({ unit: 'binary', maxLength: 40 }).map(encodeURIComponent),
  fc.string({ unit: 'binary-ascii', maxLength: 40 }).map((s) => s.replace(/[^\x21-\x7e]/g, (c) => encodeURIComponent(c)).replace(/[?#]/g, '')),
);
const segmentArb = fc.oneof(fc.constantFrom('v1', 'containers', 'migrations', 'incoming', 'protections', 'points', '..', '.', '', '%2e', 'metrics', 'health', 'power'), idArb);
const pathArb = fc.oneof(
  { weight: 4, arbitrary: fc.tuple(fc.constantFrom(...TEMPLATES), idArb).map(([t, id]) => ({ template: t, path: t.replace(/:[a-z]+/, id) })) },
  { weight: 1, arbitrary: fc.array(segmentArb, { maxLength: 6 }).map((segs) => ({ template: '', path: `/${segs.join('/')}` })) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...TEMPLATES), fc.constantFrom('/', '//', '/..', '/./', '?', '?a=1&a=2&x')).map(([t, tail]) => ({ template: t, path: t.replace(/:[a-z]+/, 'web') + tail })) },
);

const headerValue = fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 80 });
const authArb = fc.oneof(
  { weight: 6, arbitrary: fc.constant(`Bearer ${token}`) },
  { weight: 1, arbitrary: fc.constantFrom(undefined, '', 'Bearer', 'Bearer ', `bearer ${token}`, `Bearer  ${token}`, `Bearer ${token} `, `Bearer ${token}x`, `Bearer ${token.slice(0, -1)}`, token, `Basic ${Buffer.from(`x:${token}`).toString('base64')}`, `Bearer ${newToken()}`) },
  { weight: 1, arbitrary: fc.tuple(fc.nat(token.length - 1), fc.constantFrom('0', 'f', 'Z', '\t')).map(([at, c]) => `Bearer ${token.slice(0, at)}${c}${token.slice(at + 1)}`) },
  { weight: 1, arbitrary: headerValue },
);
const contentTypeArb = fc.oneof(fc.constantFrom(undefined, 'application/json', 'text/plain', 'application/json; charset=utf-16', 'multipart/form-data; boundary=x', 'application/x-www-form-urlencoded', ''), headerValue);

/** A body: none, the route's valid one, that one mutated, random JSON, bytes that are not JSON, or more than the limit. */
function bodyArb(key: string): fc.Arbitrary<Buffer | undefined> {
  const valid = (VALID[key] ?? {}) as Record<string, unknown>;
  const keys = Object.keys(valid);
  const json = fc.oneof(
    fc.constant(valid),
    fc.tuple(fc.nat(), fc.jsonValue()).map(([i, x]) => (keys.length ? { ...valid, [keys[i % keys.length] ?? '']: x } : { x })),
    fc.nat().map((i) => Object.fromEntries(Object.entries(valid).filter((_, j) => j !== i % Math.max(1, keys.length)))),
    fc.tuple(fc.string({ maxLength: 8 }), fc.jsonValue()).map(([k, x]) => ({ ...valid, [k]: x })),
    fc.jsonValue(),
  ).map((v) => Buffer.from(JSON.stringify(v) ?? 'null'));
  return fc.oneof(
    { weight: 2, arbitrary: fc.constant(undefined) },
    { weight: 8, arbitrary: json },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 200 }).map((a) => Buffer.from(a)) },
    { weight: 1, arbitrary: fc.constantFrom('{', '[1,', '{"state":"wake"', 'null', '"x"', '\u00ff\u00fe{}', '{"__proto__":{"x":1}}', '{"constructor":{"prototype":{}}}').map((s) => Buffer.from(s)) },
    { weight: 1, arbitrary: fc.integer({ min: MAX_BODY + 1, max: 3 * MAX_BODY }).map((n) => Buffer.from(`{"x":"${'y'.repeat(n)}"}`)) },
  );
}

interface FuzzRequest {
  method: string;
  path: string;
  auth: string | undefined;
  contentType: string | undefined;
  body: Buffer | undefined;
  chunked: boolean;
}

const requestArb: fc.Arbitrary<FuzzRequest> = fc.record({
  /** Half the requests use the route's own method, so that handlers are reached. */
  method: fc.oneof({ weight: 6, arbitrary: fc.constant('') }, { weight: 4, arbitrary: fc.constantFrom('GET', 'POST', 'DELETE') }, { weight: 1, arbitrary: fc.constantFrom('PUT', 'PATCH', 'HEAD', 'OPTIONS') }),
  target: pathArb,
  auth: authArb,
  contentType: contentTypeArb,
  chunked: fc.boolean(),
}).chain(({ method: asked, target, auth, contentType, chunked }) => {
  const method = asked || (ROUTES.find((r) => r.endsWith(` ${target.template}`))?.split(' ')[0] ?? 'GET');
  return bodyArb(`${method} ${target.template}`).map((body) => ({ method, path: target.path, auth, contentType, body, chunked }));
});

interface Answer {
  status: number;
  contentType: string;
  text: string;
}

/** Sends one request with its number in the query; the answer, or the transport error. */
function send(n: number, r: FuzzRequest): Promise<Answer> {
  const hash = r.path.indexOf('#');
  const bare = hash >= 0 ? r.path.slice(0, hash) : r.path;
  const headers: Record<string, string> = {};
  if (r.auth !== undefined) headers['authorization'] = r.auth;
  if (r.contentType !== undefined) headers['content-type'] = r.contentType;
  if (r.body) headers[r.chunked ? 'transfer-encoding' : 'content-length'] = r.chunked ? 'chunked' : String(r.body.length);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: server.address.port, agent, method: r.method, path: `${bare}${bare.includes('?') ? '&' : '?'}__fz=${n}`, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, contentType: String(res.headers['content-type'] ?? ''), text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', (err) => reject(new Error(`request ${n}: ${r.method} ${r.path.slice(0, 120)} (${r.body?.length ?? 'no'} body bytes${r.chunked ? ', chunked' : ''}, auth ${JSON.stringify(r.auth?.slice(0, 20))}): ${err.message}`, { cause: err })));
    req.end(r.body);
  });
}

const STATUSES = new Set<number>(Object.values(ERRORS).map((e) => e.http));
let sent = 0;
const tally = new Map<number, number>();

/** Checks one answer against the rules in this file's header. */
function check(n: number, r: FuzzRequest, a: Answer): void {
  const what = `request ${n}: ${r.method} ${r.path.slice(0, 120)} (auth ${JSON.stringify(r.auth?.slice(0, 20))}) → ${a.status} ${a.text.slice(0, 200)}`;
  tally.set(a.status, (tally.get(a.status) ?? 0) + 1);
  // HTTP drops the whitespace around a header value, so `Bearer <token> ` is the token.
  const authorised = r.auth?.replace(/^[ \t]+|[ \t]+$/g, '') === `Bearer ${token}`;
  if (!authorised) {
    assert.equal(a.status, 401, what);
    assert.ok(!handled.has(n), `${what}: reached a handler without the token`);
  }
  const mine = calls.filter((c) => c.req === n);
  if (a.status >= 400) {
    assert.ok(STATUSES.has(a.status), `${what}: status not in the registry`);
    assert.deepEqual(mine.filter((c) => c.changes).map((c) => c.call), [], `${what}: a refused request changed state`);
    if (r.method === 'HEAD') return;
    assert.match(a.contentType, /^application\/json/, what);
    const { error } = JSON.parse(a.text) as { error: { code: unknown; message: unknown } };
    assert.ok(isErrorCode(error.code), `${what}: no FERRY_ERR code`);
    assert.notEqual(error.code, 'FERRY_ERR_INTERNAL', `${what}: a handler crashed`);
    assert.equal(ERRORS[error.code].http, a.status, what);
    assert.equal(typeof error.message, 'string', what);
    return;
  }
  assert.equal(a.status, 200, what);
  assert.ok(handled.has(n), `${what}: answered 200 without a handler`);
  if (/^application\/json/.test(a.contentType)) JSON.parse(a.text);
  else if (/^application\/x-ndjson/.test(a.contentType)) for (const line of a.text.split('\n').filter(Boolean)) JSON.parse(line);
  else assert.match(a.contentType, /^text\/plain/, what);
}

void test('fuzz: the agent\'s control API answers every request with a registered status and a JSON FERRY_ERR refusal, and a refusal changes nothing', async (t) => {
  const started = Date.now();
  const runs = Math.ceil(fuzzRuns() / BATCH);
  await fc.assert(
    fc.asyncProperty(fc.array(requestArb, { minLength: BATCH, maxLength: BATCH }), async (batch) => {
      const first = sent;
      sent += batch.length;
      const answers = await Promise.all(batch.map((r, i) => send(first + i, r)));
      answers.forEach((a, i) => check(first + i, batch[i]!, a));
      // Keep the node awake for the next batch more often than not.
      if (power.state !== 'awake') await power.wake();
    }),
    { ...fuzzOptions(runs), endOnFailure: true },
  );
  assert.deepEqual(unhandled, [], 'unhandled rejections');
  const health = await send(sent++, { method: 'GET', path: '/v1/health', auth: `Bearer ${token}`, contentType: undefined, body: undefined, chunked: false });
  assert.equal(health.status, 200);
  assert.ok(sent >= fuzzRuns());
  const statuses = [...tally].sort(([a], [b]) => a - b).map(([s, k]) => `${s}×${k}`).join(' ');
  t.diagnostic(`${sent} requests in ${Date.now() - started} ms; statuses ${statuses}; ${calls.filter((c) => c.changes).length} state-changing service calls`);
});
