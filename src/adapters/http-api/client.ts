/**
 * @module adapters/http-api/client — calls an agent's (or the controller's) control API: JSON
 * requests over HTTPS with this process's cluster certificate (or plain HTTP on loopback), the
 * cluster token when there is one, errors rebuilt into FerryErrors, NDJSON streams as async
 * iterables. Every call has a deadline; one that passes is FERRY_ERR_PEER_TIMEOUT when the peer
 * still answers /v1/health, and FERRY_ERR_AGENT_UNREACHABLE only when it does not. A server
 * certificate the cluster CA did not sign is FERRY_ERR_AUTH.
 */
import { Agent, fetch, type Dispatcher, type Response } from 'undici';
import { FerryError, fromWire, type WireError } from '../../core/errors.ts';
import { serverDistrust } from '../../domain/pki/peer.ts';
import type { TlsIdentity } from '../pki/tls-identity.ts';

/** How a client proves who it is: its cluster certificate (https:// URLs) and the cluster token, each when there is one. */
export interface Credentials {
  readonly token?: string | undefined;
  readonly tls?: TlsIdentity | undefined;
}

/** One connection pool per identity, so every client of a process shares its keep-alive TLS sessions; a new one after a rotation. */
const pools = new WeakMap<TlsIdentity, { version: number; pool: Agent }>();

function poolOf(tls: TlsIdentity): Dispatcher {
  const version = tls.version();
  const known = pools.get(tls);
  if (known?.version === version) return known.pool;
  void known?.pool.close(); // requests in flight finish on the old pair
  const pool = new Agent({ connect: tls.clientOptions() });
  pools.set(tls, { version, pool });
  return pool;
}


/** A call's deadline: ms, or ms with the config key that sets it (named in the error). */
export type CallDeadline = number | { ms: number; key: string };

/** How long the liveness probe after a missed deadline may take, in ms. */
const HEALTH_PROBE_MS = 3000;

/** How often a call with a long deadline checks that the peer still answers /v1/health, in ms. */
export const LIVENESS_EVERY_MS = 10_000;

/** A client of one agent. */
export class ControlClient {
  readonly baseUrl: string;
  private readonly token: string | undefined;
  /** The certificate presented on https:// (its pool is looked up per request, so a rotation takes effect). */
  private readonly tls: TlsIdentity | undefined;
  private readonly timeoutMs: number;
  /** What answers at baseUrl, for error messages ('agent' or 'controller'). */
  private readonly peer: string;
  /** The config key of the default deadline, named when a call misses it. */
  private readonly timeoutKey: string | undefined;

  /** How often a long call checks the peer's health. */
  private readonly livenessEveryMs: number;

  constructor(baseUrl: string, credentials: Credentials, timeoutMs = 60_000, peer = 'agent', timeoutKey?: string, options: { livenessEveryMs?: number } = {}) {
    this.livenessEveryMs = options.livenessEveryMs ?? LIVENESS_EVERY_MS;
    this.baseUrl = baseUrl.replace(/\/$/, '');
    this.token = credentials.token;
    this.tls = this.baseUrl.startsWith('https:') ? credentials.tls : undefined;
    this.timeoutMs = timeoutMs;
    this.peer = peer;
    this.timeoutKey = timeoutKey;
  }

