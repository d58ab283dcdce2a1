/**
 * @module adapters/data-link/link-client — the sending end of the data link: one TCP connection (TLS 1.3
 * with the agent's certificate, with the cluster PKI) per transfer session, trees and streams sent one after another as frames, with socket
 * backpressure respected and the server's ERROR turned back into the FerryError it was.
 */
import { createHash } from 'node:crypto';
import net from 'node:net';
import tls from 'node:tls';
import { FerryError, fromWire } from '../../core/errors.ts';
import { serverDistrust } from '../../domain/pki/peer.ts';
import { log } from '../../core/events.ts';
import { CompressionProbe } from './compression-probe.ts';
import { HEADER_BYTES, encodeFrame, encodeJsonFrame, flipPayloadByte, FrameDecoder, FrameType, frameTypeName, type EncodeOptions, type Frame, type FrameTypeCode } from './frame.ts';
import { ErrorPayloadSchema, HelloAckSchema, parsePayload, TransferSummarySchema, type TransferSummary } from './messages.ts';
import { IdleTimer, LINK_DEFAULTS, MAX_REPLY_BYTES, stallError } from './link-common.ts';
import { readTree } from './tree-source.ts';
import { sendError } from './io-errors.ts';
import { rechunk, splitOnly } from './chunker.ts';
import type { DataLink, DataLinkClientOptions, LinkProgress, TreeSelection } from './data-link-types.ts';

/** Connects, says HELLO and waits for the server to accept the ticket. */
export async function connectDataLink(options: DataLinkClientOptions): Promise<DataLink> {
  const link = new LinkClient(options);
  await link.open();
  return link;
}

type Waiter<T> = { resolve: (value: T) => void; reject: (err: FerryError) => void };

/** The client state; see DataLink for the contract. */
class LinkClient implements DataLink {
  private readonly options: DataLinkClientOptions;
  private readonly encoding: EncodeOptions;
  private readonly probe = new CompressionProbe();
  private readonly chunkBytes: number;
  private readonly socket: net.Socket;
  private readonly decoder = new FrameDecoder({ maxFrameBytes: MAX_REPLY_BYTES });
  private readonly timer: IdleTimer;
  private readonly peer: string;
  private failure: FerryError | undefined;
  private finished = false;
  private chain: Promise<unknown> = Promise.resolve();
  private unflushed = 0;
  private drainWaiter: Waiter<void> | undefined;
  private replyWaiter: Waiter<Frame> | undefined;
  private readonly sent = { files: 0, rawBytes: 0, wireBytes: 0, dataFrames: 0 };
  private section: LinkProgress = { root: '', rawBytes: 0, wireBytes: 0 };

  constructor(options: DataLinkClientOptions) {
    this.options = options;
    this.encoding = { compression: options.compression ?? LINK_DEFAULTS.compression, level: options.zstdLevel ?? LINK_DEFAULTS.zstdLevel };
    this.chunkBytes = options.chunkBytes ?? LINK_DEFAULTS.chunkBytes;
    if (!Number.isInteger(this.chunkBytes) || this.chunkBytes < 1) throw new FerryError('FERRY_ERR_INVALID_INPUT', `chunkBytes must be a positive integer, got ${this.chunkBytes}`);
    this.peer = `${options.host}:${options.port}`;
    // A deep user-space queue keeps the kernel buffer full while the next chunk is prepared;
    // net.Socket passes stream options through, though its typings do not list them.
    const socketOptions: net.SocketConstructorOpts & { writableHighWaterMark: number } = { noDelay: true, writableHighWaterMark: 2 * this.chunkBytes };
    const tcp = new net.Socket(socketOptions).connect({ host: options.host, port: options.port });
    // The TLS socket gets the same deep queue: `highWaterMark` (both directions; default 16 KiB) is passed on to its stream, though the typings do not list it.
    const tlsOptions: tls.ConnectionOptions & { highWaterMark: number } = {
      ...options.tls?.clientOptions(), socket: tcp, host: options.host, highWaterMark: socketOptions.writableHighWaterMark,
      ...(net.isIP(options.host) ? {} : { servername: options.host }),
    };
    this.socket = options.tls ? tls.connect(tlsOptions) : tcp;
    const timeoutMs = options.linkTimeoutMs ?? LINK_DEFAULTS.linkTimeoutMs;
    this.timer = new IdleTimer(timeoutMs, () => this.unflushed > 0 || this.replyWaiter !== undefined, (idle) => this.fail(stallError(idle, `server ${this.peer}`)));
    this.socket.on('data', (chunk: Buffer) => this.onData(chunk));
    this.socket.on('drain', () => this.takeWaiter('drain')?.resolve());
    this.socket.on('error', (err) => this.fail(linkError(err, this.peer, options.tls !== undefined)));
    // Under TLS the TCP socket's own failures (refused, reset) are not always passed up, nor its end down.
    if (tcp !== this.socket) {
      tcp.on('error', (err) => this.fail(linkError(err, this.peer, true)));
      this.socket.once('close', () => tcp.destroy());
    }
    this.socket.on('close', () => this.fail(new FerryError('FERRY_ERR_DATA_LINK', `the server ${this.peer} closed the data link`)));
  }

