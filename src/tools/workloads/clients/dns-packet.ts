/**
 * @module tools/workloads/clients/dns-packet — DNS messages (RFC 1035) as far as an A-record
 * client needs them: a query with recursion desired, and a response read into its id,
 * flags, questions and answers (compressed names followed, A records as dotted addresses).
 *
 * @example
 *   socket.send(buildQuery(7, 'svc.ferry.test'));
 *   const r = parseResponse(reply); // { id: 7, rcode: 0, answers: [{ type: 1, data: '10.9.8.7', ... }] }
 */

/** Record type A. */
export const TYPE_A = 1;
const CLASS_IN = 1;
const HEADER = 12;
/** Flags of a standard query with recursion desired. */
const FLAGS_RD = 0x0100;

/** Thrown for bytes that do not form a DNS message. */
export class DnsFormatError extends Error {}

/** One resource record of an answer. */
export interface DnsRecord {
  name: string;
  type: number;
  ttl: number;
  /** A: the dotted address; other types: the record data in hex. */
  data: string;
}

/** A parsed response. */
export interface DnsResponse {
  id: number;
  /** The QR bit: a response, not a query. */
  isResponse: boolean;
  /** The response code (0 = no error, 3 = no such name). */
  rcode: number;
  truncated: boolean;
  questions: { name: string; type: number }[];
  answers: DnsRecord[];
}

/** A query for `name` of `type` (default A, class IN) with message id `id` (0..65535). */
export function buildQuery(id: number, name: string, type: number = TYPE_A): Buffer {
  const labels = name.replace(/\.$/, '').split('.').filter((l) => l !== '');
  const qname = Buffer.concat([...labels.map((l) => {
    const b = Buffer.from(l, 'ascii');
    if (b.length > 63) throw new DnsFormatError(`DNS label "${l}" is longer than 63 bytes`);
    return Buffer.concat([Buffer.from([b.length]), b]);
  }), Buffer.from([0])]);
  const header = Buffer.alloc(HEADER);
  header.writeUInt16BE(id & 0xffff, 0);
  header.writeUInt16BE(FLAGS_RD, 2);
  header.writeUInt16BE(1, 4);
  const tail = Buffer.alloc(4);
  tail.writeUInt16BE(type, 0);
  tail.writeUInt16BE(CLASS_IN, 2);
  return Buffer.concat([header, qname, tail]);
}

/** Reads a DNS message; throws {@link DnsFormatError} when it is cut short or malformed. */
export function parseResponse(buf: Buffer): DnsResponse {
  need(buf, 0, HEADER);
  const flags = buf.readUInt16BE(2);
  const qd = buf.readUInt16BE(4);
  const an = buf.readUInt16BE(6);
  let at = HEADER;
  const questions: DnsResponse['questions'] = [];
  for (let i = 0; i < qd; i++) {
    const n = readName(buf, at);
    need(buf, n.end, 4);
    questions.push({ name: n.name, type: buf.readUInt16BE(n.end) });
    at = n.end + 4;
  }
  const answers: DnsRecord[] = [];
  for (let i = 0; i < an; i++) {
    const n = readName(buf, at);
    need(buf, n.end, 10);
    const type = buf.readUInt16BE(n.end);
    const ttl = buf.readUInt32BE(n.end + 4);
    const len = buf.readUInt16BE(n.end + 8);
    const start = n.end + 10;
    need(buf, start, len);
    const rdata = buf.subarray(start, start + len);
    answers.push({ name: n.name, type, ttl, data: type === TYPE_A && len === 4 ? [...rdata].join('.') : rdata.toString('hex') });
    at = start + len;
  }
  return { id: buf.readUInt16BE(0), isResponse: (flags & 0x8000) !== 0, rcode: flags & 0x000f, truncated: (flags & 0x0200) !== 0, questions, answers };
}

/** The A-record addresses of a response for `name` (case-insensitive, as DNS names are). */
export function addressesOf(r: DnsResponse, name: string): string[] {
  const want = name.replace(/\.$/, '').toLowerCase();
  return r.answers.filter((a) => a.type === TYPE_A && a.name.toLowerCase() === want).map((a) => a.data);
}

/** A (possibly compressed) name at `at`: the name, and where the record continues. */
function readName(buf: Buffer, at: number): { name: string; end: number } {
  const labels: string[] = [];
  let pos = at;
  let end = -1;
  for (let jumps = 0; ; ) {
    need(buf, pos, 1);
    const len = buf[pos] ?? 0;
    if (len === 0) { if (end < 0) end = pos + 1; break; }
    if ((len & 0xc0) === 0xc0) {
      need(buf, pos, 2);
      if (end < 0) end = pos + 2;
      if (++jumps > 32) throw new DnsFormatError('DNS name compression loops');
      pos = buf.readUInt16BE(pos) & 0x3fff;
      continue;
    }
    if ((len & 0xc0) !== 0) throw new DnsFormatError(`DNS label length byte 0x${len.toString(16)} is reserved`);
    need(buf, pos + 1, len);
    labels.push(buf.toString('ascii', pos + 1, pos + 1 + len));
    pos += 1 + len;
  }
  return { name: labels.join('.'), end };
}

function need(buf: Buffer, at: number, n: number): void {
  if (at + n > buf.length) throw new DnsFormatError(`DNS message cut short: ${n} bytes wanted at ${at}, it has ${buf.length}`);
}
