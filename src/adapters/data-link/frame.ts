/**
 * @module adapters/data-link/frame — the binary frame of the data link: encoding, and a decoder that turns
 * arbitrary socket chunks into checked frames. Pure: no sockets, no files.
 *
 * Header (46 bytes, big-endian): magic 'FY', version u8, type u8, flags u8 (bit 0 = zstd),
 * reserved u8 (0), wireLen u32, rawLen u32, sha256 of the raw payload (32 bytes).
 */
import { createHash } from 'node:crypto';
import zlib from 'node:zlib';
import { FerryError } from '../../core/errors.ts';

/** The frame types; every payload is JSON except DATA, which is raw bytes. */
export const FrameType = {
  HELLO: 1,
  ENTRY: 2,
  DATA: 3,
  ENTRY_END: 4,
  STREAM_BEGIN: 5,
  STREAM_END: 6,
  END: 7,
  ACK: 8,
  ERROR: 9,
} as const;

/** One of the frame type numbers. */
export type FrameTypeCode = (typeof FrameType)[keyof typeof FrameType];

/** Bytes in a frame header. */
export const HEADER_BYTES = 46;
/** The protocol version this code speaks. */
export const FRAME_VERSION = 1;
/** Flag bit: the payload on the wire is zstd-compressed. */
export const FLAG_ZSTD = 0x01;

const MAGIC = 0x4659; // 'FY'
const TYPE_NAMES = new Map<number, string>(Object.entries(FrameType).map(([name, code]) => [code, name]));

/** How a payload is compressed on the wire. */
export interface EncodeOptions {
  compression: 'zstd' | 'none';
  /** zstd level; 1 keeps up with a fast link. */
  level?: number;
}

/** A decoded, verified frame. */
export interface Frame {
  type: FrameTypeCode;
  /** The raw (decompressed) payload. */
  payload: Buffer;
  /** Bytes this frame took on the wire, header included. */
  wireBytes: number;
  /** Position in its connection, from 0, for error messages. */
  index: number;
}

/** The name of a frame type, for messages ("DATA", or "type 0x2a" when unknown). */
export function frameTypeName(type: number): string {
  return TYPE_NAMES.get(type) ?? `type 0x${type.toString(16).padStart(2, '0')}`;
}

/** Encodes one frame; the payload is compressed only when that makes it smaller. */
export function encodeFrame(type: FrameTypeCode, payload: Uint8Array, options: EncodeOptions = { compression: 'none' }): Buffer {
  const raw = Buffer.isBuffer(payload) ? payload : Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
  let wire = raw;
  let flags = 0;
  if (options.compression === 'zstd' && raw.length > 0) {
    const packed = zlib.zstdCompressSync(raw, { params: { [zlib.constants.ZSTD_c_compressionLevel]: options.level ?? 1 } });
    if (packed.length < raw.length) {
      wire = packed;
      flags |= FLAG_ZSTD;
    }
  }
  const frame = Buffer.allocUnsafe(HEADER_BYTES + wire.length);
  frame.writeUInt16BE(MAGIC, 0);
  frame.writeUInt8(FRAME_VERSION, 2);
  frame.writeUInt8(type, 3);
  frame.writeUInt8(flags, 4);
  frame.writeUInt8(0, 5);
  frame.writeUInt32BE(wire.length, 6);
  frame.writeUInt32BE(raw.length, 10);
  createHash('sha256').update(raw).digest().copy(frame, 14);
  wire.copy(frame, HEADER_BYTES);
  return frame;
}

/** Encodes a frame whose payload is a JSON value. */
export function encodeJsonFrame(type: FrameTypeCode, value: unknown, options?: EncodeOptions): Buffer {
  return encodeFrame(type, Buffer.from(JSON.stringify(value)), options);
}

/** Parses the JSON payload of a frame; malformed JSON is a protocol error naming the frame. */
export function frameJson(frame: Frame): unknown {
  try {
    return JSON.parse(frame.payload.toString('utf8')) as unknown;
  } catch {
    throw new FerryError('FERRY_ERR_PROTOCOL', `frame ${frame.index} (${frameTypeName(frame.type)}): payload is not valid JSON`);
  }
}

/** What the header announced, before the payload is read. */
interface Header {
  type: FrameTypeCode;
  flags: number;
  wireLen: number;
  rawLen: number;
  digest: Buffer;
}

/** Checks a header; sizes are checked here so an oversized frame is refused before it is buffered. */
function parseHeader(buf: Buffer, index: number, maxFrameBytes: number): Header {
  const where = `frame ${index}`;
  const magic = buf.readUInt16BE(0);
  if (magic !== MAGIC) throw new FerryError('FERRY_ERR_PROTOCOL', `${where}: bad magic 0x${magic.toString(16).padStart(4, '0')} (expected 'FY'); the peer does not speak the ferry data link`);
  const version = buf.readUInt8(2);
  if (version !== FRAME_VERSION) throw new FerryError('FERRY_ERR_PROTOCOL', `${where}: unsupported frame version ${version} (this side speaks ${FRAME_VERSION})`);
  const type = buf.readUInt8(3);
  if (!TYPE_NAMES.has(type)) throw new FerryError('FERRY_ERR_PROTOCOL', `${where}: unknown frame ${frameTypeName(type)}`);
  const name = `${where} (${frameTypeName(type)})`;
  const flags = buf.readUInt8(4);
  if ((flags & ~FLAG_ZSTD) !== 0) throw new FerryError('FERRY_ERR_PROTOCOL', `${name}: unknown flags 0x${flags.toString(16)}`);
  if (buf.readUInt8(5) !== 0) throw new FerryError('FERRY_ERR_PROTOCOL', `${name}: reserved header byte is ${buf.readUInt8(5)}, expected 0`);
  const wireLen = buf.readUInt32BE(6);
  const rawLen = buf.readUInt32BE(10);
  if (wireLen > maxFrameBytes) throw new FerryError('FERRY_ERR_TOO_LARGE', `${name}: announces ${wireLen} bytes on the wire, the limit is ${maxFrameBytes}`);
  if (rawLen > maxFrameBytes) throw new FerryError('FERRY_ERR_TOO_LARGE', `${name}: announces ${rawLen} bytes after decompression, the limit is ${maxFrameBytes}`);
  if ((flags & FLAG_ZSTD) === 0 && wireLen !== rawLen) throw new FerryError('FERRY_ERR_PROTOCOL', `${name}: uncompressed payload with wireLen ${wireLen} != rawLen ${rawLen}`);
  return { type: type as FrameTypeCode, flags, wireLen, rawLen, digest: Buffer.from(buf.subarray(14, HEADER_BYTES)) };
}

