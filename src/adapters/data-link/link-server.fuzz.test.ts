/**
 * Fuzzing the live data-link server (issue 18) with fast-check, fixed seed: the real server on
 * 127.0.0.1:0 takes connections over real sockets, cut into random chunks, that carry whole
 * sessions (trees with hostile entries, streams, unknown roots), those sessions with bits flipped,
 * bytes spliced or lengths forged, HELLOs with wrong, unknown or malformed tickets, frames before
 * any HELLO, frames announcing more than the server takes before and after HELLO, and random bytes;
 * clients finish by waiting, by a half-close or by a reset. Every frame the server sends decodes;
 * a refusal is one last ERROR frame with a registered code (never FERRY_ERR_INTERNAL); a session
 * whose HELLO did not carry its own ticket is acknowledged nothing, opens no target and writes
 * nothing; every granted session ends exactly once; nothing is written outside the target
 * directory; the process sees no unhandled rejection, and a valid session succeeds at the end.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createWriteStream, lstatSync, mkdirSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { Readable, Writable } from 'node:stream';
import { setImmediate as yieldOnce, setTimeout as sleep } from 'node:timers/promises';
import fc from 'fast-check';
import { FerryError, isErrorCode, type ErrorCode } from '../../core/errors.ts';
import { connectDataLink, createDataLinkServer, ticketMatches, type DataLinkServer, type SessionOutcome } from './data-link.ts';
import { encodeFrame, encodeJsonFrame, FrameDecoder, FrameType, HEADER_BYTES, type Frame, type FrameTypeCode } from './frame.ts';
import { MAX_REPLY_BYTES } from './link-common.ts';
import { PRE_AUTH_FRAME_BYTES } from './link-server.ts';
import type { EntryMeta } from './messages.ts';
import { tempDir } from './test-support.ts';
import { fuzzOptions, fuzzRuns } from '../../../test/support/fuzz.ts';
import { chunkSizes, cut, frameArb, frameStarts, FRAME_TYPES, FUZZ_FRAME_BYTES, mutate, mutationArb, payloadArb, stepArb, type EntryStep, type FrameSpec, type Mutation } from '../../../test/support/data-link-arbitraries.ts';

const MAX_FILE_BYTES = 4096;
const BATCH = 32;

const base = tempDir('link-server-fuzz');
const outside = path.join(base, 'outside');
const targetRoot = path.join(base, 'target');
mkdirSync(outside);
mkdirSync(targetRoot);
writeFileSync(path.join(outside, 'keep'), 'untouched');

/** Each connection's ticket: its number's hash, so a case replays exactly. */
const ticketOf = (n: number): string => createHash('sha256').update(`ticket-${n}`).digest('hex');
const open = new Set<number>();
const grants = new Map<number, SessionOutcome[]>();
const targetCalls: Array<{ n: number; root: string }> = [];

/** The server under test: a session only for a connection still open that presents its own ticket, once; roots `rootfs` (a tree), `state` (a stream to a file) and `mem` (a stream to nowhere). */
const server: DataLinkServer = await createDataLinkServer({
  host: '127.0.0.1', port: 0, maxFrameBytes: FUZZ_FRAME_BYTES, maxFileBytes: MAX_FILE_BYTES, linkTimeoutMs: 2000,
  authorize: (hello) => {
    if (hello.migrationId === 'fz-throws') throw new Error('authorize failed: a detail for the log only');
    const n = Number(/^fz-(\d+)$/.exec(hello.migrationId)?.[1] ?? NaN);
    if (!open.has(n) || !ticketMatches(ticketOf(n), hello.ticket) || grants.has(n)) throw new FerryError('FERRY_ERR_AUTH', `data link refused: no open migration ${hello.migrationId} with that ticket`);
    const outcomes: SessionOutcome[] = [];
    grants.set(n, outcomes);
    const dir = path.join(targetRoot, `s${n}`);
    return {
      target: (root) => {
        targetCalls.push({ n, root });
        mkdirSync(dir, { recursive: true });
        if (root === 'rootfs') return { kind: 'tree', dir: path.join(dir, 'rootfs') };
        if (root === 'state') return { kind: 'stream', sink: () => createWriteStream(path.join(dir, 'state.bin')) };
        if (root === 'mem') return { kind: 'stream', sink: () => new Writable({ write: (_c, _e, done) => done() }) };
        throw new FerryError('FERRY_ERR_PROTOCOL', `data-link root ${JSON.stringify(root)} is not part of migration fz-${n}`);
      },
      onDone: (outcome) => outcomes.push(outcome),
    };
  },
});
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown): void => {
  unhandled.push(reason);
};
process.on('unhandledRejection', onUnhandled);
after(async () => {
  process.off('unhandledRejection', onUnhandled);
  await server.close();
  rmSync(base, { recursive: true, force: true });
});