  /** Sends HELLO and waits for its ACK. */
  async open(): Promise<void> {
    await this.write(FrameType.HELLO, Buffer.from(JSON.stringify({ migrationId: this.options.migrationId, ticket: this.options.ticket })));
    parsePayload(await this.reply(), HelloAckSchema);
  }

  sendTree(root: string, dir: string, select?: TreeSelection): Promise<void> {
    return this.serial(async () => {
      this.begin(root);
      await this.write(FrameType.STREAM_BEGIN, Buffer.from(JSON.stringify({ root, kind: 'tree' })));
      let entries = 0;
      let rawBytes = 0;
      try {
        for await (const item of readTree(dir, { chunkBytes: this.chunkBytes, ...select })) {
          if (item.kind === 'entry') {
            entries++;
            await this.write(FrameType.ENTRY, Buffer.from(JSON.stringify(item.meta)));
          } else if (item.kind === 'data') {
            rawBytes += item.chunk.length;
            await this.data(item.chunk);
          } else if (item.kind === 'entry-end') {
            await this.write(FrameType.ENTRY_END, Buffer.from(JSON.stringify({ sha256: item.sha256 })));
          } else {
            log('warn', 'data link skipped a file', { root, path: item.path, reason: item.reason });
            this.options.onSkip?.({ root, path: item.path, reason: item.reason });
          }
        }
      } catch (err) {
        throw this.failLocal(err, `sending tree ${dir} as ${root}`);
      }
      await this.write(FrameType.STREAM_END, Buffer.from(JSON.stringify({ entries, rawBytes })));
      this.sent.files += entries;
    });
  }

  sendStream(root: string, readable: NodeJS.ReadableStream | AsyncIterable<Uint8Array | string>, options: { immediate?: boolean } = {}): Promise<void> {
    return this.serial(async () => {
      this.begin(root);
      await this.write(FrameType.STREAM_BEGIN, Buffer.from(JSON.stringify({ root, kind: 'stream' })));
      const hash = createHash('sha256');
      let rawBytes = 0;
      try {
        for await (const chunk of (options.immediate ? splitOnly : rechunk)(readable, this.chunkBytes)) {
          hash.update(chunk);
          rawBytes += chunk.length;
          await this.data(chunk);
        }
      } catch (err) {
        throw this.failLocal(err, `sending stream ${root}`);
      }
      await this.write(FrameType.STREAM_END, Buffer.from(JSON.stringify({ entries: 0, rawBytes, sha256: hash.digest('hex') })));
      this.sent.files++;
    });
  }

  finish(): Promise<TransferSummary> {
    return this.serial(async () => {
      await this.write(FrameType.END, Buffer.from('{}'));
      const summary = parsePayload(await this.reply(), TransferSummarySchema);
      this.finished = true;
      this.timer.stop();
      this.socket.end();
      const { files, rawBytes, wireBytes } = this.sent;
      if (summary.files !== files || summary.rawBytes !== rawBytes || summary.wireBytes !== wireBytes) {
        throw new FerryError('FERRY_ERR_INTEGRITY', `the server acknowledged ${summary.files} files, ${summary.rawBytes} raw and ${summary.wireBytes} wire bytes; ${files}, ${rawBytes} and ${wireBytes} were sent`);
      }
      return summary;
    });
  }

  destroy(): void {
    this.fail(new FerryError('FERRY_ERR_DATA_LINK', `data link to ${this.peer} destroyed by the caller`));
  }

  /** Runs calls one at a time; after a failure every call rejects with it. */
  private serial<T>(op: () => Promise<T>): Promise<T> {
    const run = this.chain.then(() => {
      if (this.failure) throw this.failure;
      if (this.finished) throw new FerryError('FERRY_ERR_INVALID_INPUT', `data link to ${this.peer} is already finished`);
      return op();
    });
    this.chain = run.catch(() => undefined);
    return run;
  }

  private begin(root: string): void {
    this.section = { root, rawBytes: 0, wireBytes: 0 };
  }

