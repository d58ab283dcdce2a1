import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Readable, Writable } from 'node:stream';
import { FerryError } from '../../core/errors.ts';
import { connectDataLink, createDataLinkServer, ticketMatches, type DataLinkClientOptions, type DataLinkServer, type DataLinkTarget, type SessionOutcome } from './data-link.ts';
import { buildUpperFixture, describeTree, sampleBytes, tempDir } from './test-support.ts';
import { isCode } from '../../../test/support/errors.ts';

const HOST = '127.0.0.1';
const TICKET = 'a'.repeat(48);
const base = tempDir('link');
const servers: DataLinkServer[] = [];
after(async () => {
  await Promise.all(servers.map((s) => s.close()));
  rmSync(base, { recursive: true, force: true });
});

/** A server whose only migration "m1" maps roots as given; resolves outcomes as sessions end. */
async function serve(targets: Record<string, DataLinkTarget>, extra: { linkTimeoutMs?: number; maxFileBytes?: number } = {}) {
  const outcomes: SessionOutcome[] = [];
  let progress = 0;
  const server = await createDataLinkServer({
    host: HOST,
    port: 0,
    maxFrameBytes: 4 * 1024 * 1024,
    maxFileBytes: extra.maxFileBytes ?? 1 << 30,
    linkTimeoutMs: extra.linkTimeoutMs ?? 5000,
    authorize: (hello) => {
      if (hello.migrationId !== 'm1' || !ticketMatches(TICKET, hello.ticket)) throw new FerryError('FERRY_ERR_AUTH', `data link refused: no open migration ${hello.migrationId} with that ticket`);
      return {
        target: (root) => {
          const t = targets[root];
          if (!t) throw new FerryError('FERRY_ERR_PROTOCOL', `data-link root "${root}" is not part of migration m1`);
          return t;
        },
        onProgress: (bytes) => (progress = bytes),
        onDone: (outcome) => outcomes.push(outcome),
      };
    },
  });
  servers.push(server);
  const settled = async (waitMs = 2000) => {
    for (let i = 0; i < waitMs / 10 && outcomes.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    return outcomes[0];
  };
  return { server, outcomes, settled, progress: () => progress };
}

function clientOptions(port: number, extra: Partial<DataLinkClientOptions> = {}): DataLinkClientOptions {
  return { host: HOST, port, migrationId: 'm1', ticket: TICKET, compression: 'zstd', zstdLevel: 1, chunkBytes: 1024 * 1024, linkTimeoutMs: 5000, ...extra };
}

/** A writable that keeps what it is given. */
function collector(): { sink: Writable; bytes: () => Buffer } {
  const parts: Buffer[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      parts.push(chunk);
      done();
    },
  });
  return { sink, bytes: () => Buffer.concat(parts) };
}

void test('a tree and a stream arrive intact over TCP, with the totals acknowledged', async () => {
  const src = path.join(base, 'rt-src');
  mkdirSync(src);
  const skipped = await buildUpperFixture(src);
  for (const compression of ['zstd', 'none'] as const) {
    const dst = path.join(base, `rt-dst-${compression}`);
    const image = collector();
    const { server, settled, progress } = await serve({ upper: { kind: 'tree', dir: dst }, image: { kind: 'stream', sink: () => image.sink } });
    const events: Array<{ root: string; rawBytes: number }> = [];
    const skips: string[] = [];
    const link = await connectDataLink(clientOptions(server.port, { compression, onProgress: (e) => events.push(e), onSkip: (e) => skips.push(e.path) }));
    await link.sendTree('upper', src);
    const payload = sampleBytes(5 * 1024 * 1024 + 17, 7);
    // Odd-sized pieces, as a pipe would deliver them.
    await link.sendStream('image', Readable.from((function* () {
      for (let at = 0; at < payload.length; at += 65_000) yield payload.subarray(at, at + 65_000);
    })()));
    const summary = await link.finish();
    assert.deepEqual(await describeTree(dst), await describeTree(src, { ignore: skipped }));
    assert.ok(image.bytes().equals(payload));
    assert.deepEqual(skips.sort(), skipped);
    const treeBytes = 3 * 1024 * 1024 + 123 + 6 + 4 + 10 + 4 + 7 + 6;
    assert.equal(summary.rawBytes, treeBytes + payload.length);
    assert.equal(summary.files, Object.keys(await describeTree(dst)).length + 1);
    if (compression === 'zstd') assert.ok(summary.wireBytes < summary.rawBytes / 2, `zstd shrinks sample data: ${summary.wireBytes} of ${summary.rawBytes}`);
    assert.deepEqual(await settled(), { ok: true, summary });
    assert.equal(progress(), summary.rawBytes);
    assert.equal(events.at(-1)?.root, 'image');
    assert.equal(events.at(-1)?.rawBytes, payload.length);
  }
});