  /**
   * Sends a request and returns the parsed JSON answer. A call with a long deadline (a restore
   * may take minutes) asks /v1/health every {@link LIVENESS_EVERY_MS} while it waits: a peer
   * that misses two in a row is FERRY_ERR_AGENT_UNREACHABLE then, not at the deadline (a cut
   * link leaves an established connection silent, with no error, for many minutes).
   */
  async call<T>(method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown, deadline: CallDeadline = this.timeoutKey ? { ms: this.timeoutMs, key: this.timeoutKey } : this.timeoutMs): Promise<T> {
    const ms = typeof deadline === 'number' ? deadline : deadline.ms;
    const watch = ms > 2 * this.livenessEveryMs ? this.watchLiveness() : undefined;
    try {
      const res = await this.send(method, path, body, deadline, watch?.signal);
      let text: string;
      try {
        text = await res.text();
      } catch (err) {
        throw await this.failed(method, path, deadline, err);
      }
      return parseReply<T>(res.status, text, `${method} ${this.baseUrl}${path}`);
    } catch (err) {
      if (watch?.signal.aborted) throw new FerryError('FERRY_ERR_AGENT_UNREACHABLE', `${this.peer} at ${this.baseUrl} stopped answering /v1/health while ${method} ${path} was in progress`, { cause: err });
      throw err;
    } finally {
      watch?.stop();
    }
  }

  /** Probes /v1/health every livenessEveryMs; the signal aborts after two missed answers in a row. */
  private watchLiveness(): { signal: AbortSignal; stop(): void } {
    const lost = new AbortController();
    let misses = 0;
    let stopped = false;
    let timer: NodeJS.Timeout;
    const tick = async (): Promise<void> => {
      misses = (await this.alive()) ? 0 : misses + 1;
      if (stopped) return;
      if (misses >= 2) lost.abort();
      else timer = setTimeout(() => void tick(), this.livenessEveryMs).unref();
    };
    timer = setTimeout(() => void tick(), this.livenessEveryMs).unref();
    return { signal: lost.signal, stop: () => { stopped = true; clearTimeout(timer); } };
  }

  /** True when the peer answers GET /v1/health within a few seconds (any HTTP answer: it runs). */
  async alive(): Promise<boolean> {
    try {
      await fetch(`${this.baseUrl}/v1/health`, { headers: this.headers(undefined), signal: AbortSignal.timeout(HEALTH_PROBE_MS), ...this.via() }).then((r) => r.arrayBuffer());
      return true;
    } catch {
      return false;
    }
  }

  /**
   * Reads an NDJSON stream. With `idleMs`, a stream that carries no byte for that long is
   * ended with FERRY_ERR_PEER_TIMEOUT (or FERRY_ERR_AGENT_UNREACHABLE when the peer no longer
   * answers /v1/health); a stream that breaks is FERRY_ERR_AGENT_UNREACHABLE.
   */
  async *stream<T>(path: string, idleMs = 0): AsyncIterable<T> {
    const idle = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const arm = (): void => {
      if (idleMs <= 0) return;
      if (timer) clearTimeout(timer);
      timer = setTimeout(() => idle.abort(), idleMs);
    };
    arm();
    try {
      yield* this.lines<T>(path, idle.signal, arm);
    } catch (err) {
      if (err instanceof FerryError && !idle.signal.aborted) throw err;
      if (!idle.signal.aborted) throw this.lost('GET', path, err);
      if (!(await this.alive())) throw new FerryError('FERRY_ERR_AGENT_UNREACHABLE', `${this.peer} at ${this.baseUrl} sent nothing on GET ${path} for ${idleMs} ms and does not answer /v1/health`, { cause: err });
      throw new FerryError('FERRY_ERR_PEER_TIMEOUT', `${this.peer} at ${this.baseUrl} answers /v1/health but sent nothing on GET ${path} for ${idleMs} ms`, { cause: err });
    } finally {
      if (timer) clearTimeout(timer);
    }
  }