/** Decompresses and verifies a payload against its header. */
function openPayload(header: Header, wire: Buffer, index: number): Buffer {
  const name = `frame ${index} (${frameTypeName(header.type)}, ${header.rawLen} bytes)`;
  let raw = wire;
  if ((header.flags & FLAG_ZSTD) !== 0) {
    try {
      // maxOutputLength caps the work a hostile "zip bomb" can cause at the announced size.
      raw = zlib.zstdDecompressSync(wire, { maxOutputLength: Math.max(1, header.rawLen) });
    } catch (err) {
      throw new FerryError('FERRY_ERR_INTEGRITY', `${name}: zstd payload does not decompress to the announced size: ${(err as Error).message}`);
    }
    if (raw.length !== header.rawLen) throw new FerryError('FERRY_ERR_INTEGRITY', `${name}: decompressed to ${raw.length} bytes, header announced ${header.rawLen}`);
  }
  const digest = createHash('sha256').update(raw).digest();
  if (!digest.equals(header.digest)) throw new FerryError('FERRY_ERR_INTEGRITY', `${name}: sha256 mismatch, the payload was corrupted in transit`);
  return raw;
}

/** Reassembles frames from socket chunks of any size; after one error it refuses everything. */
export class FrameDecoder {
  private maxFrameBytes: number;
  private chunks: Buffer[] = [];
  private buffered = 0;
  private header: Header | undefined;
  private index = 0;
  private failure: FerryError | undefined;

  /** `maxFrameBytes` caps both the wire and the raw size of one payload. */
  constructor(options: { maxFrameBytes: number }) {
    this.maxFrameBytes = options.maxFrameBytes;
  }

  /** Changes the cap for frames not yet begun (a server raises it once the peer is authenticated). */
  setMaxFrameBytes(max: number): void {
    this.maxFrameBytes = max;
  }

  /** Frames completed so far in this connection. */
  get framesDecoded(): number {
    return this.index;
  }

  /** Bytes received but not yet part of a complete frame. */
  get pendingBytes(): number {
    return this.buffered;
  }

  /** Feeds a chunk; returns the frames it completed, or throws the first violation. */
  push(chunk: Buffer): Frame[] {
    const { frames, error } = this.decode(chunk);
    if (error) throw error;
    return frames;
  }

  /**
   * Feeds a chunk; returns the frames it completed and, if one followed them, the first
   * violation, so a caller can apply the good frames before it in order.
   */
  decode(chunk: Buffer): { frames: Frame[]; error?: FerryError } {
    if (this.failure) return { frames: [], error: this.failure };
    if (chunk.length > 0) {
      this.chunks.push(chunk);
      this.buffered += chunk.length;
    }
    const frames: Frame[] = [];
    try {
      for (;;) {
        if (!this.header) {
          if (this.buffered < HEADER_BYTES) break;
          this.header = parseHeader(this.take(HEADER_BYTES), this.index, this.maxFrameBytes);
        }
        if (this.buffered < this.header.wireLen) break;
        const payload = openPayload(this.header, this.take(this.header.wireLen), this.index);
        frames.push({ type: this.header.type, payload, wireBytes: HEADER_BYTES + this.header.wireLen, index: this.index });
        this.index++;
        this.header = undefined;
      }
    } catch (err) {
      this.failure = err instanceof FerryError ? err : new FerryError('FERRY_ERR_PROTOCOL', `frame ${this.index}: ${String(err)}`);
      this.chunks = [];
      this.buffered = 0;
      return { frames, error: this.failure };
    }
    return { frames };
  }

  /** Removes the first n buffered bytes, copying only when they span chunks. */
  private take(n: number): Buffer {
    const first = this.chunks[0];
    if (first && first.length >= n) {
      const out = first.subarray(0, n);
      if (first.length === n) this.chunks.shift();
      else this.chunks[0] = first.subarray(n);
      this.buffered -= n;
      return out;
    }
    const out = Buffer.allocUnsafe(n);
    let filled = 0;
    while (filled < n) {
      const head = this.chunks[0];
      if (!head) throw new Error('decoder buffer underrun');
      const part = Math.min(head.length, n - filled);
      head.copy(out, filled, 0, part);
      filled += part;
      if (part === head.length) this.chunks.shift();
      else this.chunks[0] = head.subarray(part);
    }
    this.buffered -= n;
    return out;
  }
}

/** Fault injection: flips one payload byte of an encoded frame, after its checksum was taken. */
export function flipPayloadByte(frame: Buffer): void {
  const wireLen = frame.readUInt32BE(6);
  if (wireLen === 0) throw new RangeError('cannot corrupt an empty payload');
  const at = HEADER_BYTES + Math.floor(wireLen / 2);
  frame[at] = (frame[at] ?? 0) ^ 0xff;
}
