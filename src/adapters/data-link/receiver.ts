/**
 * @module adapters/data-link/receiver — the server's protocol state machine for one connection: HELLO and
 * authorisation, tree and stream sections, END. It is fed checked frames one at a time and
 * knows nothing of sockets; the connection turns its results and errors into ACK and ERROR.
 */
import { createHash, type Hash } from 'node:crypto';
import type { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { FerryError } from '../../core/errors.ts';
import { log } from '../../core/events.ts';
import { FrameType, frameTypeName, type Frame } from './frame.ts';
import { EntryEndSchema, EntryMetaSchema, HelloSchema, parsePayload, StreamBeginSchema, StreamEndSchema, type Hello, type TransferSummary } from './messages.ts';
import { TreeSink } from './tree-sink.ts';
import { receiveError } from './io-errors.ts';

/** Where a root goes on the receiving host: a directory tree or a byte stream. */
export type DataLinkTarget = { kind: 'tree'; dir: string } | { kind: 'stream'; sink: () => NodeJS.WritableStream | Writable };

/** How a session ended, as the server reports it to its owner. */
export type SessionOutcome = { ok: true; summary: TransferSummary } | { ok: false; error: FerryError };

/** One receiving session, as `authorize` grants it: where each root goes, and who hears about progress (the sending side is the migration's `DataLinkSession`). */
export interface ReceivingSession {
  /** Maps a root (`checkpoint`, `upper`, `volume:data`, `image`); throws FERRY_ERR_PROTOCOL for unknown ones. */
  target(root: string): DataLinkTarget;
  /** Raw bytes received so far in this session; called at most every 200 ms, and at the end. */
  onProgress?(bytes: number): void;
  /** Called once when the connection ends; only `ok` means every byte arrived intact. */
  onDone?(outcome: SessionOutcome): void;
}

/** Checks a HELLO and opens a session, or throws (e.g. FERRY_ERR_AUTH). */
export type Authorize = (hello: Hello) => ReceivingSession | Promise<ReceivingSession>;

/** A stream section in progress. */
interface StreamState {
  root: string;
  out: NodeJS.WritableStream | Writable;
  hash: Hash;
  bytes: number;
  failure: Error | undefined;
}

const PROGRESS_EVERY_MS = 200;

/** The per-connection state machine; `handle` returns an ACK payload when one is due. */
export class Receiver {
  private readonly authorize: Authorize;
  private readonly maxFileBytes: number;
  private state: 'hello' | 'idle' | 'tree' | 'stream' | 'done' | 'aborted' = 'hello';
  private session: ReceivingSession | undefined;
  private tree: TreeSink | undefined;
  private stream: StreamState | undefined;
  private files = 0;
  private rawBytes = 0;
  private wireBytes = 0;
  private lastProgress = 0;

  /** Limits apply per connection. */
  constructor(options: { authorize: Authorize; maxFileBytes: number }) {
    this.authorize = options.authorize;
    this.maxFileBytes = options.maxFileBytes;
  }

  /** The session granted by HELLO, if any. */
  get granted(): ReceivingSession | undefined {
    return this.session;
  }

  /** True once END was acknowledged. */
  get done(): boolean {
    return this.state === 'done';
  }

  /** What the session moved so far: entries and streams, DATA bytes, and every frame byte. */
  get summary(): TransferSummary {
    return { files: this.files, rawBytes: this.rawBytes, wireBytes: this.wireBytes };
  }

  /** Applies one frame; returns the ACK payload to send, if this frame earns one. */
  async handle(frame: Frame): Promise<object | undefined> {
    this.wireBytes += frame.wireBytes;
    const unexpected = () => new FerryError('FERRY_ERR_PROTOCOL', `frame ${frame.index}: unexpected ${frameTypeName(frame.type)} ${this.state === 'hello' ? 'before HELLO' : `in state ${this.state}`}`);
    switch (this.state) {
      case 'hello':
        if (frame.type !== FrameType.HELLO) throw unexpected();
        await this.hello(parsePayload(frame, HelloSchema));
        return { accepted: true };
      case 'idle':
        if (frame.type === FrameType.STREAM_BEGIN) return this.begin(frame);
        if (frame.type !== FrameType.END) throw unexpected();
        this.state = 'done';
        this.progress(true);
        return this.summary;
      case 'tree':
        return this.treeFrame(frame, unexpected);
      case 'stream':
        return this.streamFrame(frame, unexpected);
      case 'done':
      case 'aborted':
        throw unexpected();
    }
  }

  /** Undoes what is half done: the file being written is removed, a stream sink destroyed. */
  abort(error: FerryError): void {
    this.state = 'aborted';
    const { tree, stream } = this;
    this.tree = undefined;
    this.stream = undefined;
    if (tree) tree.abort();
    if (stream && 'destroy' in stream.out && typeof stream.out.destroy === 'function') stream.out.destroy(error);
  }

  private async hello(hello: Hello): Promise<void> {
    try {
      this.session = await this.authorize(hello);
    } catch (err) {
      if (err instanceof FerryError) throw err;
      // Details of a failing authorize stay in the log, not with an unauthenticated peer.
      log('error', 'data link authorize failed', { migration: hello.migrationId, err: String(err) });
      throw new FerryError('FERRY_ERR_AUTH', `data link refused for migration ${hello.migrationId}`);
    }
    this.state = 'idle';
  }

  private async begin(frame: Frame): Promise<undefined> {
    const { root, kind } = parsePayload(frame, StreamBeginSchema);
    let target: DataLinkTarget | undefined;
    try {
      target = this.session?.target(root);
    } catch (err) {
      if (err instanceof FerryError) throw err;
      throw new FerryError('FERRY_ERR_PROTOCOL', `data-link root ${JSON.stringify(root)} is not known here: ${String(err)}`);
    }
    if (!target) throw new FerryError('FERRY_ERR_PROTOCOL', `data-link root ${JSON.stringify(root)} is not known here`);
    if (target.kind !== kind) throw new FerryError('FERRY_ERR_PROTOCOL', `data-link root ${JSON.stringify(root)} takes a ${target.kind} here, the client sent a ${kind}`);
    if (target.kind === 'tree') {
      this.tree = new TreeSink(target.dir, { maxFileBytes: this.maxFileBytes });
      this.state = 'tree';
      await this.tree.open();
      return undefined;
    }
    const stream: StreamState = { root, out: target.sink(), hash: createHash('sha256'), bytes: 0, failure: undefined };
    stream.out.on('error', (err: Error) => (stream.failure ??= err));
    this.stream = stream;
    this.state = 'stream';
    return undefined;
  }

  private async treeFrame(frame: Frame, unexpected: () => FerryError): Promise<undefined> {
    const tree = this.tree;
    if (!tree) throw unexpected();
    switch (frame.type) {
      case FrameType.ENTRY:
        await tree.entry(parsePayload(frame, EntryMetaSchema), frame.index);
        return undefined;
      case FrameType.DATA:
        await tree.data(frame.payload, frame.index);
        this.rawBytes += frame.payload.length;
        this.progress(false);
        return undefined;
      case FrameType.ENTRY_END:
        tree.entryEnd(parsePayload(frame, EntryEndSchema).sha256, frame.index);
        return undefined;
      case FrameType.STREAM_END: {
        const { entries } = tree.finish(parsePayload(frame, StreamEndSchema), frame.index);
        this.files += entries;
        this.tree = undefined;
        this.state = 'idle';
        return undefined;
      }
      default:
        throw unexpected();
    }
  }

  private async streamFrame(frame: Frame, unexpected: () => FerryError): Promise<undefined> {
    const stream = this.stream;
    if (!stream) throw unexpected();
    const what = `receiving stream ${JSON.stringify(stream.root)}`;
    if (stream.failure) throw receiveError(stream.failure, what);
    if (frame.type === FrameType.DATA) {
      stream.bytes += frame.payload.length;
      if (stream.bytes > this.maxFileBytes) throw new FerryError('FERRY_ERR_TOO_LARGE', `stream ${JSON.stringify(stream.root)}: ${stream.bytes} bytes received, the limit is ${this.maxFileBytes}`);
      stream.hash.update(frame.payload);
      if (!stream.out.write(frame.payload)) await drained(stream.out);
      if (stream.failure) throw receiveError(stream.failure, what);
      this.rawBytes += frame.payload.length;
      this.progress(false);
      return undefined;
    }
    if (frame.type !== FrameType.STREAM_END) throw unexpected();
    const end = parsePayload(frame, StreamEndSchema);
    const sha256 = stream.hash.digest('hex');
    if (end.rawBytes !== stream.bytes || end.sha256 !== sha256) {
      throw new FerryError('FERRY_ERR_INTEGRITY', `stream ${JSON.stringify(stream.root)}: the source sent ${end.rawBytes} bytes with sha256 ${end.sha256 ?? '(none)'}, ${stream.bytes} bytes with sha256 ${sha256} arrived`);
    }
    stream.out.end();
    try {
      await finished(stream.out, { readable: false });
    } catch (err) {
      throw receiveError(stream.failure ?? err, what);
    }
    this.files++;
    this.stream = undefined;
    this.state = 'idle';
    return undefined;
  }

  private progress(final: boolean): void {
    const now = Date.now();
    if (!this.session?.onProgress || (!final && now - this.lastProgress < PROGRESS_EVERY_MS)) return;
    this.lastProgress = now;
    try {
      this.session.onProgress(this.rawBytes);
    } catch (err) {
      log('warn', 'data link progress callback failed', { err: String(err) });
    }
  }
}

/** Waits for a sink to drain; a sink that errors or closes instead ends the wait too. */
function drained(out: NodeJS.WritableStream | Writable): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      out.off('drain', done);
      out.off('error', done);
      out.off('close', done);
      resolve();
    };
    out.on('drain', done);
    out.on('error', done);
    out.on('close', done);
  });
}