/** A section of a session: a tree of hostile entries, a tree that is fine, a stream, or a root the server does not take that way. */
type Section =
  | { kind: 'hostile'; steps: EntryStep[] }
  | { kind: 'clean'; files: Uint8Array[] }
  | { kind: 'stream'; root: 'state' | 'mem'; data: Buffer[]; goodSum: boolean }
  | { kind: 'unknown'; root: string; as: 'tree' | 'stream' };

/** How a connection says HELLO when it says it wrong. */
type BadHello =
  | { kind: 'wrong'; ticket: 'changed' | 'empty' | 'prefix' | 'suffix' | 'other' | 'random'; at: number; random: string }
  | { kind: 'unknown-id' }
  | { kind: 'throws' }
  | { kind: 'malformed'; payload: Buffer }
  | { kind: 'huge'; bytes: number };

/** What one connection sends, and how it ends. */
interface ConnCase {
  what: 'session' | 'bad-hello' | 'no-hello' | 'pre-auth-oversize' | 'post-auth-oversize' | 'random';
  hello: BadHello;
  sections: Section[];
  end: boolean;
  /** Frames sent before any HELLO (no-hello). */
  before: FrameSpec[];
  /** A header announcing more than the server takes. */
  announced: { type: FrameTypeCode; len: number; onWire: boolean };
  /** Random bytes (random), or bytes after an oversized header. */
  bytes: Uint8Array;
  mutations: Mutation[];
  compression: 'none' | 'zstd';
  sizes: number[];
  /** Yield between chunks, so that they arrive as separate reads. */
  pace: boolean;
  /** Wait for the server to close, half-close at once, or reset. */
  finish: 'linger' | 'end' | 'reset';
}

const sectionArb: fc.Arbitrary<Section> = fc.oneof(
  { weight: 3, arbitrary: fc.array(stepArb, { minLength: 1, maxLength: 6 }).map((steps) => ({ kind: 'hostile' as const, steps })) },
  { weight: 3, arbitrary: fc.array(fc.uint8Array({ maxLength: 1500 }), { maxLength: 3 }).map((files) => ({ kind: 'clean' as const, files })) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('stream' as const), root: fc.constantFrom('state' as const, 'mem' as const), data: fc.array(payloadArb, { maxLength: 4 }), goodSum: fc.boolean() }) },
  { weight: 1, arbitrary: fc.constantFrom(['nope', 'tree'], ['..', 'stream'], ['a'.repeat(256), 'tree'], ['rootfs', 'stream'], ['state', 'tree'], ['mem', 'tree']).map(([root, as]) => ({ kind: 'unknown' as const, root: root ?? '', as: as === 'tree' ? 'tree' as const : 'stream' as const })) },
);

const badHelloArb: fc.Arbitrary<BadHello> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('wrong' as const), ticket: fc.constantFrom('changed' as const, 'empty' as const, 'prefix' as const, 'suffix' as const, 'other' as const, 'random' as const), at: fc.nat(63), random: fc.string({ maxLength: 80 }) }) },
  { weight: 1, arbitrary: fc.constantFrom({ kind: 'unknown-id' as const }, { kind: 'throws' as const }) },
  {
    weight: 2,
    arbitrary: fc.oneof(
      fc.uint8Array({ maxLength: 64 }).map((a) => Buffer.from(a)),
      fc.jsonValue().map((v) => Buffer.from(JSON.stringify(v) ?? 'null')),
      fc.constantFrom('{"migrationId":"fz-1"}', '{"migrationId":"","ticket":""}', '{"migrationId":"fz-1","ticket":"x","role":"agent"}', `{"migrationId":"fz-1","ticket":"${'a'.repeat(1025)}"}`).map((t) => Buffer.from(t)),
    ).map((payload) => ({ kind: 'malformed' as const, payload })),
  },
  { weight: 1, arbitrary: fc.integer({ min: PRE_AUTH_FRAME_BYTES + 1, max: 3 * PRE_AUTH_FRAME_BYTES }).map((bytes) => ({ kind: 'huge' as const, bytes })) },
);