  private async data(chunk: Buffer): Promise<void> {
    this.sent.dataFrames++;
    this.sent.rawBytes += chunk.length;
    this.section.rawBytes += chunk.length;
    await this.write(FrameType.DATA, chunk, this.options.faults?.corruptChunk === this.sent.dataFrames);
    this.options.onProgress?.({ ...this.section });
  }

  /** Writes one frame; waits for 'drain' when the socket asks the sender to slow down. */
  private async write(type: FrameTypeCode, payload: Buffer, corrupt = false): Promise<void> {
    if (this.failure) throw this.failure;
    let frame: Buffer;
    if (type === FrameType.DATA && this.encoding.compression !== 'none' && this.probe.shouldTry()) {
      frame = encodeFrame(type, payload, this.encoding);
      this.probe.record(payload.length, frame.length - HEADER_BYTES);
    } else {
      frame = encodeFrame(type, payload);
    }
    if (corrupt) flipPayloadByte(frame);
    this.sent.wireBytes += frame.length;
    this.section.wireBytes += frame.length;
    if (this.unflushed++ === 0) this.timer.touch();
    const ok = this.socket.write(frame, (err) => {
      this.unflushed--;
      if (!err) this.timer.touch();
    });
    if (!ok) await new Promise<void>((resolve, reject) => (this.drainWaiter = { resolve, reject }));
  }

  /** Waits for the next frame from the server (an ACK; ERROR arrives as a failure). */
  private reply(): Promise<Frame> {
    if (this.failure) return Promise.reject(this.failure);
    this.timer.touch();
    return new Promise<Frame>((resolve, reject) => (this.replyWaiter = { resolve, reject }));
  }

  private onData(chunk: Buffer): void {
    this.timer.touch();
    const { frames, error } = this.decoder.decode(chunk);
    for (const frame of frames) {
      if (frame.type === FrameType.ERROR) return this.fail(serverError(frame));
      const waiter = this.takeWaiter('reply');
      if (frame.type !== FrameType.ACK || !waiter) return this.fail(new FerryError('FERRY_ERR_PROTOCOL', `the server sent an unexpected ${frameTypeName(frame.type)} (frame ${frame.index})`));
      waiter.resolve(frame);
    }
    if (error) this.fail(error);
  }

  private takeWaiter(which: 'drain'): Waiter<void> | undefined;
  private takeWaiter(which: 'reply'): Waiter<Frame> | undefined;
  private takeWaiter(which: 'drain' | 'reply'): Waiter<void> | Waiter<Frame> | undefined {
    const waiter = which === 'drain' ? this.drainWaiter : this.replyWaiter;
    if (which === 'drain') this.drainWaiter = undefined;
    else this.replyWaiter = undefined;
    return waiter;
  }

  /** A failure on this side: the server is told, so it drops the session at once. */
  private failLocal(err: unknown, what: string): FerryError {
    if (this.failure) return this.failure;
    const error = sendError(err, what);
    if (!this.socket.destroyed) this.socket.write(encodeJsonFrame(FrameType.ERROR, { code: error.code, message: error.message }));
    this.fail(error, true);
    return error;
  }

  /** Records the first failure, rejects whatever waits, and closes the connection. */
  private fail(error: FerryError, gently = false): void {
    if (this.failure || this.finished) return;
    this.failure = error;
    this.timer.stop();
    this.takeWaiter('drain')?.reject(error);
    this.takeWaiter('reply')?.reject(error);
    if (!gently) return void this.socket.destroy();
    // Flush our ERROR frame, but never wait on a peer that stopped reading.
    this.socket.end(() => this.socket.destroy());
    setTimeout(() => this.socket.destroy(), 2000).unref();
  }
}

/** The FerryError of a failed connection: FERRY_ERR_AUTH when the server's certificate is not to be trusted. */
function linkError(err: NodeJS.ErrnoException, peer: string, withTls: boolean): FerryError {
  const distrust = serverDistrust(err.code);
  if (distrust) return new FerryError('FERRY_ERR_AUTH', `the data-link server ${peer} is not trusted: ${distrust}${withTls ? '' : '; give the agent this cluster\'s certificates (--pki-dir)'}`, { cause: err });
  return new FerryError('FERRY_ERR_DATA_LINK', `data link to ${peer} failed: ${err.message}`, { cause: err });
}

/** The FerryError an ERROR frame from the server carries. */
function serverError(frame: Frame): FerryError {
  try {
    return fromWire(parsePayload(frame, ErrorPayloadSchema), 'FERRY_ERR_DATA_LINK');
  } catch (err) {
    return err as FerryError;
  }
}
