/**
 * @module control/client — calls an agent's control API: JSON requests with the cluster
 * token, errors rebuilt into FerryErrors, NDJSON streams as async iterables.
 */
import { FerryError, fromWire, type WireError } from '../core/errors.ts';

/** A client of one agent. */
export class ControlClient {
  readonly baseUrl: string;
  private readonly token: string | undefined;
  private readonly timeoutMs: number;
  /** What answers at baseUrl, for error messages ('agent' or 'controller'). */
  private readonly peer: string;

  constructor(baseUrl: string, token: string | undefined, timeoutMs = 60_000, peer = 'agent') {
    this.baseUrl = baseUrl.replace(/\/$/, '');
    this.token = token;
    this.timeoutMs = timeoutMs;
    this.peer = peer;
  }

  /** Sends a request and returns the parsed JSON answer. */
  async call<T>(method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown, timeoutMs = this.timeoutMs): Promise<T> {
    const res = await this.send(method, path, body, timeoutMs);
    const text = await res.text();
    return parseReply<T>(res.status, text, `${method} ${this.baseUrl}${path}`);
  }

  /** Reads an NDJSON stream. */
  async *stream<T>(path: string): AsyncIterable<T> {
    const res = await this.send('GET', path, undefined, 0);
    if (res.status !== 200 || !res.body) {
      parseReply(res.status, await res.text(), `GET ${this.baseUrl}${path}`);
      return;
    }
    const decoder = new TextDecoder();
    let buffered = '';
    for await (const chunk of res.body) {
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

  /** One HTTP exchange; a network failure is FERRY_ERR_AGENT_UNREACHABLE. */
  private async send(method: string, path: string, body: unknown, timeoutMs: number): Promise<Response> {
    const headers: Record<string, string> = {};
    if (this.token) headers['authorization'] = `Bearer ${this.token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    try {
      return await fetch(this.baseUrl + path, {
        method,
        headers,
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        ...(timeoutMs > 0 ? { signal: AbortSignal.timeout(timeoutMs) } : {}),
      });
    } catch (err) {
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      const why = cause?.code ?? cause?.message ?? (err as Error).message;
      throw new FerryError('FERRY_ERR_AGENT_UNREACHABLE', `${this.peer} at ${this.baseUrl} did not answer ${method} ${path}: ${why}`, { cause: err });
    }
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