const connArb: fc.Arbitrary<ConnCase> = fc.record({
  what: fc.oneof(
    { weight: 5, arbitrary: fc.constant('session' as const) },
    { weight: 2, arbitrary: fc.constant('bad-hello' as const) },
    { weight: 2, arbitrary: fc.constant('no-hello' as const) },
    { weight: 1, arbitrary: fc.constantFrom('pre-auth-oversize' as const, 'post-auth-oversize' as const, 'random' as const) },
  ),
  hello: badHelloArb,
  sections: fc.array(sectionArb, { minLength: 1, maxLength: 3 }),
  end: fc.oneof({ weight: 4, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
  before: fc.array(frameArb, { minLength: 1, maxLength: 6 }),
  announced: fc.record({ type: fc.constantFrom(...FRAME_TYPES), len: fc.integer({ min: PRE_AUTH_FRAME_BYTES + 1, max: 0xffff_ffff }), onWire: fc.boolean() }),
  bytes: fc.oneof(fc.uint8Array({ maxLength: 400 }), fc.uint8Array({ maxLength: 400 }).map((a) => Uint8Array.from([0x46, 0x59, 1, ...a]))),
  mutations: fc.oneof(fc.constant<Mutation[]>([]), fc.array(mutationArb, { minLength: 1, maxLength: 3 })),
  compression: fc.constantFrom('none' as const, 'zstd' as const),
  sizes: chunkSizes,
  pace: fc.boolean(),
  finish: fc.constantFrom('linger' as const, 'linger' as const, 'end' as const, 'reset' as const),
});

const sha256 = (data: Uint8Array): string => createHash('sha256').update(data).digest('hex');
const BAD_SUM = '0'.repeat(64);

/** The frames of one section. */
function sectionFrames(s: Section, enc: { compression: 'none' | 'zstd' }): Buffer[] {
  const json = (type: FrameTypeCode, value: unknown): Buffer => encodeJsonFrame(type, value, enc);
  const file = (meta: EntryMeta, data: Uint8Array, good: boolean): Buffer[] => [
    json(FrameType.ENTRY, meta),
    ...cut(Buffer.from(data), [500, 500]).map((piece) => encodeFrame(FrameType.DATA, piece, enc)),
    json(FrameType.ENTRY_END, { sha256: good ? sha256(data) : BAD_SUM }),
  ];
  const times = { uid: 0, gid: 0, mtimeMs: 1_700_000_000_000 };
  switch (s.kind) {
    case 'hostile': {
      const out = [json(FrameType.STREAM_BEGIN, { root: 'rootfs', kind: 'tree' })];
      let raw = 0;
      for (const step of s.steps) {
        const meta = step.meta.target === 'OUTSIDE' ? { ...step.meta, target: outside } : step.meta;
        if (meta.kind === 'file' && step.data) {
          out.push(...file(meta, step.data, step.goodSum));
          raw += step.data.length;
        } else out.push(json(FrameType.ENTRY, meta));
      }
      out.push(json(FrameType.STREAM_END, { entries: s.steps.length, rawBytes: raw }));
      return out;
    }
    case 'clean': {
      const out = [
        json(FrameType.STREAM_BEGIN, { root: 'rootfs', kind: 'tree' }),
        json(FrameType.ENTRY, { path: '.', kind: 'dir', mode: 0o755, ...times }),
        json(FrameType.ENTRY, { path: 'd', kind: 'dir', mode: 0o700, ...times }),
        json(FrameType.ENTRY, { path: 'd/out', kind: 'symlink', mode: 0o777, target: outside, ...times }),
      ];
      s.files.forEach((data, i) => out.push(...file({ path: `d/f${i}`, kind: 'file', mode: 0o644, size: data.length, ...times }, data, true)));
      out.push(json(FrameType.STREAM_END, { entries: 3 + s.files.length, rawBytes: s.files.reduce((n, d) => n + d.length, 0) }));
      return out;
    }
    case 'stream': {
      const all = Buffer.concat(s.data);
      return [
        json(FrameType.STREAM_BEGIN, { root: s.root, kind: 'stream' }),
        ...s.data.map((piece) => encodeFrame(FrameType.DATA, piece, enc)),
        json(FrameType.STREAM_END, { entries: 0, rawBytes: all.length, sha256: s.goodSum ? sha256(all) : BAD_SUM }),
      ];
    }
    case 'unknown':
      return [json(FrameType.STREAM_BEGIN, { root: s.root, kind: s.as })];
  }
}

/** A header that announces `len` bytes, on the wire or after decompression. */
function oversizedHeader(a: ConnCase['announced'], atLeast: number): Buffer {
  const len = Math.max(a.len, atLeast);
  const header = encodeFrame(a.type, Buffer.alloc(0)).subarray(0, HEADER_BYTES);
  header.writeUInt32BE(a.onWire ? len : 0, 6);
  header.writeUInt32BE(a.onWire ? 0 : len, 10);
  header.writeUInt8(a.onWire ? 0 : 1, 4);
  return header;
}

/** What a connection's client must see when it waits for the end: success, or an ERROR with one of the codes (none: no ERROR either). */
type Expect = { ack: boolean; codes: readonly ErrorCode[] | 'success' | 'none' };

const SESSION_CODES: readonly ErrorCode[] = ['FERRY_ERR_UNSAFE_PATH', 'FERRY_ERR_PROTOCOL', 'FERRY_ERR_INTEGRITY', 'FERRY_ERR_TOO_LARGE'];

/** The bytes connection `n` sends, how many frames they hold, and what an unmutated one must get back. */
function build(c: ConnCase, n: number): { stream: Buffer; frames: number; expect: Expect | undefined } {
  const enc = { compression: c.compression };
  const hello = (migrationId: string, ticket: string): Buffer => encodeJsonFrame(FrameType.HELLO, { migrationId, ticket }, enc);
  const valid = hello(`fz-${n}`, ticketOf(n));
  const body = [...c.sections.flatMap((s) => sectionFrames(s, enc)), ...(c.end ? [encodeJsonFrame(FrameType.END, {})] : [])];
  const clean = c.end && c.sections.every((s) => s.kind === 'clean' || (s.kind === 'stream' && s.goodSum && s.data.reduce((k, d) => k + d.length, 0) <= MAX_FILE_BYTES));
  let frames: Buffer[];
  let expect: Expect | undefined;
  switch (c.what) {
    case 'session':
      frames = [valid, ...body];
      expect = c.end ? { ack: true, codes: clean ? 'success' : SESSION_CODES } : undefined;
      break;
    case 'bad-hello': {
      const h = c.hello;
      const ticket = ticketOf(n);
      const wrong = h.kind !== 'wrong' ? '' : {
        changed: `${ticket.slice(0, h.at)}${ticket[h.at] === '0' ? '1' : '0'}${ticket.slice(h.at + 1)}`,
        empty: '', prefix: ticket.slice(0, -1), suffix: `${ticket}0`, other: ticketOf(n + 1), random: h.random,
      }[h.ticket];
      const first = h.kind === 'wrong' ? hello(`fz-${n}`, wrong)
        : h.kind === 'unknown-id' ? hello(`fz-${n + 1_000_000}`, ticketOf(n + 1_000_000))
        : h.kind === 'throws' ? hello('fz-throws', ticket)
        : h.kind === 'malformed' ? encodeFrame(FrameType.HELLO, h.payload, enc)
        : hello(`fz-${n}`, 'x'.repeat(h.bytes));
      frames = [first, ...body];
      expect = { ack: false, codes: h.kind === 'malformed' ? ['FERRY_ERR_PROTOCOL'] : h.kind === 'huge' ? ['FERRY_ERR_TOO_LARGE'] : ['FERRY_ERR_AUTH'] };
      break;
    }
    case 'no-hello':
      // The ticket comes too, after the first frame: too late.
      frames = [...c.before.map((f) => encodeFrame(f.type, f.payload, { compression: f.compression })), valid, ...body];
      expect = { ack: false, codes: c.before[0]?.type === FrameType.ERROR ? 'none' : ['FERRY_ERR_PROTOCOL'] };
      break;
    case 'pre-auth-oversize':
      frames = [oversizedHeader(c.announced, PRE_AUTH_FRAME_BYTES + 1), Buffer.from(c.bytes)];
      expect = { ack: false, codes: ['FERRY_ERR_TOO_LARGE'] };
      break;
    case 'post-auth-oversize':
      frames = [valid, oversizedHeader(c.announced, FUZZ_FRAME_BYTES + 1), Buffer.from(c.bytes)];
      expect = { ack: true, codes: ['FERRY_ERR_TOO_LARGE'] };
      break;
    case 'random':
      return { stream: Buffer.from(c.bytes), frames: 0, expect: undefined };
  }
  let stream: Buffer = Buffer.concat(frames);
  const counted = frames.length - (c.what.endsWith('oversize') ? 1 : 0);
  if (c.what === 'pre-auth-oversize' || c.what === 'post-auth-oversize' || !c.mutations.length) return { stream, frames: counted, expect };
  const starts = frameStarts(frames);
  for (const m of c.mutations) stream = mutate(stream, starts, m);
  return { stream, frames: counted, expect: undefined };
}

/** What the client saw. */
interface Seen {
  replies: Frame[];
  decodeError: FerryError | undefined;
  /** The server closed before the client gave up waiting. */
  closedByServer: boolean;
}

/** Sends the chunks over a fresh connection and reads every reply until the connection closes. */
async function exchange(chunks: readonly Buffer[], c: ConnCase, waitForClose: boolean): Promise<Seen> {
  // No Nagle, as the real client: small writes must not wait for the peer's delayed ACK.
  const socket = net.connect({ host: '127.0.0.1', port: server.port, noDelay: true });
  const decoder = new FrameDecoder({ maxFrameBytes: MAX_REPLY_BYTES });
  const seen: Seen = { replies: [], decodeError: undefined, closedByServer: false };
  let last = performance.now();
  socket.on('data', (chunk: Buffer) => {
    last = performance.now();
    const { frames, error } = decoder.decode(chunk);
    seen.replies.push(...frames);
    seen.decodeError ??= error;
  });
  socket.on('error', () => undefined); // a reset or a write after the server's close: what was read still counts
  let closed = false;
  const close = new Promise<void>((resolve) => socket.once('close', () => {
    closed = true;
    resolve();
  }));
  await Promise.race([new Promise((resolve) => socket.once('connect', resolve)), close]);
  for (const chunk of chunks) {
    if (closed || socket.destroyed) break;
    socket.write(chunk);
    if (c.pace) await yieldOnce();
  }
  last = performance.now();
  if (c.finish === 'reset' && !closed) socket.resetAndDestroy();
  else if (c.finish === 'end') socket.end();
  else {
    // Wait for the server to close: long when it must (an expected refusal), briefly when it may be waiting for more.
    const deadline = performance.now() + (waitForClose ? 5000 : 1000);
    while (!closed && performance.now() < deadline && (waitForClose || performance.now() - last < 40)) await sleep(5);
    seen.closedByServer = closed;
    socket.end();
  }
  await Promise.race([close, sleep(5000, undefined, { ref: false })]);
  assert.ok(closed, 'the server never closed the connection');
  return seen;
}

/** Every entry below `dir`, without following symlinks. */
function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return lstatSync(full).isDirectory() ? [full, ...walk(full)] : [full];
  });
}

