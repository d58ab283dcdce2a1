/**
 * @module tools/workloads/clients/resp — the Redis protocol (RESP2) as far as a client needs it:
 * commands encoded as arrays of bulk strings, and an incremental parser that turns the bytes
 * of a connection, in whatever pieces they arrive, into replies in order.
 *
 * @example
 *   socket.write(encodeCommand(['SET', 'k1', 'v1']));
 *   const parser = new RespParser();
 *   socket.on('data', (chunk) => { for (const reply of parser.push(chunk)) handle(reply); });
 */

/** An error reply (`-ERR ...`); a value, not an exception, so it can be queued like any reply. */
export class RespError {
  /** The server's message, e.g. "ERR unknown command". */
  readonly message: string;
  constructor(message: string) { this.message = message; }
}

/** One reply: simple string, error, integer, bulk string (null for nil) or array (null for nil). */
export type RespValue = string | number | null | RespError | RespValue[];

/** A command as RESP: `*N` then each argument as a bulk string. */
export function encodeCommand(args: readonly string[]): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${args.length}\r\n`)];
  for (const a of args) {
    const b = Buffer.from(a, 'utf8');
    parts.push(Buffer.from(`$${b.length}\r\n`), b, Buffer.from('\r\n'));
  }
  return Buffer.concat(parts);
}

/** Thrown for bytes that are not RESP: the connection cannot be read any further. */
export class RespProtocolError extends Error {}

/** Not enough bytes yet for a whole reply. */
const INCOMPLETE = Symbol('incomplete');
type Parsed = { value: RespValue; end: number } | typeof INCOMPLETE;

/** An incremental RESP parser: push chunks, get the replies completed so far. */
export class RespParser {
  private buf: Buffer = Buffer.alloc(0);

  /** Appends `chunk` and returns every reply it completes, in order. */
  push(chunk: Buffer): RespValue[] {
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    const out: RespValue[] = [];
    let at = 0;
    for (;;) {
      const r = parseAt(this.buf, at);
      if (r === INCOMPLETE) break;
      out.push(r.value);
      at = r.end;
    }
    this.buf = this.buf.subarray(at);
    return out;
  }

  /** Bytes received that do not yet form a whole reply. */
  get pending(): number { return this.buf.length; }
}

function parseAt(buf: Buffer, at: number): Parsed {
  const eol = buf.indexOf('\r\n', at);
  if (eol < 0) return INCOMPLETE;
  const line = buf.toString('utf8', at + 1, eol);
  const next = eol + 2;
  switch (buf[at]) {
    case 0x2b: return { value: line, end: next }; // +
    case 0x2d: return { value: new RespError(line), end: next }; // -
    case 0x3a: return { value: integer(line), end: next }; // :
    case 0x24: { // $
      const len = integer(line);
      if (len < 0) return { value: null, end: next };
      if (buf.length < next + len + 2) return INCOMPLETE;
      return { value: buf.toString('utf8', next, next + len), end: next + len + 2 };
    }
    case 0x2a: { // *
      const count = integer(line);
      if (count < 0) return { value: null, end: next };
      const items: RespValue[] = [];
      let end = next;
      for (let i = 0; i < count; i++) {
        const r = parseAt(buf, end);
        if (r === INCOMPLETE) return INCOMPLETE;
        items.push(r.value);
        end = r.end;
      }
      return { value: items, end };
    }
    default:
      throw new RespProtocolError(`not a RESP reply: first byte 0x${(buf[at] ?? 0).toString(16)} in "${buf.toString('utf8', at, Math.min(eol, at + 40))}"`);
  }
}

function integer(text: string): number {
  if (!/^-?\d+$/.test(text)) throw new RespProtocolError(`not a RESP integer: "${text.slice(0, 40)}"`);
  return Number(text);
}