void test('a wrong ticket or unknown migration is FERRY_ERR_AUTH on the client', async () => {
  const { server, settled } = await serve({});
  await assert.rejects(connectDataLink(clientOptions(server.port, { ticket: 'b'.repeat(48) })), isCode('FERRY_ERR_AUTH', /no open migration m1 with that ticket/));
  await assert.rejects(connectDataLink(clientOptions(server.port, { ticket: '' })), isCode('FERRY_ERR_AUTH'));
  await assert.rejects(connectDataLink(clientOptions(server.port, { migrationId: 'm2' })), isCode('FERRY_ERR_AUTH', /m2/));
  const outcome = await settled(200);
  assert.equal(outcome, undefined, 'no session was granted, so no session reports');
});

void test('tickets compare in constant time, by value', () => {
  assert.equal(ticketMatches(TICKET, TICKET), true);
  assert.equal(ticketMatches(TICKET, `${TICKET}a`), false);
  assert.equal(ticketMatches(TICKET, TICKET.slice(1)), false);
  assert.equal(ticketMatches('', ''), false);
});

void test('a corrupted chunk is FERRY_ERR_INTEGRITY on the client; nothing from the bad file on is kept', async () => {
  const src = path.join(base, 'corrupt-src');
  const dst = path.join(base, 'corrupt-dst');
  mkdirSync(src);
  writeFileSync(path.join(src, 'a'), sampleBytes(50_000, 1));
  writeFileSync(path.join(src, 'b'), sampleBytes(200_000, 2));
  writeFileSync(path.join(src, 'c'), sampleBytes(50_000, 3));
  const { server, settled } = await serve({ upper: { kind: 'tree', dir: dst } });
  // 64 KiB chunks: a is DATA frame 1, b is frames 2–5; frame 3 is corrupted after its checksum.
  const link = await connectDataLink(clientOptions(server.port, { chunkBytes: 64 * 1024, faults: { corruptChunk: 3 } }));
  await assert.rejects(async () => {
    await link.sendTree('upper', src);
    await link.finish();
  }, isCode('FERRY_ERR_INTEGRITY', /frame \d+ \(DATA, 65536 bytes\)/));
  const outcome = await settled();
  assert.equal(outcome?.ok, false);
  assert.deepEqual(readdirSync(dst), ['a']);
  assert.deepEqual(await describeTree(path.join(dst, 'a')), await describeTree(path.join(src, 'a')));
  await assert.rejects(link.finish(), isCode('FERRY_ERR_INTEGRITY'), 'later calls fail with the same error');
});

void test('a full disk on the destination is FERRY_ERR_DISK_FULL on the client, naming the path', async (t) => {
  const mnt = path.join(base, 'small-disk');
  mkdirSync(mnt);
  const { execFileSync } = await import('node:child_process');
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'ferry-wire-test', mnt]);
  t.after(() => execFileSync('umount', [mnt]));
  const src = path.join(base, 'big-src');
  mkdirSync(src);
  writeFileSync(path.join(src, 'big.bin'), sampleBytes(3 * 1024 * 1024, 9));
  const { server } = await serve({ upper: { kind: 'tree', dir: path.join(mnt, 'upper') } });
  const link = await connectDataLink(clientOptions(server.port));
  await assert.rejects(async () => {
    await link.sendTree('upper', src);
    await link.finish();
  }, isCode('FERRY_ERR_DISK_FULL', new RegExp(`destination disk full while writing ${mnt}/upper/big\\.bin`)));
});

void test('unknown roots and kinds that do not match are protocol errors', async () => {
  const { server } = await serve({ image: { kind: 'stream', sink: () => collector().sink } });
  const link = await connectDataLink(clientOptions(server.port));
  await assert.rejects(link.sendStream('volume:nope', Readable.from([Buffer.from('x')])).then(() => link.finish()), isCode('FERRY_ERR_PROTOCOL', /"volume:nope" is not part of migration m1/));
  const link2 = await connectDataLink(clientOptions(server.port));
  await assert.rejects(link2.sendTree('image', base).then(() => link2.finish()), isCode('FERRY_ERR_PROTOCOL', /takes a stream here, the client sent a tree/));
});

void test('a source that fails on the client aborts the session on the server too', async () => {
  const { server, settled } = await serve({ upper: { kind: 'tree', dir: path.join(base, 'abort-dst') } });
  const link = await connectDataLink(clientOptions(server.port));
  await assert.rejects(link.sendTree('upper', path.join(base, 'no-such-dir')), isCode('FERRY_ERR_TRANSFER_IO', /no-such-dir/));
  const outcome = await settled();
  assert.equal(outcome?.ok, false);
  assert.match(outcome.ok ? '' : outcome.error.message, /the client aborted the transfer: .*no-such-dir/);
});

void test('a file over maxFileBytes is refused by the server', async () => {
  const src = path.join(base, 'max-src');
  mkdirSync(src);
  writeFileSync(path.join(src, 'f'), Buffer.alloc(2000));
  const { server } = await serve({ upper: { kind: 'tree', dir: path.join(base, 'max-dst') } }, { maxFileBytes: 1000 });
  const link = await connectDataLink(clientOptions(server.port));
  await assert.rejects(link.sendTree('upper', src).then(() => link.finish()), isCode('FERRY_ERR_TOO_LARGE', /"f" announces 2000 bytes, the limit is 1000/));
});
