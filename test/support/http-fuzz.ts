/**
 * @module test/support/http-fuzz — what the control-API fuzz campaigns share (issue 18): requests of
 * random methods, paths (`..`, encoded slashes and NULs, huge and empty ids), headers (missing,
 * wrong and garbled tokens, odd content types, headers beyond the parser's limit) and bodies (each
 * route's valid one, mutated at any depth, random JSON, not JSON, beyond the limit, chunked); a
 * trace of which request reached which handler and which calls it made; and the campaign itself:
 * batches over keep-alive connections, every answer checked, no unhandled rejection, the server
 * still answering at the end.
 */
import assert from 'node:assert/strict';
import { AsyncLocalStorage } from 'node:async_hooks';
import http from 'node:http';
import fc from 'fast-check';
import { ERRORS, isErrorCode } from '../../src/core/errors.ts';
import type { Route } from '../../src/adapters/http-api/server.ts';
import { fuzzOptions, fuzzRuns } from './fuzz.ts';

/** One call a fake or a wrapped collaborator received, with the fuzz request that made it. */
export interface TracedCall {
  req: number | undefined;
  call: string;
  changes: boolean;
}

/** Which fuzz request is being served (each carries its number in the query as `__fz`), the handlers reached and the calls made. */
export class RequestTrace {
  private readonly current = new AsyncLocalStorage<number>();
  private readonly changesByRequest = new Map<number | undefined, string[]>();
  /** Every call, in order. */
  readonly calls: TracedCall[] = [];
  /** Requests that reached a handler. */
  readonly handled = new Set<number>();

  /** Records a call made on behalf of the request being served (none outside a handler). */
  record(call: string, changes: boolean): void {
    const req = this.current.getStore();
    this.calls.push({ req, call, changes });
    if (!changes) return;
    const list = this.changesByRequest.get(req);
    if (list) list.push(call);
    else this.changesByRequest.set(req, [call]);
  }

  /** The state-changing calls request `n` made. */
  changesOf(n: number): string[] {
    return this.changesByRequest.get(n) ?? [];
  }

  /** The route table with each handler run in the context of its request, so that calls can be traced to it. */
  traced(routes: readonly Route<any>[]): Route<any>[] { // eslint-disable-line @typescript-eslint/no-explicit-any
    return routes.map((r) => ({
      ...r,
      handler: (ctx) => {
        const n = Number(ctx.query.getAll('__fz').at(-1));
        const req = Number.isInteger(n) ? n : -1;
        this.handled.add(req);
        return this.current.run(req, () => r.handler(ctx));
      },
    }));
  }

  /** An object whose methods record their call and answer `answer(name)`; calls named in `reads` change nothing. */
  recording<T>(prefix: string, names: readonly string[], reads: ReadonlySet<string>, answer: (name: string) => unknown = () => ({})): T {
    return Object.fromEntries(names.map((n) => {
      const call = prefix ? `${prefix}.${n}` : n;
      return [n, () => {
        this.record(call, !reads.has(call));
        return answer(n);
      }];
    })) as T;
  }

  /** Wraps every method of `target` in place so that it records its call; `reads` names those that change nothing. */
  wrap(target: object, prefix: string, reads: ReadonlySet<string>): void {
    const proto = Object.getPrototypeOf(target) as object;
    for (const name of Object.getOwnPropertyNames(proto)) {
      const method = (target as Record<string, unknown>)[name];
      if (name === 'constructor' || typeof method !== 'function') continue;
      (target as Record<string, unknown>)[name] = (...args: unknown[]) => {
        this.record(`${prefix}.${name}`, !reads.has(name));
        return (method as (...a: unknown[]) => unknown).apply(target, args);
      };
    }
  }
}