/** The HELLO a stream opens with, if its first frame is one. */
function firstHello(stream: Buffer): unknown {
  const { frames } = new FrameDecoder({ maxFrameBytes: PRE_AUTH_FRAME_BYTES }).decode(stream);
  const first = frames[0];
  if (first?.type !== FrameType.HELLO) return undefined;
  try {
    return JSON.parse(first.payload.toString('utf8'));
  } catch {
    return undefined;
  }
}

const tally = { connections: 0, frames: 0, bytes: 0, granted: 0, succeeded: 0, expected: 0, codes: new Map<string, number>() };

/** Checks what connection `n` got back against the rules in this file's header. */
function check(n: number, c: ConnCase, built: ReturnType<typeof build>, seen: Seen): void {
  const what = `connection ${n} (${c.what}${c.what === 'bad-hello' ? ` ${c.hello.kind}` : ''}, ${c.mutations.length} mutations, finish ${c.finish})`;
  assert.equal(seen.decodeError, undefined, `${what}: the server sent a frame that does not decode`);
  const errors = seen.replies.filter((f) => f.type === FrameType.ERROR);
  assert.ok(seen.replies.every((f) => f.type === FrameType.ACK || f.type === FrameType.ERROR), `${what}: the server sent a frame other than ACK and ERROR`);
  assert.ok(errors.length <= 1 && (errors.length === 0 || seen.replies.at(-1)?.type === FrameType.ERROR), `${what}: an ERROR that is not the last frame`);
  const error = errors[0] ? JSON.parse(errors[0].payload.toString('utf8')) as { code: unknown; message: unknown } : undefined;
  if (error) {
    assert.ok(isErrorCode(error.code), `${what}: ERROR with no registered code: ${JSON.stringify(error)}`);
    assert.notEqual(error.code, 'FERRY_ERR_INTERNAL', `${what}: ${String(error.message)}`);
    assert.equal(typeof error.message, 'string', what);
    assert.doesNotMatch(String(error.message), /a detail for the log only/, `${what}: a failing authorize's detail reached the peer`);
    tally.codes.set(error.code, (tally.codes.get(error.code) ?? 0) + 1);
  }
  const acks = seen.replies.filter((f) => f.type === FrameType.ACK).map((f) => JSON.parse(f.payload.toString('utf8')) as Record<string, unknown>);
  const granted = grants.has(n);
  if (!granted) {
    assert.deepEqual(acks, [], `${what}: acknowledged without its ticket`);
    assert.ok(!targetCalls.some((t) => t.n === n), `${what}: opened a target without its ticket`);
  } else {
    tally.granted++;
    assert.deepEqual(firstHello(built.stream), { migrationId: `fz-${n}`, ticket: ticketOf(n) }, `${what}: granted, but its first frame is not its own HELLO`);
    if (acks.length) assert.deepEqual(acks[0], { accepted: true }, what);
  }
  const summary = acks.length === 2 ? acks[1] : undefined;
  if (built.expect && c.finish === 'linger') {
    tally.expected++;
    const e = built.expect;
    assert.equal(granted, e.ack, `${what}: granted ${granted}, expected ${e.ack}`);
    if (e.codes === 'success') assert.ok(summary && !error, `${what}: a clean session did not succeed: ${JSON.stringify(error)}`);
    else if (e.codes === 'none') assert.equal(error, undefined, what);
    else if (!summary) assert.ok(error && e.codes.includes(error.code as ErrorCode), `${what}: expected an ERROR with ${e.codes.join(' or ')}, got ${JSON.stringify(error ?? 'none')}`);
  }
  if (summary) tally.succeeded++;
}

