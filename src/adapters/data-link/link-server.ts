/**
 * @module adapters/data-link/link-server — the receiving end of the data link: a TCP server (TLS 1.3
 * open to agents' certificates only, with the cluster PKI), one transfer session per connection.
 * Frames are decoded as they arrive and applied in order; the first failure is answered with
 * ERROR and the connection closes, END is answered with ACK. A refused peer gets an ERROR frame
 * that says why before anything is read.
 */
import net from 'node:net';
import tls from 'node:tls';
import { asFerryError, FerryError, fromWire } from '../../core/errors.ts';
import { log } from '../../core/events.ts';
import { PKI_ROLES, roleUri } from '../../domain/pki/cert-subject.ts';
import type { TlsIdentity } from '../pki/tls-identity.ts';
import { listenTlsOnly } from '../pki/tls-listener.ts';
import { refusePlainBeyondLoopback } from '../http-api/auth.ts';
import { encodeJsonFrame, FrameDecoder, FrameType, type Frame } from './frame.ts';
import { ErrorPayloadSchema } from './messages.ts';
import { IdleTimer, LINK_DEFAULTS, stallError } from './link-common.ts';
import { Receiver, type SessionOutcome } from './receiver.ts';
import type { DataLinkServer, DataLinkServerOptions } from './data-link-types.ts';

/** Starts a data-link server; resolves once it listens. */
export async function createDataLinkServer(options: DataLinkServerOptions): Promise<DataLinkServer> {
  const settings = {
    maxFrameBytes: options.maxFrameBytes ?? LINK_DEFAULTS.maxFrameBytes,
    maxFileBytes: options.maxFileBytes ?? LINK_DEFAULTS.maxFileBytes,
    linkTimeoutMs: options.linkTimeoutMs ?? LINK_DEFAULTS.linkTimeoutMs,
    authorize: options.authorize,
  };
  const connections = new Set<Connection>();
  const accept = (socket: net.Socket): void => {
    const conn = new Connection(socket, settings);
    connections.add(conn);
    socket.once('close', () => connections.delete(conn));
  };
  const drop = (): void => {
    for (const conn of connections) conn.drop(new FerryError('FERRY_ERR_DATA_LINK', 'the data-link server is shutting down'));
  };
  if (options.tls) return listenTls(options, options.tls, accept, drop);
  refusePlainBeyondLoopback(options.host, { tls: false, plainBeyondLoopback: options.plainBeyondLoopback ?? false });
  const server = net.createServer({ noDelay: true }, accept);
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err) => reject(new FerryError('FERRY_ERR_CONFIG', `data link cannot listen on ${options.host}:${options.port}: ${err.message}`, { cause: err })));
    server.listen({ host: options.host, port: options.port }, resolve);
  });
  server.on('error', (err) => log('error', 'data link server error', { err: String(err) }));
  const address = server.address() as net.AddressInfo;
  return {
    address,
    port: address.port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        drop();
      }),
  };
}

/** The TLS data-link server: only agents of the cluster get a session; anyone else an ERROR frame naming why. */
async function listenTls(options: DataLinkServerOptions, identity: TlsIdentity, accept: (socket: net.Socket) => void, drop: () => void): Promise<DataLinkServer> {
  const server = tls.createServer(identity.serverOptions(), (socket) => {
    socket.setNoDelay(true);
    const from = `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`;
    const decision = identity.admit(socket, PKI_ROLES);
    const refusal = !decision.ok
      ? new FerryError('FERRY_ERR_AUTH', `data link refused the TLS peer: ${decision.reason}`)
      : decision.peer.role !== 'agent' ? new FerryError('FERRY_ERR_FORBIDDEN', `the data link takes sessions only from agents, not from ${roleUri(decision.peer)}`) : undefined;
    if (!refusal) return accept(socket);
    log('warn', 'data link refused a peer', { from, code: refusal.code, msg: refusal.message });
    refuse(socket, refusal);
  });
  server.on('tlsClientError', (err, socket) => log('warn', 'data link TLS handshake failed', { from: `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`, err: err.message }));
  const port = await listenTlsOnly({
    host: options.host, port: options.port, tlsServer: server, identity, what: 'the data link',
    refusePlain: (socket) => refuse(socket, new FerryError('FERRY_ERR_AUTH', `this data link speaks only TLS 1.3 with an agent's certificate of the cluster; the sending agent needs its certificates (--pki-dir)`)),
  });
  return {
    address: port.address,
    port: port.address.port,
    close: async () => {
      drop(); // each session fails as the server shuts down, before the port ends its socket
      await port.close();
    },
  };
}

