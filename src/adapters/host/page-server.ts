/**
 * @module adapters/host/page-server — ferry's own page server for CRIU's lazy-pages daemon
 * (`criu lazy-pages --page-server`): the daemon asks for the pages of a restored process as
 * they fault or in the background, and the server answers from a {@link PageSource} — the
 * pages the destination already holds (pre-copy: no page file is written before the
 * restore) or pages still on the source (post-copy). It listens on loopback only, takes one
 * connection, and only from a socket that root owns (the daemon runs as root; any other
 * local user could otherwise read the container's memory).
 */
import net from 'node:net';
import { readFile } from 'node:fs/promises';
import { FerryError } from '../../core/errors.ts';
import { log } from '../../core/events.ts';
import { parseProcNetTcp } from './proc-net-tcp.ts';
import { PS_IOV_CLOSE, PS_IOV_FORCE_CLOSE, PS_IOV_GET, commandOf, decodeIov, encodeIov, pagesReply, type IovLayout, type PageIov } from './page-server-protocol.ts';

/** Most pages one request may ask for (the daemon asks for at most 4 MiB at once). */
export const MAX_REQUEST_PAGES = 1 << 16;

/** Where the pages come from. */
export interface PageSource {
  /** The `nrPages` pages of process `pid` from `vaddr`, or undefined when it does not have them all. */
  read(pid: number, vaddr: number, nrPages: number): Promise<Buffer | undefined> | Buffer | undefined;
}

/** A running page server. */
export interface PageServer {
  /** The loopback port the daemon connects to. */
  port: number;
  /** Requests answered and pages sent so far. */
  readonly served: { requests: number; pages: number };
  /** Resolves when the daemon said it is done (PS_IOV_CLOSE); rejects when the connection failed first. */
  done: Promise<void>;
  /** Closes the server and any connection. */
  stop(): void;
}

/** True when the TCP connection from loopback port `peerPort` to `port` belongs to root. */
export async function rootOwned(peerPort: number, port: number): Promise<boolean> {
  const text = await readFile('/proc/net/tcp', 'utf8').catch(() => '');
  return parseProcNetTcp(text).some((s) => s.local === `127.0.0.1:${peerPort}` && s.remote === `127.0.0.1:${port}` && s.uid === 0);
}

/** Starts a page server on 127.0.0.1 (a free port) for one daemon. */
export async function startPageServer(source: PageSource, layout: IovLayout): Promise<PageServer> {
  const served = { requests: 0, pages: 0 };
  let settle: { resolve: () => void; reject: (e: Error) => void } | undefined;
  const done = new Promise<void>((resolve, reject) => (settle = { resolve, reject }));
  done.catch(() => { /* awaited by whoever needs it */ });
  let taken = false;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((sock) => {
    sockets.add(sock);
    sock.on('close', () => sockets.delete(sock));
    sock.on('error', () => undefined);
    const port = (server.address() as net.AddressInfo).port;
    void rootOwned(sock.remotePort ?? 0, port).then((ok) => {
      if (!ok || taken) {
        log('warn', 'page server refused a connection', { peerPort: sock.remotePort, why: taken ? 'already serving a daemon' : 'not a root-owned loopback socket' });
        sock.destroy();
        return;
      }
      taken = true;
      serve(sock, source, layout, served).then(() => settle?.resolve(), (err: unknown) => {
        sock.destroy();
        settle?.reject(err instanceof Error ? err : new Error(String(err)));
      });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port: 0 }, resolve);
  });
  return {
    port: (server.address() as net.AddressInfo).port,
    served,
    done,
    stop: () => {
      server.close();
      for (const s of sockets) s.destroy();
      settle?.reject(new FerryError('FERRY_ERR_RESTORE', 'the page server was stopped before the daemon finished'));
    },
  };
}

/**
 * Answers one daemon's requests in order until it closes. Every request is handed to the
 * source as soon as it is read, so a fault queued behind a request still waiting for its
 * pages is asked for at once (post-copy: both go to the source as wants); the answers go
 * out in the order the daemon asked, as its protocol needs.
 */
async function serve(sock: net.Socket, source: PageSource, layout: IovLayout, served: { requests: number; pages: number }): Promise<void> {
  sock.setNoDelay(true);
  const answers: Array<Promise<Buffer[] | 'close'>> = [];
  let wake: (() => void) | undefined;
  let ended = false;
  const reader = (async () => {
    let pending: Buffer = Buffer.alloc(0);
    for await (const chunk of sock as AsyncIterable<Buffer>) {
      pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
      while (pending.length >= layout) {
        const req = decodeIov(pending, layout);
        pending = pending.subarray(layout);
        const a = answer(req, source, layout, served);
        a.catch(() => undefined); // awaited in order below; never an unhandled rejection meanwhile
        answers.push(a);
        wake?.();
      }
    }
  })().finally(() => {
    ended = true;
    wake?.();
  });
  reader.catch(() => undefined);
  for (;;) {
    const next = answers.shift();
    if (!next) {
      if (ended) {
        await reader;
        throw new FerryError('FERRY_ERR_RESTORE', 'the lazy-pages daemon closed its connection before it said it was done');
      }
      await new Promise<void>((r) => (wake = r));
      wake = undefined;
      continue;
    }
    const out = await next;
    if (out === 'close') {
      await write(sock, Buffer.alloc(4));
      sock.end();
      return;
    }
    // Header and pages go out together without being copied into one buffer.
    sock.cork();
    sock.write(out[0] as Buffer);
    const sent = write(sock, out[1] as Buffer);
    sock.uncork();
    await sent;
  }
}

/** The answer to one request: its header and its pages, or 'close' for the daemon's goodbye. */
async function answer(req: PageIov, source: PageSource, layout: IovLayout, served: { requests: number; pages: number }): Promise<Buffer[] | 'close'> {
  const cmd = commandOf(req);
  if (cmd === PS_IOV_CLOSE || cmd === PS_IOV_FORCE_CLOSE) return 'close';
  if (cmd !== PS_IOV_GET) throw new FerryError('FERRY_ERR_PROTOCOL', `the lazy-pages daemon sent page-server command ${req.cmd}, which ferry does not serve`);
  if (req.nrPages < 1 || req.nrPages > MAX_REQUEST_PAGES) throw new FerryError('FERRY_ERR_PROTOCOL', `the lazy-pages daemon asked for ${req.nrPages} pages at once (1..${MAX_REQUEST_PAGES})`);
  const pages = await source.read(req.dstId, req.vaddr, req.nrPages);
  if (!pages) throw new FerryError('FERRY_ERR_INTEGRITY', `the lazy-pages daemon asked for ${req.nrPages} pages of process ${req.dstId} at 0x${req.vaddr.toString(16)}, which the dump does not hold`);
  served.requests++;
  served.pages += req.nrPages;
  return [encodeIov(pagesReply(req), layout), pages];
}

/** Writes and waits for the kernel to take the bytes (backpressure). */
function write(sock: net.Socket, buf: Buffer): Promise<void> {
  return new Promise((resolve, reject) => sock.write(buf, (err) => (err ? reject(err) : resolve())));
}
