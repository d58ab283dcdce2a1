/**
 * @module tools/workloads/clients/redis-connection — one TCP connection to Redis: requests are
 * written at once (pipelined) and answered in order. The connection never reconnects by
 * itself: when it ends, every request still waiting fails with {@link ConnectionLost} naming
 * how (ECONNRESET, EPIPE, EOF for the server's FIN, timeout, ...), and the caller decides.
 */
import net from 'node:net';
import { RespParser, encodeCommand, type RespValue } from './resp.ts';

/** The connection ended while a request waited, or before it was written; `code` says how. */
export class ConnectionLost extends Error {
  /** How the connection ended: an errno code, EOF (the server's FIN), timeout or closed. */
  readonly code: string;
  constructor(code: string) {
    super(`redis connection lost: ${code}`);
    this.code = code;
  }
}

interface Waiter { resolve: (v: RespValue) => void; reject: (e: Error) => void }

/** An open connection to Redis. */
export class RedisConnection {
  private readonly parser = new RespParser();
  private readonly waiting: Waiter[] = [];
  private lostCode: string | undefined;
  private readonly socket: net.Socket;

  private constructor(socket: net.Socket) {
    this.socket = socket;
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (err: NodeJS.ErrnoException) => { this.lostCode ??= err.code ?? err.message; });
    socket.on('end', () => { this.lostCode ??= 'EOF'; });
    socket.on('close', () => this.fail(this.lostCode ?? 'closed'));
  }

  /** Connects to `host:port`; rejects with {@link ConnectionLost} (ECONNREFUSED, ETIMEDOUT, ...) after at most `timeoutMs`. */
  static connect(host: string, port: number, timeoutMs: number): Promise<RedisConnection> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host, port });
      const timer = setTimeout(() => socket.destroy(Object.assign(new Error('connect timeout'), { code: 'ETIMEDOUT' })), timeoutMs);
      socket.once('error', (err: NodeJS.ErrnoException) => { clearTimeout(timer); reject(new ConnectionLost(err.code ?? err.message)); });
      socket.once('connect', () => { clearTimeout(timer); resolve(new RedisConnection(socket)); });
    });
  }

  /** Sends one command; resolves with its reply. */
  request(args: readonly string[]): Promise<RespValue> {
    if (this.lostCode !== undefined || this.socket.destroyed) return Promise.reject(new ConnectionLost(this.lostCode ?? 'closed'));
    return new Promise((resolve, reject) => {
      this.waiting.push({ resolve, reject });
      this.socket.write(encodeCommand(args));
    });
  }

  /** Closes the connection at once; waiting requests fail with `code`. */
  destroy(code: string): void {
    this.lostCode ??= code;
    this.socket.destroy();
  }

  /** The local and remote address, as `ip:port > ip:port`. */
  get endpoints(): string {
    return `${this.socket.localAddress}:${this.socket.localPort} > ${this.socket.remoteAddress}:${this.socket.remotePort}`;
  }

  private onData(chunk: Buffer): void {
    let replies: RespValue[];
    try {
      replies = this.parser.push(chunk);
    } catch {
      this.destroy('EPROTO');
      return;
    }
    for (const r of replies) this.waiting.shift()?.resolve(r);
  }

  private fail(code: string): void {
    this.lostCode ??= code;
    for (const w of this.waiting.splice(0)) w.reject(new ConnectionLost(code));
  }
}