  /** The items of an NDJSON answer; `onData` is told of every chunk. */
  private async *lines<T>(path: string, signal: AbortSignal, onData: () => void): AsyncIterable<T> {
    const res = await this.send('GET', path, undefined, 0, signal);
    if (res.status !== 200 || !res.body) {
      parseReply(res.status, await res.text(), `GET ${this.baseUrl}${path}`);
      return;
    }
    const decoder = new TextDecoder();
    let buffered = '';
    for await (const chunk of res.body) {
      onData();
      buffered += decoder.decode(chunk as Uint8Array, { stream: true });
      let nl: number;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, nl).trim();
        buffered = buffered.slice(nl + 1);
        if (!line) continue;
        const item = JSON.parse(line) as T & { error?: WireError };
        if (item.error) throw fromWire(item.error);
        yield item as Awaited<T>;
      }
    }
  }

  /**
   * One HTTP exchange. A missed deadline is FERRY_ERR_PEER_TIMEOUT when the peer still
   * answers /v1/health; a network failure, or a deadline missed by a peer that no longer
   * answers, is FERRY_ERR_AGENT_UNREACHABLE.
   */
  private async send(method: string, path: string, body: unknown, deadline: CallDeadline, signal?: AbortSignal): Promise<Response> {
    const ms = typeof deadline === 'number' ? deadline : deadline.ms;
    const signals = [...(ms > 0 ? [AbortSignal.timeout(ms)] : []), ...(signal ? [signal] : [])];
    try {
      return await fetch(this.baseUrl + path, {
        method,
        headers: this.headers(body),
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        ...(signals.length ? { signal: AbortSignal.any(signals) } : {}),
        ...this.via(),
      });
    } catch (err) {
      throw await this.failed(method, path, deadline, err);
    }
  }

  /** The error of a failed exchange: a missed deadline asks /v1/health whether the peer still runs. */
  private async failed(method: string, path: string, deadline: CallDeadline, err: unknown): Promise<FerryError> {
    if ((err as Error).name !== 'TimeoutError') return this.lost(method, path, err);
    const ms = typeof deadline === 'number' ? deadline : deadline.ms;
    const limit = typeof deadline === 'number' ? `${ms} ms` : `${ms} ms (config ${deadline.key})`;
    if (!(await this.alive())) return new FerryError('FERRY_ERR_AGENT_UNREACHABLE', `${this.peer} at ${this.baseUrl} did not answer ${method} ${path} within ${limit}, nor /v1/health`, { cause: err });
    return new FerryError('FERRY_ERR_PEER_TIMEOUT', `${this.peer} at ${this.baseUrl} answers /v1/health but did not answer ${method} ${path} within ${limit}`, { cause: err, details: { call: `${method} ${path}`, deadlineMs: ms } });
  }

  /** The connection pool that presents this process's certificate, for https:// URLs. */
  private via(): { dispatcher?: Dispatcher } {
    return this.tls ? { dispatcher: poolOf(this.tls) } : {};
  }

  /** The headers of a request. */
  private headers(body: unknown): Record<string, string> {
    const headers: Record<string, string> = {};
    if (this.token) headers['authorization'] = `Bearer ${this.token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    return headers;
  }

  /** FERRY_ERR_AGENT_UNREACHABLE for a connection that failed or broke. */
  private lost(method: string, path: string, err: unknown): FerryError {
    if (err instanceof FerryError) return err;
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    const distrust = serverDistrust(cause?.code);
    if (distrust) return new FerryError('FERRY_ERR_AUTH', `${this.peer} at ${this.baseUrl} is not trusted on ${method} ${path}: ${distrust}${this.tls ? '' : '; pass this cluster\'s PKI directory (--pki-dir or FERRY_TLS_DIR)'}`, { cause: err });
    const why = cause?.code ?? cause?.message ?? (err as Error).message;
    return new FerryError('FERRY_ERR_AGENT_UNREACHABLE', `${this.peer} at ${this.baseUrl} did not answer ${method} ${path}: ${why}`, { cause: err });
  }
}

/** Parses an answer; error statuses become FerryErrors. */
function parseReply<T>(status: number, text: string, what: string): T {
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : {};
  } catch {
    throw new FerryError('FERRY_ERR_PROTOCOL', `${what} answered ${status} with a body that is not JSON`);
  }
  if (status >= 300) {
    const wire = (json as { error?: WireError }).error;
    throw wire ? fromWire(wire) : new FerryError('FERRY_ERR_PROTOCOL', `${what} answered ${status}`);
  }
  return json as T;
}