/** Waits until every granted session of the batch has ended, then checks the disk and clears the batch's targets. */
async function settle(batch: readonly number[], cases: readonly ConnCase[]): Promise<void> {
  const mine = batch.filter((n) => grants.has(n));
  for (let i = 0; i < 500 && mine.some((n) => (grants.get(n)?.length ?? 0) === 0); i++) await sleep(10);
  for (const n of mine) assert.equal(grants.get(n)?.length, 1, `connection ${n}: its session ended ${grants.get(n)?.length ?? 0} times`);
  assert.deepEqual(readdirSync(base).sort(), ['outside', 'target'], 'something was written next to the target');
  assert.deepEqual(readdirSync(outside), ['keep'], 'something was written outside the target');
  assert.equal(readFileSync(path.join(outside, 'keep'), 'utf8'), 'untouched');
  const allowed = new Set(mine.map((n) => `s${n}`));
  for (const name of readdirSync(targetRoot)) assert.ok(allowed.has(name), `${name}: written by a session that was never granted`);
  const real = realpathSync(targetRoot);
  for (const file of walk(targetRoot)) {
    if (!lstatSync(file).isSymbolicLink()) assert.ok(realpathSync(file).startsWith(`${real}/`), `${file} resolves outside the target`);
  }
  for (const n of mine) {
    const [outcome] = grants.get(n) ?? [];
    const c = cases[batch.indexOf(n)];
    if (!outcome?.ok || !c) continue;
    // A session that succeeded wrote exactly what its last clean tree and its last stream to a file carried.
    const tree = c.sections.filter((s) => s.kind === 'clean').at(-1);
    tree?.files.forEach((data, i) => assert.deepEqual(readFileSync(path.join(targetRoot, `s${n}`, 'rootfs', 'd', `f${i}`)), Buffer.from(data), `connection ${n}: d/f${i}`));
    const state = c.sections.filter((s) => s.kind === 'stream' && s.root === 'state').at(-1);
    if (state?.kind === 'stream') assert.deepEqual(readFileSync(path.join(targetRoot, `s${n}`, 'state.bin')), Buffer.concat(state.data), `connection ${n}: state.bin`);
  }
  for (const n of batch) {
    open.delete(n);
    rmSync(path.join(targetRoot, `s${n}`), { recursive: true, force: true, maxRetries: 3 });
  }
}

