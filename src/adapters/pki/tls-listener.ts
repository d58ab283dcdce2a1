/**
 * @module adapters/pki/tls-listener — one TCP port that speaks only TLS, yet explains itself to a
 * peer that does not: the first byte of a connection says whether it opens a TLS handshake
 * (0x16); such a connection is handed, unread, to the TLS server, any other gets the caller's
 * plain-text refusal (an HTTP 401 naming https://, or a data-link ERROR frame) and is closed.
 */
import net from 'node:net';
import type tls from 'node:tls';
import { FerryError } from '../../core/errors.ts';
import { HANDSHAKE_TIMEOUT_MS, type TlsIdentity } from './tls-identity.ts';

/** The first byte of every TLS record that opens a handshake. */
const TLS_HANDSHAKE = 0x16;

/** A listening TLS-only port. */
export interface TlsPort {
  readonly address: net.AddressInfo;
  /** Stops listening and ends every connection it accepted, those handed to the TLS server too (a server that never listened tracks none of its own). */
  close(): Promise<void>;
}

/** Options of {@link listenTlsOnly}. */
export interface TlsPortOptions {
  readonly host: string;
  readonly port: number;
  /** Where TLS connections go (its own `listen` is never called). */
  readonly tlsServer: tls.Server;
  /** The server's identity: a rotated key and certificate are swapped in before the next handshake. */
  readonly identity: TlsIdentity;
  /** Answers a connection that does not open with TLS; it is closed shortly after. */
  readonly refusePlain: (socket: net.Socket) => void;
  /** What listens, for the error when it cannot. */
  readonly what: string;
}

/** Listens on host:port for TLS only. */
export async function listenTlsOnly(o: TlsPortOptions): Promise<TlsPort> {
  const open = new Set<net.Socket>();
  let serving = o.identity.version();
  const front = net.createServer({ noDelay: true }, (socket) => {
    open.add(socket);
    socket.once('close', () => open.delete(socket));
    socket.setTimeout(HANDSHAKE_TIMEOUT_MS, () => socket.destroy());
    socket.on('error', () => socket.destroy());
    socket.once('data', (first: Buffer) => {
      socket.setTimeout(0);
      socket.pause();
      socket.unshift(first);
      if (first[0] === TLS_HANDSHAKE) {
        const now = o.identity.version();
        if (now !== serving) {
          o.tlsServer.setSecureContext(o.identity.serverOptions());
          serving = now;
        }
        o.tlsServer.emit('connection', socket);
        return;
      }
      o.refusePlain(socket);
      linger(socket);
    });
  });
  await new Promise<void>((resolve, reject) => {
    front.once('error', (err) => reject(new FerryError('FERRY_ERR_CONFIG', `${o.what} cannot listen on ${o.host}:${o.port}: ${err.message}`, { cause: err })));
    front.listen({ host: o.host, port: o.port }, resolve);
  });
  return {
    address: front.address() as net.AddressInfo,
    close: () =>
      new Promise<void>((resolve) => {
        front.close(() => resolve());
        for (const s of open) s.destroy();
      }),
  };
}

/** Reads and discards for a moment after the refusal, so closing with unread input does not reset it away. */
function linger(socket: net.Socket): void {
  socket.resume();
  const timer = setTimeout(() => socket.destroy(), 1000);
  timer.unref();
  socket.once('close', () => clearTimeout(timer));
}
