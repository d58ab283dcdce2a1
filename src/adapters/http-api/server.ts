/**
 * @module adapters/http-api/server — the control API transport: HTTP/1.1 with JSON bodies validated
 * by zod; with the cluster PKI, HTTPS (TLS 1.3) where every request needs a client certificate of
 * the cluster whose role the route admits, and plain HTTP gets a 401 that says so; the bearer
 * token on every request when one is set; FerryErrors mapped to statuses here and nowhere else.
 * Routes are plain data; the services behind them know no HTTP.
 */
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import type * as z from 'zod';
import { ERRORS, FerryError, asFerryError } from '../../core/errors.ts';
import { log } from '../../core/events.ts';
import { PKI_ROLES, roleUri, type PeerIdentity, type PkiRole } from '../../domain/pki/cert-subject.ts';
import type { TlsIdentity } from '../pki/tls-identity.ts';
import { listenTlsOnly } from '../pki/tls-listener.ts';
import { checkListenPolicy, tokenMatches } from './auth.ts';

/** What a handler gets. */
export interface RouteContext<B> {
  params: Record<string, string>;
  body: B;
  /** The query string. */
  query: URLSearchParams;
  /** Who called, as their certificate says (absent on a plain HTTP server). */
  peer?: PeerIdentity | undefined;
}

/** A handler's answer: any JSON value, `{ ndjson: AsyncIterable }` sent as NDJSON, or a {@link TextBody} sent as is. */
export type RouteResult = unknown;

/** A plain-text answer with its content type (Prometheus' text exposition format). */
export class TextBody {
  readonly text: string;
  readonly contentType: string;
  constructor(text: string, contentType: string) {
    this.text = text;
    this.contentType = contentType;
  }
}

/** One route. */
export interface Route<B = unknown> {
  method: 'GET' | 'POST' | 'DELETE';
  path: string;
  body?: z.ZodType<B>;
  /** One line for the API description (OpenAPI summary). */
  summary?: string;
  /** The certificate roles that may call it over TLS (default: the server's `tls.roles`). */
  roles?: readonly PkiRole[];
  handler: (ctx: RouteContext<B>) => RouteResult;
}

/** Options of the control server. */
export interface ControlServerOptions {
  host: string;
  port: number;
  token: string | undefined;
  maxRequestBytes: number;
  routes: Route<any>[]; // eslint-disable-line @typescript-eslint/no-explicit-any
  /** Public static files (the dashboard's code, no cluster data): GET paths outside /v1/ and /metrics, served without the token (over TLS, still only to a peer with a certificate). */
  files?: (pathname: string) => Promise<StaticFile | undefined>;
  /** Mutual TLS: this server's identity, and the roles that may call a route that names none. Absent: plain HTTP. */
  tls?: { identity: TlsIdentity; roles: readonly PkiRole[] } | undefined;
  /** Plain HTTP beyond loopback (config tls.plainBeyondLoopback; for measuring what TLS costs, never on a real network). */
  plainBeyondLoopback?: boolean;
  /** How long a client may take to send its request headers, in ms (Node's default: 60 s); checked at a quarter of it. */
  headersTimeoutMs?: number;
}

/** A static file to answer with. */
export interface StaticFile {
  body: Buffer;
  contentType: string;
}

/** One server-sent event: a handler answers `{ sse: AsyncIterable<SseMessage> }` for a `text/event-stream`. */
export interface SseMessage {
  event: string;
  data: unknown;
}

/** A listening control server. */
export interface ControlServer {
  address: AddressInfo;
  close(): Promise<void>;
}

