import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { connectDataLink, createDataLinkServer, type DataLinkServer, type SessionOutcome } from './data-link.ts';
import { encodeFrame, encodeJsonFrame, frameJson, FrameDecoder, FrameType, HEADER_BYTES, type Frame } from './frame.ts';
import { tempDir } from './test-support.ts';
import { isCode } from '../../../test/support/errors.ts';

const HOST = '127.0.0.1';
const TICKET = 't'.repeat(48);
const base = tempDir('faults');
const closers: Array<() => Promise<void>> = [];
after(async () => {
  await Promise.all(closers.map((c) => c()));
  rmSync(base, { recursive: true, force: true });
});

/** A real server whose roots all go to trees under `dir`. */
async function treeServer(dir: string, linkTimeoutMs = 5000): Promise<{ server: DataLinkServer; outcomes: SessionOutcome[] }> {
  const outcomes: SessionOutcome[] = [];
  const server = await createDataLinkServer({
    host: HOST,
    port: 0,
    maxFrameBytes: 1024 * 1024,
    maxFileBytes: 1024 * 1024,
    linkTimeoutMs,
    authorize: () => ({ target: (root) => ({ kind: 'tree', dir: path.join(dir, root) }), onDone: (o) => outcomes.push(o) }),
  });
  closers.push(() => server.close());
  return { server, outcomes };
}

/** A hand-made client: writes raw bytes, returns every frame the server sent before it closed. */
function rawSession(port: number, bytes: Buffer): Promise<Frame[]> {
  return new Promise((resolve, reject) => {
    const frames: Frame[] = [];
    const decoder = new FrameDecoder({ maxFrameBytes: 1 << 20 });
    const socket = net.connect({ host: HOST, port }, () => socket.write(bytes));
    socket.on('data', (chunk: Buffer) => frames.push(...decoder.push(chunk)));
    socket.on('error', reject);
    socket.on('close', () => resolve(frames));
  });
}

const hello = () => encodeJsonFrame(FrameType.HELLO, { migrationId: 'm1', ticket: TICKET });
const begin = (root: string) => encodeJsonFrame(FrameType.STREAM_BEGIN, { root, kind: 'tree' });
const entry = (meta: Record<string, unknown>) => encodeJsonFrame(FrameType.ENTRY, { mode: 0o644, uid: 0, gid: 0, mtimeMs: 0, ...meta });
const rootEntry = () => entry({ path: '.', kind: 'dir', mode: 0o755 });

function lastError(frames: Frame[]): { code: string; message: string } {
  const last = frames.at(-1);
  assert.equal(last?.type, FrameType.ERROR, 'the server ends with ERROR');
  return frameJson(last) as { code: string; message: string };
}

void test('a server that stops reading is FERRY_ERR_DATA_LINK on the client after the timeout', async () => {
  // Accepts HELLO, then never reads again: the kernel buffers fill and TCP just waits.
  const sockets: net.Socket[] = [];
  const mute = net.createServer((socket) => {
    sockets.push(socket);
    const decoder = new FrameDecoder({ maxFrameBytes: 1 << 20 });
    socket.once('data', (chunk: Buffer) => {
      if (decoder.push(chunk).some((f) => f.type === FrameType.HELLO)) socket.write(encodeJsonFrame(FrameType.ACK, { accepted: true }));
      socket.pause();
    });
  });
  await new Promise<void>((r) => mute.listen(0, HOST, r));
  closers.push(
    () =>
      new Promise((r) => {
        mute.close(() => r());
        for (const socket of sockets) socket.destroy();
      }),
  );
  const port = (mute.address() as net.AddressInfo).port;
  const link = await connectDataLink({ host: HOST, port, migrationId: 'm1', ticket: TICKET, compression: 'none', zstdLevel: 1, chunkBytes: 1 << 20, linkTimeoutMs: 300 });
  const chunk = Buffer.alloc(1 << 20, 1);
  const endless = Readable.from((function* () {
    for (let i = 0; i < 4096; i++) yield chunk;
  })());
  const started = Date.now();
  await assert.rejects(link.sendStream('image', endless), isCode('FERRY_ERR_DATA_LINK', /data link stalled for \d+ ms/));
  assert.ok(Date.now() - started < 5000, 'the stall is noticed promptly');
  assert.ok(endless.destroyed, 'the source stream is released');
});

void test('a client that never says HELLO is dropped with ERROR after the timeout', async () => {
  const { server } = await treeServer(path.join(base, 'silent'), 200);
  const frames = await rawSession(server.port, Buffer.alloc(0));
  assert.deepEqual(lastError(frames).code, 'FERRY_ERR_DATA_LINK');
  assert.match(lastError(frames).message, /stalled for \d+ ms/);
});

void test('a first frame other than HELLO is answered with ERROR', async () => {
  const { server } = await treeServer(path.join(base, 'nohello'));
  const frames = await rawSession(server.port, begin('upper'));
  assert.deepEqual(lastError(frames), { code: 'FERRY_ERR_PROTOCOL', message: 'frame 0: unexpected STREAM_BEGIN before HELLO' });
});