/** Answers a refused peer with one ERROR frame and closes (reading and discarding for a moment, so the frame arrives). */
function refuse(socket: net.Socket, error: FerryError): void {
  socket.on('error', () => socket.destroy());
  socket.end(encodeJsonFrame(FrameType.ERROR, { code: error.code, message: error.message }));
  socket.resume();
  setTimeout(() => socket.destroy(), 1000).unref();
}

type Settings = Required<Omit<DataLinkServerOptions, 'host' | 'port' | 'tls' | 'plainBeyondLoopback'>>;
/** A frame to apply, or the end of the input: a broken frame (answered) or a lost peer (not). */
type Queued = Frame | { error: FerryError; reply: boolean };

/** How long a failing session waits for a disk write in progress before it cleans up. */
const SETTLE_MS = 1000;

/** Largest frame an unauthenticated peer may send (HELLO is a few hundred bytes). */
export const PRE_AUTH_FRAME_BYTES = 16 * 1024;

/** One accepted socket: reads, queues and applies frames, and ends the session exactly once. */
class Connection {
  private readonly socket: net.Socket;
  private readonly settings: Settings;
  private readonly decoder: FrameDecoder;
  private readonly receiver: Receiver;
  private readonly timer: IdleTimer;
  private readonly queue: Queued[] = [];
  private queuedBytes = 0;
  private pumping = false;
  private unreadable = false;
  private over = false;
  private inflight: Promise<unknown> = Promise.resolve();
  private socketError: Error | undefined;

