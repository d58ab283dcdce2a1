import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { once } from 'node:events';
import { PS_IOV_CLOSE, PS_IOV_GET, commandOf, decodeIov, encodeIov, iovLayoutOf, type IovLayout } from './page-server-protocol.ts';
import { startPageServer, type PageSource } from './page-server.ts';
import { sawGoodbye } from './lazy-guard.ts';

test('CRIU 4.2 speaks 32-byte headers, older CRIU 24; both round-trip', () => {
  assert.equal(iovLayoutOf('4.2.1'), 32);
  assert.equal(iovLayoutOf('5.0'), 32);
  assert.equal(iovLayoutOf('4.1.1'), 24);
  for (const layout of [24, 32] as IovLayout[]) {
    const iov = { cmd: PS_IOV_GET, nrPages: 1024, vaddr: 0x7fff_0000_1000, dstId: 4242 };
    const buf = encodeIov(iov, layout);
    assert.equal(buf.length, layout);
    assert.deepEqual(decodeIov(buf, layout), iov);
  }
  const huge = encodeIov({ cmd: PS_IOV_GET, nrPages: 1, vaddr: 0, dstId: 1 }, 32);
  huge.writeBigUInt64LE(1n << 60n, 16);
  assert.throws(() => decodeIov(huge, 32), /beyond 2\^53/);
});

/** A source of pages whose bytes say where they are from. */
const source: PageSource = {
  read: (pid, vaddr, n) => {
    if (pid !== 7) return undefined;
    const out = Buffer.alloc(n * 4096);
    for (let i = 0; i < n; i++) out.writeUInt32LE(vaddr / 4096 + i, i * 4096);
    return out;
  },
};

/** Connects as the daemon does (this test runs as root in CI; as another user the server refuses it). */
async function client(port: number): Promise<net.Socket> {
  const sock = net.connect(port, '127.0.0.1');
  await once(sock, 'connect');
  return sock;
}

/** Reads exactly `n` bytes. */
async function readExactly(sock: net.Socket, n: number): Promise<Buffer> {
  const parts: Buffer[] = [];
  let have = 0;
  while (have < n) {
    const chunk = (sock.read(Math.min(n - have, sock.readableLength || 1)) as Buffer | null) ?? (await once(sock, 'readable'), null);
    if (chunk) { parts.push(chunk); have += chunk.length; }
  }
  return Buffer.concat(parts);
}

void test('answers pipelined GETs in order with header and pages, and CLOSE with a status (root only)', { skip: process.getuid?.() !== 0 ? 'runs as root only: the server serves root-owned sockets only' : false }, async () => {
  const server = await startPageServer(source, 32);
  try {
    const sock = await client(server.port);
    sock.write(Buffer.concat([encodeIov({ cmd: PS_IOV_GET, nrPages: 2, vaddr: 0x10000, dstId: 7 }, 32), encodeIov({ cmd: PS_IOV_GET, nrPages: 1, vaddr: 0x5000, dstId: 7 }, 32)]));
    const h1 = decodeIov(await readExactly(sock, 32), 32);
    assert.deepEqual([commandOf(h1), h1.nrPages, h1.vaddr, h1.dstId], [6, 2, 0x10000, 7]);
    const p1 = await readExactly(sock, 2 * 4096);
    assert.deepEqual([p1.readUInt32LE(0), p1.readUInt32LE(4096)], [0x10, 0x11]);
    const h2 = decodeIov(await readExactly(sock, 32), 32);
    assert.equal(h2.vaddr, 0x5000);
    assert.equal((await readExactly(sock, 4096)).readUInt32LE(0), 5);
    sock.write(encodeIov({ cmd: PS_IOV_CLOSE, nrPages: 0, vaddr: 0, dstId: 0 }, 32));
    assert.equal((await readExactly(sock, 4)).readInt32LE(0), 0);
    await server.done;
    assert.deepEqual(server.served, { requests: 2, pages: 3 });
    sock.destroy();
  } finally {
    server.stop();
  }
});

void test('a request for pages it does not hold, or too many, fails the server with the reason (root only)', { skip: process.getuid?.() !== 0 ? 'runs as root only: the server serves root-owned sockets only' : false }, async () => {
  for (const [iov, why] of [[{ cmd: PS_IOV_GET, nrPages: 1, vaddr: 0x1000, dstId: 8 }, /does not hold/], [{ cmd: PS_IOV_GET, nrPages: 1 << 20, vaddr: 0, dstId: 7 }, /asked for 1048576 pages/], [{ cmd: 99, nrPages: 0, vaddr: 0, dstId: 7 }, /command 99/]] as const) {
    const server = await startPageServer(source, 32);
    try {
      const sock = await client(server.port);
      sock.on('error', () => undefined);
      sock.write(encodeIov(iov, 32));
      await assert.rejects(server.done, why);
      sock.destroy();
    } finally {
      server.stop();
    }
  }
});

void test('a second connection is refused while a daemon is served (root only)', { skip: process.getuid?.() !== 0 ? 'runs as root only: the server serves root-owned sockets only' : false }, async () => {
  const server = await startPageServer(source, 32);
  try {
    const first = await client(server.port);
    await new Promise((r) => setTimeout(r, 100));
    const second = await client(server.port);
    second.on('error', () => undefined);
    await once(second, 'close');
    first.write(encodeIov({ cmd: PS_IOV_CLOSE, nrPages: 0, vaddr: 0, dstId: 0 }, 32));
    await server.done;
    first.destroy();
  } finally {
    server.stop();
  }
});

test('the guard tells the daemon\'s goodbye from its page requests, across chunk boundaries', () => {
  const get = encodeIov({ cmd: PS_IOV_GET, nrPages: 1, vaddr: 0x1000, dstId: 7 }, 32);
  const bye = encodeIov({ cmd: PS_IOV_CLOSE, nrPages: 0, vaddr: 0, dstId: 0 }, 32);
  assert.deepEqual(sawGoodbye(Buffer.concat([get, get]), 32).goodbye, false);
  const first = sawGoodbye(Buffer.concat([get, bye.subarray(0, 10)]), 32);
  assert.equal(first.goodbye, false);
  assert.equal(first.rest.length, 10);
  assert.equal(sawGoodbye(Buffer.concat([first.rest, bye.subarray(10)]), 32).goodbye, true);
});