let next = 0;
void test('fuzz: the data-link server refuses every broken, unauthorised or oversized input with a registered ERROR, and writes only what a granted session sent, inside its target', async (t) => {
  const started = Date.now();
  // About fourteen frames a connection: enough connections for FERRY_FUZZ_RUNS frames, with a margin.
  const runs = Math.max(1, Math.ceil(fuzzRuns() / 11 / BATCH));
  await fc.assert(
    fc.asyncProperty(fc.array(connArb, { minLength: BATCH, maxLength: BATCH }), async (cases) => {
      const batch = cases.map(() => next++);
      await Promise.all(cases.map(async (c, i) => {
        const n = batch[i] ?? 0;
        open.add(n);
        const built = build(c, n);
        tally.connections++;
        tally.frames += built.frames;
        tally.bytes += built.stream.length;
        const seen = await exchange(cut(built.stream, c.sizes), c, built.expect !== undefined);
        check(n, c, built, seen);
      }));
      await settle(batch, cases);
    }),
    { ...fuzzOptions(runs), endOnFailure: true },
  );
  // The server still takes a valid session from the real client.
  const n = next++;
  open.add(n);
  const src = path.join(base, 'src');
  mkdirSync(path.join(src, 'etc'), { recursive: true });
  writeFileSync(path.join(src, 'etc', 'hostname'), 'web-1\n');
  const link = await connectDataLink({ host: '127.0.0.1', port: server.port, migrationId: `fz-${n}`, ticket: ticketOf(n), compression: 'zstd', linkTimeoutMs: 5000 });
  await link.sendTree('rootfs', src);
  await link.sendStream('state', Readable.from([Buffer.from('memory pages')]));
  const summary = await link.finish();
  assert.equal(summary.rawBytes, 'web-1\n'.length + 'memory pages'.length);
  assert.equal(readFileSync(path.join(targetRoot, `s${n}`, 'rootfs', 'etc', 'hostname'), 'utf8'), 'web-1\n');
  rmSync(src, { recursive: true, force: true });
  assert.deepEqual(unhandled, [], 'unhandled rejections');
  assert.ok(tally.frames >= fuzzRuns(), `${tally.frames} frames sent`);
  const codes = [...tally.codes].sort(([a], [b]) => a.localeCompare(b)).map(([code, k]) => `${code.replace('FERRY_ERR_', '')}×${k}`).join(' ');
  t.diagnostic(`${tally.frames} frames (${tally.bytes} bytes) over ${tally.connections} connections in ${Date.now() - started} ms; ${tally.granted} sessions granted, ${tally.succeeded} succeeded; ${tally.expected} outcomes predicted and met; ERROR codes ${codes}`);
});