/** One fuzz request. */
export interface FuzzRequest {
  method: string;
  path: string;
  auth: string | undefined;
  contentType: string | undefined;
  /** Extra headers. */
  headers: Record<string, string>;
  /** When not 0, one more header of this many bytes, beyond Node's 16 KiB limit (made when sent, so a failure report stays short). */
  oversized: number;
  body: Buffer | undefined;
  chunked: boolean;
}

/** What a campaign knows of the API it fuzzes. */
export interface ApiPlan {
  token: string;
  maxBody: number;
  /** The real route table (method and path are read; handlers are not called here). */
  routes: readonly Route<any>[]; // eslint-disable-line @typescript-eslint/no-explicit-any
  /** A valid body (or an arbitrary of valid bodies) for every route that has a body schema, keyed `METHOD /path/:param`. */
  valid: Readonly<Record<string, unknown>>;
  /** Valid values of path parameters (names, ids). */
  ids: readonly string[];
  /** Whole request targets to try besides the routes' (public files, traversal attempts). */
  targets?: readonly string[];
}

/** Path parameters that break things: empty, dot segments, encoded slashes and NULs, broken escapes, huge, random. */
const HOSTILE_IDS = ['', '.', '..', '%2e%2e', '..%2f..%2fetc', '%2F', 'a%2Fb', '%00', '%', '%zz', '%E0%A4%A', 'x%0a', '-rf', 'a'.repeat(129)];

function idArb(ids: readonly string[]): fc.Arbitrary<string> {
  return fc.oneof(
    fc.constantFrom(...ids, ...HOSTILE_IDS),
    fc.integer({ min: 200, max: 7000 }).map((n) => 'x'.repeat(n)),
    fc.string({ unit: 'binary', maxLength: 40 }).map(encodeURIComponent),
    fc.string({ unit: 'binary-ascii', maxLength: 40 }).map((s) => s.replace(/[^\x21-\x7e]/g, (c) => encodeURIComponent(c)).replace(/[?#]/g, '')),
  );
}

/** A request target: a route's path with its parameters filled, random words of the routes, tails that confuse routers, or the plan's own targets; with the route's method. */
function targetArb(plan: ApiPlan): fc.Arbitrary<{ method: string; template: string; path: string }> {
  const templates = [...new Set(plan.routes.map((r) => r.path))];
  const words = [...new Set(templates.flatMap((t) => t.split('/')).filter((w) => w && !w.startsWith(':')))];
  const id = idArb(plan.ids);
  const segment = fc.oneof(fc.constantFrom(...words, '..', '.', '', '%2e'), id);
  const route = fc.constantFrom(...plan.routes);
  const fill = (t: string, value: string): string => t.replace(/:[a-zA-Z]+/g, value);
  return fc.oneof(
    { weight: 4, arbitrary: fc.tuple(route, id).map(([r, v]) => ({ method: r.method, template: r.path, path: fill(r.path, v) })) },
    { weight: 1, arbitrary: fc.array(segment, { maxLength: 6 }).map((segs) => ({ method: 'GET', template: '', path: `/${segs.join('/')}` })) },
    { weight: 1, arbitrary: fc.tuple(route, fc.constantFrom('/', '//', '/..', '/./', '?', '?a=1&a=2&x')).map(([r, tail]) => ({ method: r.method, template: r.path, path: fill(r.path, plan.ids[0] ?? 'x') + tail })) },
    ...(plan.targets?.length ? [{ weight: 1, arbitrary: fc.constantFrom(...plan.targets).map((p) => ({ method: 'GET', template: '', path: p })) }] : []),
  );
}

const headerValue = fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 80 });

/** The token, mostly; otherwise none, near misses, other schemes, one character changed, or noise. */
function authArb(token: string): fc.Arbitrary<string | undefined> {
  return fc.oneof(
    { weight: 6, arbitrary: fc.constant(`Bearer ${token}`) },
    { weight: 1, arbitrary: fc.constantFrom(undefined, '', 'Bearer', 'Bearer ', `bearer ${token}`, `Bearer  ${token}`, `Bearer ${token} `, `Bearer ${token}x`, `Bearer ${token.slice(0, -1)}`, token, `Basic ${Buffer.from(`x:${token}`).toString('base64')}`, `Bearer ${'0'.repeat(token.length)}`) },
    { weight: 1, arbitrary: fc.tuple(fc.nat(token.length - 1), fc.constantFrom('0', 'f', 'Z', '\t')).map(([at, c]) => `Bearer ${token.slice(0, at)}${c}${token.slice(at + 1)}`) },
    { weight: 1, arbitrary: headerValue },
  );
}

const contentTypeArb = fc.oneof(fc.constantFrom(undefined, 'application/json', 'text/plain', 'application/json; charset=utf-16', 'multipart/form-data; boundary=x', 'application/x-www-form-urlencoded', ''), headerValue);

/** Extra headers: none mostly, some odd ones, or more than the parser takes. */
const extraHeadersArb: fc.Arbitrary<{ headers: Record<string, string>; oversized: number }> = fc.oneof(
  { weight: 12, arbitrary: fc.constant({ headers: {}, oversized: 0 }) },
  { weight: 2, arbitrary: fc.constantFrom<Record<string, string>>({ 'expect': '100-continue' }, { 'content-encoding': 'gzip' }, { 'accept': 'text/event-stream' }, { 'x-forwarded-for': '10.0.0.1' }, { 'cookie': 'a=b' }).map((headers) => ({ headers, oversized: 0 })) },
  { weight: 1, arbitrary: fc.integer({ min: 17 * 1024, max: 24 * 1024 }).map((n) => ({ headers: {}, oversized: n })) },
);

/** Values that break validators: any JSON, long strings, edge numbers. */
const valueArb = fc.oneof(
  { weight: 4, arbitrary: fc.jsonValue() },
  { weight: 1, arbitrary: fc.integer({ min: 256, max: 5000 }).map((n) => 'x'.repeat(n)) },
  { weight: 1, arbitrary: fc.constantFrom(-1, 0, 0.5, 1e308, -1e308, 2 ** 53, 2 ** 31, '', ' ', '..', '/etc/passwd', 'http://', null, true, [], {}) },
);

/** The key paths inside a JSON value, at any depth. */
function keyPaths(value: unknown, prefix: Array<string | number> = []): Array<Array<string | number>> {
  if (Array.isArray(value)) return value.flatMap((v, i) => [[...prefix, i], ...keyPaths(v, [...prefix, i])]);
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => [[...prefix, k], ...keyPaths(v, [...prefix, k])]);
  return [];
}