  constructor(socket: net.Socket, settings: Settings) {
    this.socket = socket;
    this.settings = settings;
    // Until HELLO is accepted a peer is anonymous: it gets frames of a few KiB, not megabytes.
    this.decoder = new FrameDecoder({ maxFrameBytes: Math.min(settings.maxFrameBytes, PRE_AUTH_FRAME_BYTES) });
    this.receiver = new Receiver({ authorize: settings.authorize, maxFileBytes: settings.maxFileBytes });
    const peer = `client ${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`;
    this.timer = new IdleTimer(settings.linkTimeoutMs, () => !this.over, (idle) => void this.fail(stallError(idle, peer), true));
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (err) => (this.socketError ??= err));
    socket.on('close', () => {
      const err = this.socketError;
      const error = err ? new FerryError('FERRY_ERR_DATA_LINK', `data link to ${peer} failed: ${err.message}`, { cause: err }) : new FerryError('FERRY_ERR_DATA_LINK', `${peer} closed the data link before END`);
      // Behind the frames already received: a client's ERROR just before its close explains it.
      this.queue.push({ error, reply: false });
      void this.pump();
    });
  }

  /** Ends the connection from outside (server shutdown). */
  drop(error: FerryError): void {
    void this.fail(error, false);
    this.socket.destroy(); // also ends a finished session still lingering
  }

  private onData(chunk: Buffer): void {
    this.timer.touch();
    // Lingering after ERROR, or past a broken frame: read and discard, so the peer sees our ERROR.
    if (this.over || this.unreadable) return;
    const { frames, error } = this.decoder.decode(chunk);
    for (const frame of frames) {
      this.queue.push(frame);
      this.queuedBytes += frame.payload.length;
    }
    if (error) {
      // Queued behind the frames before it, so an earlier failure is the one reported.
      this.queue.push({ error, reply: true });
      this.unreadable = true;
    }
    // Disk slower than the link: stop reading and let TCP push back on the sender.
    if (this.queuedBytes > 2 * this.settings.maxFrameBytes) this.socket.pause();
    void this.pump();
  }

  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    while (!this.over) {
      const item = this.queue.shift();
      if (!item) break;
      if ('error' in item) {
        await this.fail(item.error, item.reply);
        break;
      }
      this.queuedBytes -= item.payload.length;
      if (this.queuedBytes <= this.settings.maxFrameBytes && this.socket.isPaused()) this.socket.resume();
      if (item.type === FrameType.ERROR) {
        await this.fail(clientAbort(item), false);
        break;
      }
      try {
        const handled = this.receiver.handle(item);
        this.inflight = handled;
        const ack = await handled;
        if (this.over) break; // the session ended (peer gone, stall) while this frame was applied
        if (item.type === FrameType.HELLO) this.decoder.setMaxFrameBytes(this.settings.maxFrameBytes);
        this.timer.touch();
        if (ack) this.socket.write(encodeJsonFrame(FrameType.ACK, ack));
        if (this.receiver.done) this.succeed();
      } catch (err) {
        await this.fail(asFerryError(err, 'FERRY_ERR_INTERNAL'), true);
      }
    }
    this.pumping = false;
  }

  private succeed(): void {
    this.over = true;
    this.timer.stop();
    this.socket.end();
    this.linger();
    this.report({ ok: true, summary: this.receiver.summary });
  }

  /** Ends the session with an error; with `reply`, the peer is told why before the close. */
  private async fail(error: FerryError, reply: boolean): Promise<void> {
    if (this.over) return;
    this.over = true;
    this.timer.stop();
    this.queue.length = 0;
    if (!reply) this.socket.destroy();
    // Let a write in progress settle (briefly) so abort removes a file nobody still writes.
    await Promise.race([this.inflight.catch(() => undefined), new Promise((r) => setTimeout(r, SETTLE_MS).unref())]);
    try {
      this.receiver.abort(error);
    } catch (err) {
      log('warn', 'data link abort failed', { err: String(err) });
    }
    this.report({ ok: false, error });
    if (!reply || this.socket.destroyed) return;
    this.socket.resume();
    this.socket.end(encodeJsonFrame(FrameType.ERROR, { code: error.code, message: error.message }));
    this.linger();
  }

  /** Keeps reading (and discarding) for a moment after our last frame, then closes for good. */
  private linger(): void {
    // Closing with unread input would send RST, which can destroy our last frame in flight.
    const timer = setTimeout(() => this.socket.destroy(), Math.min(this.settings.linkTimeoutMs, 2000));
    timer.unref();
    this.socket.once('close', () => clearTimeout(timer));
  }

  private report(outcome: SessionOutcome): void {
    if (outcome.ok) log('info', 'data link session done', { ...outcome.summary });
    else log('warn', 'data link session failed', { code: outcome.error.code, msg: outcome.error.message });
    try {
      this.receiver.granted?.onDone?.(outcome);
    } catch (err) {
      log('error', 'data link onDone callback failed', { err: String(err) });
    }
  }
}

/** The FerryError a client's ERROR frame carries, marked as the client's own abort. */
function clientAbort(frame: Frame): FerryError {
  let wire: unknown;
  try {
    wire = JSON.parse(frame.payload.toString('utf8'));
  } catch {
    wire = undefined;
  }
  const parsed = ErrorPayloadSchema.safeParse(wire);
  const why = parsed.success ? fromWire(parsed.data, 'FERRY_ERR_DATA_LINK') : new FerryError('FERRY_ERR_DATA_LINK', 'no reason given');
  return new FerryError(why.code, `the client aborted the transfer: ${why.message}`);
}