/** Starts the control server (refuses an unauthenticated non-loopback listener). */
export async function startControlServer(options: ControlServerOptions): Promise<ControlServer> {
  checkListenPolicy(options.host, options.token, { tls: options.tls !== undefined, plainBeyondLoopback: options.plainBeyondLoopback ?? false });
  const compiled = options.routes.map((r) => ({ route: r, ...compile(r.path) }));
  const onRequest = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    void serve(req, res, options, compiled);
  };
  if (options.tls) return startTlsServer(options, options.tls.identity, onRequest);
  const server = http.createServer(slowClientLimits(options), onRequest);
  server.keepAliveTimeout = 5000;
  server.on('clientError', refuseUnparsable);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  return {
    address: server.address() as AddressInfo,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The HTTPS server behind a TLS-only port; a plain HTTP request there gets a 401 that names https://. */
async function startTlsServer(options: ControlServerOptions, identity: TlsIdentity, onRequest: http.RequestListener): Promise<ControlServer> {
  const server = https.createServer({ ...identity.serverOptions(), ...slowClientLimits(options) }, onRequest);
  server.keepAliveTimeout = 5000;
  server.on('clientError', refuseUnparsable);
  server.on('tlsClientError', (err, socket) => {
    log('warn', 'TLS handshake refused', { from: `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`, err: err.message });
  });
  const port = await listenTlsOnly({
    host: options.host, port: options.port, tlsServer: server, identity, what: 'the control API',
    refusePlain: (socket) => refusePlain(socket, options.host, options.port),
  });
  // Node's HTTP server enforces headersTimeout and requestTimeout (slow clients) only once it has
  // heard 'listening'; this one never listens itself, so it is told.
  server.emit('listening');
  return {
    address: port.address,
    close: () => port.close(),
  };
}

/** The request-header deadline, when one is set, and how often Node checks it. */
function slowClientLimits(options: ControlServerOptions): http.ServerOptions {
  const ms = options.headersTimeoutMs;
  return ms === undefined ? {} : { headersTimeout: ms, requestTimeout: Math.max(ms, 300_000), connectionsCheckingInterval: Math.max(50, Math.floor(ms / 4)) };
}

/** Answers plain HTTP on a TLS-only port. */
function refusePlain(socket: Socket, host: string, port: number): void {
  const ferr = new FerryError('FERRY_ERR_AUTH', `this server speaks only HTTPS (TLS 1.3 with a client certificate of the cluster); call https://${host.includes(':') ? `[${host}]` : host}:${port} with a certificate from \`ferry pki issue\``);
  writeError(socket, ferr);
}

/** Answers a request Node's HTTP parser refused (headers beyond 16 KiB, a malformed request line) with a JSON FerryError like any other refusal, then closes. */
function refuseUnparsable(err: NodeJS.ErrnoException, socket: Duplex): void {
  if (err.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  const ferr = err.code === 'HPE_HEADER_OVERFLOW' || err.code === 'HPE_CHUNK_EXTENSIONS_OVERFLOW'
    ? new FerryError('FERRY_ERR_TOO_LARGE', 'the request line and headers exceed the HTTP parser\'s limit of 16 KiB')
    : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
      ? new FerryError('FERRY_ERR_INVALID_INPUT', 'the request did not arrive in time (headers or body too slow); the connection is closed')
      : new FerryError('FERRY_ERR_INVALID_INPUT', `malformed HTTP request (${err.code ?? err.message})`);
  // An answer to HEAD carries no body (found by fuzzing: a client reads the body as the next answer).
  const head = (err as { rawPacket?: Buffer }).rawPacket?.subarray(0, 5).toString('latin1') === 'HEAD ';
  writeError(socket, ferr, head);
}

/** Writes a whole HTTP error answer on a raw socket and ends it (`headOnly`: the headers, for a HEAD request). */
function writeError(socket: Duplex, ferr: FerryError, headOnly = false): void {
  const status = ERRORS[ferr.code].http;
  const body = JSON.stringify({ error: ferr.toJSON() });
  socket.end(`HTTP/1.1 ${status} ${http.STATUS_CODES[status] ?? ''}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${headOnly ? '' : body}`);
}

/** Turns `/v1/x/:id` into a regex and the parameter names. */
function compile(path: string): { re: RegExp; names: string[] } {
  const names: string[] = [];
  const re = new RegExp(`^${path.replace(/:([a-zA-Z]+)/g, (_, n: string) => (names.push(n), '([^/]+)'))}$`);
  return { re, names };
}

/** Handles one request. */
async function serve(req: http.IncomingMessage, res: http.ServerResponse, options: ControlServerOptions, routes: Array<{ route: Route; re: RegExp; names: string[] }>): Promise<void> {
  try {
    const peer = options.tls ? admitted(req, options.tls.identity) : undefined;
    if (options.files && req.method === 'GET' && (await serveFile(req, res, options.files))) return;
    if (options.token !== undefined && options.token !== '' && !tokenMatches(req.headers.authorization, options.token)) {
      throw new FerryError('FERRY_ERR_AUTH', 'the request carries no valid cluster token');
    }
    const url = requestUrl(req);
    let params: Record<string, string> | undefined;
    let route: Route | undefined;
    for (const r of routes) {
      const m = r.re.exec(url.pathname);
      if (!m || r.route.method !== req.method) continue;
      try {
        params = Object.fromEntries(r.names.map((n, i) => [n, decodeURIComponent(m[i + 1] ?? '')]));
      } catch {
        throw new FerryError('FERRY_ERR_INVALID_INPUT', `malformed percent-encoding in ${url.pathname}`);
      }
      route = r.route;
      break;
    }
    if (!route || !params) throw new FerryError('FERRY_ERR_INVALID_INPUT', `no such endpoint: ${req.method} ${url.pathname}`);
    const allowed = route.roles ?? options.tls?.roles ?? PKI_ROLES;
    if (peer && !allowed.includes(peer.role)) {
      throw new FerryError('FERRY_ERR_FORBIDDEN', `${roleUri(peer)} may not call ${req.method} ${route.path} (it admits ${allowed.join(', ')})`);
    }
    // Who asked for what: every call of an operator or the controller that may change state (agents' migration traffic is the migration's own log).
    if (peer && peer.role !== 'agent' && req.method !== 'GET') log('info', 'request admitted', { by: roleUri(peer), call: `${req.method} ${url.pathname}` });
    const raw = await readBody(req, options.maxRequestBytes);
    let body: unknown = undefined;
    if (route.body) {
      let parsed: unknown;
      try {
        parsed = raw.length ? JSON.parse(raw.toString('utf8')) : {};
      } catch {
        throw new FerryError('FERRY_ERR_INVALID_INPUT', 'the request body is not valid JSON');
      }
      const result = route.body.safeParse(parsed);
      if (!result.success) {
        const issue = result.error.issues[0];
        throw new FerryError('FERRY_ERR_INVALID_INPUT', `request field ${issue?.path.join('.') || '(body)'}: ${issue?.message ?? 'invalid'}`);
      }
      body = result.data;
    }
    const out = await route.handler({ params, body, query: url.searchParams, peer });
    if (out instanceof TextBody) {
      res.writeHead(200, { 'content-type': out.contentType });
      res.end(out.text);
      return;
    }
    if (out && typeof out === 'object' && 'sse' in out) {
      res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', 'x-accel-buffering': 'no' });
      for await (const m of (out as { sse: AsyncIterable<SseMessage> }).sse) {
        if (res.destroyed) break;
        if (!res.write(`event: ${m.event}\ndata: ${JSON.stringify(m.data)}\n\n`)) await new Promise((r) => res.once('drain', r));
      }
      res.end();
      return;
    }
    if (out && typeof out === 'object' && 'ndjson' in out) {
      res.writeHead(200, { 'content-type': 'application/x-ndjson' });
      for await (const item of (out as { ndjson: AsyncIterable<unknown> }).ndjson) {
        if (!res.write(`${JSON.stringify(item)}\n`)) await new Promise((r) => res.once('drain', r));
        if (res.destroyed) break;
      }
      res.end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(out ?? {}));
  } catch (err) {
    const ferr = asFerryError(err);
    if (ferr.code === 'FERRY_ERR_INTERNAL') log('error', 'control request failed', { url: req.url, err: String((err as Error).stack ?? err) });
    if (!res.headersSent) {
      // A body refused before its end leaves bytes on the connection: close it, or a keep-alive client's next request fails (found by fuzzing).
      res.writeHead(ERRORS[ferr.code].http, { 'content-type': 'application/json', ...(req.complete ? {} : { connection: 'close' }) });
      res.end(JSON.stringify({ error: ferr.toJSON() }));
    } else {
      res.end(`${JSON.stringify({ error: ferr.toJSON() })}\n`);
    }
  }
}

/** The peer of a request on the TLS server, or FERRY_ERR_AUTH naming why its certificate is refused (logged once per connection). */
function admitted(req: http.IncomingMessage, identity: TlsIdentity): PeerIdentity {
  const socket = req.socket as TLSSocket;
  const decision = identity.admit(socket, PKI_ROLES);
  if (decision.ok) return decision.peer;
  if (!refusedSockets.has(socket)) {
    refusedSockets.add(socket);
    log('warn', 'TLS peer refused', { from: `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`, reason: decision.reason });
  }
  throw new FerryError('FERRY_ERR_AUTH', `TLS peer refused: ${decision.reason}`);
}

/** Connections whose refusal was logged. */
const refusedSockets = new WeakSet<TLSSocket>();

/** Answers a GET for a public static file; false when the path is not one (API paths never are). */
async function serveFile(req: http.IncomingMessage, res: http.ServerResponse, files: (pathname: string) => Promise<StaticFile | undefined>): Promise<boolean> {
  let pathname: string;
  try {
    pathname = requestUrl(req).pathname;
  } catch {
    return false; // not a file: the token check and then the router refuse it
  }
  if (pathname.startsWith('/v1/') || pathname === '/metrics') return false;
  const file = await files(pathname);
  if (!file) return false;
  res.writeHead(200, { 'content-type': file.contentType, 'x-content-type-options': 'nosniff', 'content-security-policy': "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:", 'cache-control': 'no-cache' });
  res.end(file.body);
  return true;
}

/** The URL of a request; a target that does not parse (`//%zz`, found by fuzzing) is the client's error. */
function requestUrl(req: http.IncomingMessage): URL {
  try {
    return new URL(req.url ?? '/', 'http://agent');
  } catch {
    throw new FerryError('FERRY_ERR_INVALID_INPUT', `malformed request target ${JSON.stringify((req.url ?? '').slice(0, 200))}`);
  }
}

/** Reads a request body up to a limit. */
async function readBody(req: http.IncomingMessage, max: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > max) throw new FerryError('FERRY_ERR_TOO_LARGE', `request body of ${declared} bytes exceeds ${max}`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > max) throw new FerryError('FERRY_ERR_TOO_LARGE', `request body exceeds ${max} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}