/** A copy of `value` with the key at `at` set to `x`, or removed when `x` is undefined. */
function setAt(value: unknown, at: ReadonlyArray<string | number>, x: unknown): unknown {
  const copy = structuredClone(value) as Record<string | number, unknown>;
  let parent = copy;
  for (const k of at.slice(0, -1)) parent = parent[k] as Record<string | number, unknown>;
  const last = at.at(-1) ?? '';
  if (x !== undefined) parent[last] = x;
  else if (Array.isArray(parent)) parent.splice(Number(last), 1);
  else delete parent[last];
  return copy;
}

/** The valid bodies of a route: its arbitrary, or its one value. */
function validArb(valid: unknown): fc.Arbitrary<unknown> {
  return valid instanceof fc.Arbitrary ? (valid as fc.Arbitrary<unknown>) : fc.constant(valid ?? {});
}

/** A valid body with a key replaced, removed or added at any depth. */
function mutatedArb(base: unknown): fc.Arbitrary<unknown> {
  const paths = keyPaths(base);
  const pick = (i: number) => paths[i % Math.max(1, paths.length)] ?? [];
  return fc.oneof(
    fc.tuple(fc.nat(), valueArb).map(([i, x]) => (paths.length ? setAt(base, pick(i), x) : { x })),
    fc.nat().map((i) => (paths.length ? setAt(base, pick(i), undefined) : base)),
    fc.tuple(fc.string({ maxLength: 8 }), valueArb).map(([k, x]) => (base && typeof base === 'object' && !Array.isArray(base) ? { ...base, [k]: x } : { [k]: x })),
  );
}