void test('garbage and oversized frames are refused from the header', async () => {
  const { server } = await treeServer(path.join(base, 'garbage'));
  const http = await rawSession(server.port, Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'.padEnd(HEADER_BYTES, ' ')));
  assert.equal(lastError(http).code, 'FERRY_ERR_PROTOCOL');
  assert.match(lastError(http).message, /bad magic/);
  const big = encodeFrame(FrameType.DATA, Buffer.alloc(2 << 20, 1)).subarray(0, HEADER_BYTES);
  const frames = await rawSession(server.port, Buffer.concat([hello(), big]));
  assert.equal(frames[0]?.type, FrameType.ACK);
  assert.equal(lastError(frames).code, 'FERRY_ERR_TOO_LARGE');
});

void test('malicious entries are FERRY_ERR_UNSAFE_PATH and nothing is written outside the target', async () => {
  const dir = path.join(base, 'hostile');
  const outside = path.join(base, 'hostile-outside');
  mkdirSync(outside);
  const { server, outcomes } = await treeServer(dir);
  const cases: Array<[string, Buffer[], RegExp]> = [
    ['dotdot', [entry({ path: '../x', kind: 'file', size: 1 })], /unsafe path "\.\.\/x": contains a "\.\." segment/],
    ['deep-dotdot', [entry({ path: 'a/../../../x', kind: 'dir' })], /"\.\." segment/],
    ['absolute', [entry({ path: `${outside}/x`, kind: 'file', size: 1 })], /absolute path/],
    ['via-symlink', [entry({ path: 'ln', kind: 'symlink', target: outside }), entry({ path: 'ln/pwn', kind: 'file', size: 1 })], /its parent "ln" is a symlink/],
    ['via-symlink-dir', [entry({ path: 'ln', kind: 'symlink', target: '..' }), entry({ path: 'ln/pwn', kind: 'dir' })], /its parent "ln" is a symlink/],
  ];
  for (const [root, entries, message] of cases) {
    const frames = await rawSession(server.port, Buffer.concat([hello(), begin(root), rootEntry(), ...entries, encodeFrame(FrameType.DATA, Buffer.from('x'))]));
    const error = lastError(frames);
    assert.equal(error.code, 'FERRY_ERR_UNSAFE_PATH', `${root}: ${error.message}`);
    assert.match(error.message, message);
  }
  assert.deepEqual(readdirSync(outside), []);
  assert.deepEqual(readdirSync(base).sort(), ['hostile', 'hostile-outside']);
  assert.equal(existsSync(path.join(dir, 'x')), false);
  assert.ok(outcomes.every((o) => !o.ok && o.error.code === 'FERRY_ERR_UNSAFE_PATH'));
});

void test('an unknown entry kind, or DATA beyond the announced size, ends the session', async () => {
  const { server } = await treeServer(path.join(base, 'kinds'));
  const fifo = await rawSession(server.port, Buffer.concat([hello(), begin('upper'), rootEntry(), entry({ path: 'p', kind: 'fifo' })]));
  assert.equal(lastError(fifo).code, 'FERRY_ERR_PROTOCOL');
  assert.match(lastError(fifo).message, /kind: unknown entry kind "fifo"/);
  const extra = await rawSession(server.port, Buffer.concat([hello(), begin('upper2'), rootEntry(), entry({ path: 'f', kind: 'file', size: 3 }), encodeFrame(FrameType.DATA, Buffer.from('four'))]));
  assert.equal(lastError(extra).code, 'FERRY_ERR_TOO_LARGE');
  assert.match(lastError(extra).message, /"f": received 4 bytes, more than the announced 3/);
  assert.equal(existsSync(path.join(base, 'kinds', 'upper2', 'f')), false);
});

void test('destroy() drops the link and fails later calls', async () => {
  const { server, outcomes } = await treeServer(path.join(base, 'destroyed'));
  const link = await connectDataLink({ host: HOST, port: server.port, migrationId: 'm1', ticket: TICKET });
  link.destroy();
  await assert.rejects(link.finish(), isCode('FERRY_ERR_DATA_LINK', /destroyed by the caller/));
  for (let i = 0; i < 100 && outcomes.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
  assert.equal(outcomes[0]?.ok, false);
});

void test('an unreachable server is FERRY_ERR_DATA_LINK naming the address', async () => {
  const probe = net.createServer();
  await new Promise<void>((r) => probe.listen(0, HOST, r));
  const port = (probe.address() as net.AddressInfo).port;
  await new Promise((r) => probe.close(r));
  await assert.rejects(connectDataLink({ host: HOST, port, migrationId: 'm1', ticket: TICKET }), isCode('FERRY_ERR_DATA_LINK', new RegExp(`${HOST}:${port}.*ECONNREFUSED`)));
});

void test('before HELLO is accepted a peer cannot announce a large frame', async () => {
  const server = await createDataLinkServer({ host: '127.0.0.1', port: 0, maxFrameBytes: 4 << 20, linkTimeoutMs: 2000, authorize: () => ({ target: () => ({ kind: 'tree', dir: '/nonexistent' }) }) });
  try {
    const reply = await new Promise<string>((resolve) => {
      const s = net.connect(server.port, '127.0.0.1', () => s.write(encodeFrame(FrameType.DATA, Buffer.alloc(100_000, 1), { compression: 'none' })));
      let got = '';
      s.on('data', (d: Buffer) => (got += d.toString('latin1')));
      s.on('close', () => resolve(got));
      s.on('error', () => resolve(got));
    });
    assert.match(reply, /FERRY_ERR_TOO_LARGE/);
  } finally {
    await server.close();
  }
});
