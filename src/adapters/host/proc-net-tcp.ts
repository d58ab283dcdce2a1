/**
 * @module adapters/host/proc-net-tcp — the TCP sockets of a network namespace from /proc/PID/net/tcp
 * and tcp6 (which show the namespace of that process): state, addresses and the socket's
 * inode, which ties it to the file descriptors (`socket:[INODE]`) of the processes holding
 * it. Pure parsing.
 */

/** TCP states by the number the kernel prints (include/net/tcp_states.h). */
export const TCP_STATES: Readonly<Record<number, string>> = Object.freeze({
  1: 'ESTABLISHED', 2: 'SYN_SENT', 3: 'SYN_RECV', 4: 'FIN_WAIT1', 5: 'FIN_WAIT2', 6: 'TIME_WAIT',
  7: 'CLOSE', 8: 'CLOSE_WAIT', 9: 'LAST_ACK', 10: 'LISTEN', 11: 'CLOSING', 12: 'NEW_SYN_RECV',
});

/** One TCP socket of a namespace. */
export interface TcpSocket {
  /** The socket's inode (0 for sockets no file holds, such as TIME_WAIT). */
  inode: number;
  /** The state's number (see TCP_STATES). */
  state: number;
  /** `address:port`, IPv6 in brackets. */
  local: string;
  /** `address:port` of the peer (`0.0.0.0:0` when none). */
  remote: string;
  /** The uid of the socket's owner. */
  uid: number;
}

/** The name of a TCP state, or its number when unknown. */
export function tcpStateName(state: number): string {
  return TCP_STATES[state] ?? `state ${state}`;
}

/**
 * Parses a /proc/net/tcp or tcp6 text. The kernel prints each 32-bit word of an address as
 * the hex of its value in host byte order; `littleEndian` is this host's order (x86: true).
 */
export function parseProcNetTcp(text: string, littleEndian = true): TcpSocket[] {
  const out: TcpSocket[] = [];
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (!/^\d+:$/.test(f[0] ?? '') || f.length < 10) continue;
    const local = parseEndpoint(f[1] ?? '', littleEndian);
    const remote = parseEndpoint(f[2] ?? '', littleEndian);
    const state = parseInt(f[3] ?? '', 16);
    const inode = Number(f[9]);
    const uid = Number(f[7]);
    if (!local || !remote || !Number.isInteger(state) || !Number.isInteger(inode) || !Number.isInteger(uid)) continue;
    out.push({ inode, state, local, remote, uid });
  }
  return out;
}

/** `HEXADDR:HEXPORT` → `address:port`. */
function parseEndpoint(field: string, littleEndian: boolean): string | undefined {
  const m = /^([0-9A-Fa-f]{8}|[0-9A-Fa-f]{32}):([0-9A-Fa-f]{4})$/.exec(field);
  if (!m) return undefined;
  const hex = m[1] ?? '';
  const bytes = Buffer.alloc(hex.length / 2);
  for (let i = 0; i < hex.length / 8; i++) {
    const word = parseInt(hex.slice(i * 8, i * 8 + 8), 16);
    if (littleEndian) bytes.writeUInt32LE(word, i * 4);
    else bytes.writeUInt32BE(word, i * 4);
  }
  const port = parseInt(m[2] ?? '0', 16);
  return bytes.length === 4 ? `${[...bytes].join('.')}:${port}` : `[${formatIpv6(bytes)}]:${port}`;
}

/** An IPv6 address in its short form (RFC 5952: the longest run of zero groups as `::`; mapped IPv4 dotted). */
export function formatIpv6(bytes: Buffer): string {
  if (bytes.subarray(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff) return `::ffff:${[...bytes.subarray(12)].join('.')}`;
  const groups = Array.from({ length: 8 }, (_, i) => bytes.readUInt16BE(i * 2));
  let best = { at: -1, len: 1 };
  for (let i = 0; i < 8; ) {
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > best.len) best = { at: i, len: j - i };
    i = j === i ? i + 1 : j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best.at < 0) return hex.join(':');
  return `${hex.slice(0, best.at).join(':')}::${hex.slice(best.at + best.len).join(':')}`;
}