/** A body: none, a valid one for the route, one mutated at any depth, random JSON, bytes that are not JSON, or more than the limit. */
function bodyArb(valid: unknown, maxBody: number): fc.Arbitrary<Buffer | undefined> {
  const valids = validArb(valid);
  const json = fc.oneof(
    { weight: 2, arbitrary: valids },
    { weight: 3, arbitrary: valids.chain(mutatedArb) },
    { weight: 1, arbitrary: fc.jsonValue() },
  ).map((v) => Buffer.from(JSON.stringify(v) ?? 'null'));
  return fc.oneof(
    { weight: 2, arbitrary: fc.constant(undefined) },
    { weight: 8, arbitrary: json },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 200 }).map((a) => Buffer.from(a)) },
    { weight: 1, arbitrary: fc.constantFrom('{', '[1,', '{"name":"x"', 'null', '"x"', '\u00ff\u00fe{}', '{"__proto__":{"x":1}}', '{"constructor":{"prototype":{}}}').map((s) => Buffer.from(s)) },
    { weight: 1, arbitrary: fc.integer({ min: maxBody + 1, max: 3 * maxBody }).map((n) => Buffer.from(`{"x":"${'y'.repeat(n)}"}`)) },
  );
}

/** Requests for an API: half use their route's own method, so that handlers are reached. */
export function requestArb(plan: ApiPlan): fc.Arbitrary<FuzzRequest> {
  const missing = plan.routes.filter((r) => r.body && !(`${r.method} ${r.path}` in plan.valid)).map((r) => `${r.method} ${r.path}`);
  assert.deepEqual(missing, [], 'every route with a body schema needs a valid body to mutate');
  for (const [key, valid] of Object.entries(plan.valid)) {
    const route = plan.routes.find((r) => `${r.method} ${r.path}` === key);
    for (const body of fc.sample(validArb(valid), { numRuns: 50, seed: 1 })) {
      const parsed = route?.body?.safeParse(body);
      assert.ok(parsed?.success, `the valid body of ${key} is valid: ${JSON.stringify(body)}: ${parsed?.error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') ?? 'no such route with a body'}`);
    }
  }
  return fc.record({
    method: fc.oneof({ weight: 6, arbitrary: fc.constant('') }, { weight: 4, arbitrary: fc.constantFrom('GET', 'POST', 'DELETE') }, { weight: 1, arbitrary: fc.constantFrom('PUT', 'PATCH', 'HEAD', 'OPTIONS') }),
    target: targetArb(plan),
    auth: authArb(plan.token),
    contentType: contentTypeArb,
    extra: extraHeadersArb,
    chunked: fc.boolean(),
  }).chain(({ method: asked, target, auth, contentType, extra, chunked }) => {
    const method = asked || target.method;
    const head = headBytes(0, { method, path: target.path, auth, contentType, headers: extra.headers, oversized: extra.oversized, body: undefined, chunked });
    // A request the parser refuses is answered before its body is read: send none, so the close cannot cut our write.
    const body = head > MAX_HEAD_BYTES - 512 ? fc.constant(undefined) : bodyArb(plan.valid[`${method} ${target.template}`], plan.maxBody);
    return body.map((b) => ({ method, path: target.path, auth, contentType, headers: extra.headers, oversized: extra.oversized, body: b, chunked }));
  });
}

/** An answer: status, content type and body (of a server-sent event stream, its first event only). */
export interface Answer {
  status: number;
  contentType: string;
  body: Buffer;
  text: string;
}

/** The request target as sent: the request's path with its number in the query. */
export function targetOf(n: number, r: FuzzRequest): string {
  const hash = r.path.indexOf('#');
  const bare = hash >= 0 ? r.path.slice(0, hash) : r.path;
  return `${bare}${bare.includes('?') ? '&' : '?'}__fz=${n}`;
}

/** The headers a request is sent with. */
function headersOf(r: FuzzRequest): Record<string, string> {
  const headers: Record<string, string> = { ...r.headers, ...(r.oversized ? { 'x-fuzz': 'y'.repeat(r.oversized) } : {}) };
  if (r.auth !== undefined) headers['authorization'] = r.auth;
  if (r.contentType !== undefined) headers['content-type'] = r.contentType;
  if (r.body) headers[r.chunked ? 'transfer-encoding' : 'content-length'] = r.chunked ? 'chunked' : String(r.body.length);
  return headers;
}

/** Node's limit on the request line and headers together. */
const MAX_HEAD_BYTES = 16 * 1024;

/** About how many bytes the request line and headers take (Node adds host and connection). */
function headBytes(n: number, r: FuzzRequest): number {
  return `${r.method} ${targetOf(n, r)} HTTP/1.1\r\nhost: 127.0.0.1:65535\r\nconnection: keep-alive\r\n\r\n`.length
    + Object.entries(headersOf(r)).reduce((sum, [k, v]) => sum + k.length + v.length + 4, 0);
}

/** Sends one request; the answer, or the transport error naming the request. An event stream is read to its first event, then dropped. */
export function sendRequest(port: number, agent: http.Agent, n: number, r: FuzzRequest): Promise<Answer> {
  const headers = headersOf(r);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, agent, method: r.method, path: targetOf(n, r), headers }, (res) => {
      const chunks: Buffer[] = [];
      const contentType = String(res.headers['content-type'] ?? '');
      const answer = (): Answer => {
        const body = Buffer.concat(chunks);
        return { status: res.statusCode ?? 0, contentType, body, text: body.toString('utf8') };
      };
      const stream = contentType.startsWith('text/event-stream');
      res.on('data', (c: Buffer) => {
        chunks.push(c);
        if (stream && Buffer.concat(chunks).includes('\n\n')) {
          resolve(answer());
          req.destroy();
        }
      });
      res.on('end', () => resolve(answer()));
      res.on('error', (err) => (stream ? undefined : reject(err)));
    });
    req.on('error', (err) => {
      if (req.destroyed && (err as NodeJS.ErrnoException).code === 'ECONNRESET') return; // we dropped an event stream
      reject(new Error(`request ${n}: ${r.method} ${r.path.slice(0, 120)} (${r.body?.length ?? 'no'} body bytes${r.chunked ? ', chunked' : ''}, auth ${JSON.stringify(r.auth?.slice(0, 20))}): ${err.message}`, { cause: err }));
    });
    req.end(r.body);
  });
}

/** How answers are judged. */
export interface CheckRules {
  token: string;
  trace: RequestTrace;
  /** True when a 200 answer is a public static file (served without the token and without a handler). */
  publicFile?: (n: number, r: FuzzRequest, a: Answer) => boolean;
}

const STATUSES = new Set<number>(Object.values(ERRORS).map((e) => e.http));

/**
 * Checks one answer: without the token a 401 that reached no handler (a public file excepted);
 * a refusal has a registered status, a JSON FERRY_ERR code (never FERRY_ERR_INTERNAL) of that
 * status, and no state-changing call; a success came from a handler and parses as its type says.
 */
export function checkAnswer(n: number, r: FuzzRequest, a: Answer, rules: CheckRules): void {
  const what = `request ${n}: ${r.method} ${r.path.slice(0, 120)} (auth ${JSON.stringify(r.auth?.slice(0, 20))}) → ${a.status} ${a.text.slice(0, 200)}`;
  if (a.status === 200 && rules.publicFile?.(n, r, a)) {
    assert.ok(!rules.trace.handled.has(n), `${what}: a public file came from a handler`);
    return;
  }
  // HTTP drops the whitespace around a header value, so `Bearer <token> ` is the token.
  const authorised = r.auth?.replace(/^[ \t]+|[ \t]+$/g, '') === `Bearer ${rules.token}`;
  // Beyond the parser's limit the answer is 413 whatever the token; near it, it may be either (our count of the head is close, not exact).
  const head = headBytes(n, r);
  if (head > MAX_HEAD_BYTES + 256) assert.equal(a.status, 413, what);
  else if (!authorised && !(head > MAX_HEAD_BYTES - 256 && a.status === 413)) assert.equal(a.status, 401, what);
  if (!authorised || a.status === 413) assert.ok(!rules.trace.handled.has(n), `${what}: reached a handler`);
  if (a.status >= 400) {
    assert.ok(STATUSES.has(a.status), `${what}: status not in the registry`);
    assert.deepEqual(rules.trace.changesOf(n), [], `${what}: a refused request changed state`);
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
  assert.ok(rules.trace.handled.has(n), `${what}: answered 200 without a handler`);
  if (/^application\/json/.test(a.contentType)) JSON.parse(a.text);
  else if (/^application\/x-ndjson/.test(a.contentType)) for (const line of a.text.split('\n').filter(Boolean)) JSON.parse(line);
  else if (/^text\/event-stream/.test(a.contentType)) JSON.parse(/^event: [\w-]+\ndata: (.*)\n\n/.exec(a.text)?.[1] ?? '');
  else assert.match(a.contentType, /^text\/plain/, what);
}

/** A campaign against one running server. */
export interface Campaign {
  port: number;
  plan: ApiPlan;
  rules: CheckRules;
  /** Requests in flight at once (one keep-alive connection each). */
  batch: number;
  /** Runs between batches (e.g. wakes a node a request put to sleep). */
  afterBatch?: () => Promise<void>;
}

/** What a campaign did. */
export interface CampaignResult {
  sent: number;
  ms: number;
  /** `status×count …`, by status. */
  statuses: string;
}

/**
 * Runs `fuzzRuns()` requests (at least) in batches, checking each answer; then asserts that no
 * promise rejection went unhandled and that the server still answers GET /v1/health.
 */
export async function runCampaign(c: Campaign): Promise<CampaignResult> {
  const started = Date.now();
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown): void => {
    unhandled.push(reason);
  };
  process.on('unhandledRejection', onUnhandled);
  const agent = new http.Agent({ keepAlive: true, maxSockets: c.batch });
  const tally = new Map<number, number>();
  let sent = 0;
  try {
    await fc.assert(
      fc.asyncProperty(fc.array(requestArb(c.plan), { minLength: c.batch, maxLength: c.batch }), async (batch) => {
        const first = sent;
        sent += batch.length;
        const answers = await Promise.all(batch.map((r, i) => sendRequest(c.port, agent, first + i, r)));
        answers.forEach((a, i) => {
          tally.set(a.status, (tally.get(a.status) ?? 0) + 1);
          checkAnswer(first + i, batch[i]!, a, c.rules);
        });
        await c.afterBatch?.();
      }),
      { ...fuzzOptions(Math.ceil(fuzzRuns() / c.batch)), endOnFailure: true },
    );
    const health = await sendRequest(c.port, agent, sent++, { method: 'GET', path: '/v1/health', auth: `Bearer ${c.rules.token}`, contentType: undefined, headers: {}, oversized: 0, body: undefined, chunked: false });
    assert.equal(health.status, 200, 'the server answers after the campaign');
  } finally {
    agent.destroy();
    process.off('unhandledRejection', onUnhandled);
  }
  assert.deepEqual(unhandled, [], 'unhandled rejections');
  assert.ok(sent >= fuzzRuns());
  const statuses = [...tally].sort(([a], [b]) => a - b).map(([s, k]) => `${s}×${k}`).join(' ');
  return { sent, ms: Date.now() - started, statuses };
}
