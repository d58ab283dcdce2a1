import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { readTree, type SourceItem } from './tree-source.ts';
import { TreeSink } from './tree-sink.ts';
import { parseOpaqueDirs, readOpaqueDirs } from './overlay-attrs.ts';
import type { EntryMeta } from './messages.ts';
import { buildUpperFixture, describeTree, tempDir } from './test-support.ts';
import { isCode } from '../../../test/support/errors.ts';

const base = tempDir('tree');
after(() => rmSync(base, { recursive: true, force: true }));

/** Source to sink without a network, as the data link would do it. */
async function copyTree(src: string, dst: string, chunkBytes = 256 * 1024): Promise<SourceItem[]> {
  const sink = new TreeSink(dst, { maxFileBytes: 1 << 30 });
  await sink.open();
  const items: SourceItem[] = [];
  let entries = 0;
  let rawBytes = 0;
  let index = 0;
  for await (const item of readTree(src, { chunkBytes })) {
    items.push(item);
    if (item.kind === 'entry') {
      entries++;
      await sink.entry(item.meta, index++);
    } else if (item.kind === 'data') {
      rawBytes += item.chunk.length;
      await sink.data(item.chunk, index++);
    } else if (item.kind === 'entry-end') {
      sink.entryEnd(item.sha256, index++);
    }
  }
  sink.finish({ entries, rawBytes }, index);
  return items;
}

void test('an overlay upper directory arrives intact: kinds, modes, owners, mtimes, whiteouts, opaque dirs', async () => {
  const src = path.join(base, 'upper-src');
  const dst = path.join(base, 'upper-dst');
  mkdirSync(src);
  const skipped = await buildUpperFixture(src);
  const items = await copyTree(src, dst);
  assert.deepEqual(await describeTree(dst), await describeTree(src, { ignore: skipped }));
  const got = await describeTree(dst);
  assert.match(got['etc/removed'] ?? '', /^chr 0 /);
  assert.match(got['opaque'] ?? '', /opaque$/);
  assert.match(got['sp ace\nnl'] ?? '', /opaque$/);
  assert.match(got['.'] ?? '', /opaque$/);
  assert.match(got['usr/lib/tool'] ?? '', /^file 4755 /);
  assert.match(got['private'] ?? '', /^dir 700 1234:5678 /);
  assert.equal(got['passwd-link'], 'symlink  0:0 t=' + /t=(\d+)/.exec(got['passwd-link'] ?? '')?.[1] + ' -> /etc/passwd');
  const skips = items.filter((i) => i.kind === 'skip');
  assert.deepEqual(skips.map((s) => s.path).sort(), skipped);
  assert.match(skips.find((s) => s.path === 'var/app.sock')?.reason ?? '', /socket/);
  assert.match(skips.find((s) => s.path === 'etc/null')?.reason ?? '', /character device 1:3/);
});

void test('the source streams files in chunks and sends parents before children', async () => {
  const src = path.join(base, 'order');
  mkdirSync(path.join(src, 'a/b'), { recursive: true });
  writeFileSync(path.join(src, 'a/b/big'), Buffer.alloc(1000, 1));
  const items: SourceItem[] = [];
  for await (const item of readTree(src, { chunkBytes: 300 })) items.push(item);
  const shape = items.map((i) => (i.kind === 'entry' ? `${i.meta.kind}:${i.meta.path}` : i.kind === 'data' ? `data:${i.chunk.length}` : i.kind));
  assert.deepEqual(shape, ['dir:.', 'dir:a', 'dir:a/b', 'file:a/b/big', 'data:300', 'data:300', 'data:300', 'data:100', 'entry-end']);
  const end = items.at(-1);
  assert.equal(end?.kind === 'entry-end' && end.sha256, createHash('sha256').update(Buffer.alloc(1000, 1)).digest('hex'));
});

void test('the source never follows a symlink, even to a directory', async () => {
  const src = path.join(base, 'nofollow');
  mkdirSync(src);
  symlinkSync('/etc', path.join(src, 'etc'));
  const items: SourceItem[] = [];
  for await (const item of readTree(src, { chunkBytes: 1024 })) items.push(item);
  assert.deepEqual(items.map((i) => (i.kind === 'entry' ? `${i.meta.kind}:${i.meta.path}` : i.kind)), ['dir:.', 'symlink:etc']);
});

void test('a source that is missing or not a directory is a transfer I/O error naming it', async () => {
  const missing = path.join(base, 'missing');
  await assert.rejects(async () => {
    for await (const _ of readTree(missing, { chunkBytes: 1024 })) void _;
  }, isCode('FERRY_ERR_TRANSFER_IO', new RegExp(missing)));
});

void test('getfattr dumps are parsed with their escapes, and only opaque=y counts', () => {
  const dump = Buffer.from(
    [
      '# file: /r',
      'trusted.overlay.opaque="y"',
      '',
      '# file: /r/a\\012b',
      'trusted.overlay.opaque="y"',
      '',
      '# file: /r/back\\134slash',
      'trusted.overlay.opaque=0x79',
      '',
      '# file: /r/c',
      'trusted.overlay.opaque="x"',
      'trusted.overlay.origin=0sAPsh',
      '',
      '# file: /r/d',
      'trusted.overlay.origin=0sAPsh',
      '',
      '# file: /rx/e',
      'trusted.overlay.opaque="y"',
      '',
    ].join('\n'),
  );
  const utf8 = Buffer.concat([Buffer.from('# file: /r/'), Buffer.from('ü'), Buffer.from('\ntrusted.overlay.opaque=0seQ==\n')]);
  assert.deepEqual([...parseOpaqueDirs(Buffer.concat([dump, utf8]), '/r')].sort(), ['.', 'a\nb', 'back\\slash', 'ü'].sort());
});

const entry = (meta: Partial<EntryMeta> & Pick<EntryMeta, 'path' | 'kind'>): EntryMeta => ({ mode: 0o644, uid: 0, gid: 0, mtimeMs: 1_700_000_000_000, ...meta });

void test('the sink refuses to write through a symlinked parent, and nothing lands outside', async () => {
  const outside = path.join(base, 'outside');
  const target = path.join(base, 'symlink-target');
  mkdirSync(outside);
  const sink = new TreeSink(target, { maxFileBytes: 1 << 20 });
  await sink.open();
  await sink.entry(entry({ path: 'escape', kind: 'symlink', target: outside }), 1);
  await assert.rejects(sink.entry(entry({ path: 'escape/pwn', kind: 'file', size: 1 }), 2), isCode('FERRY_ERR_UNSAFE_PATH', /"escape\/pwn": its parent "escape" is a symlink/));
  await assert.rejects(sink.entry(entry({ path: 'escape/sub/pwn', kind: 'dir' }), 3), isCode('FERRY_ERR_UNSAFE_PATH'));
  await assert.rejects(sink.entry(entry({ path: '../outside/pwn', kind: 'file', size: 1 }), 4), isCode('FERRY_ERR_UNSAFE_PATH', /"\.\." segment/));
  await assert.rejects(sink.entry(entry({ path: `${outside}/pwn`, kind: 'file', size: 1 }), 5), isCode('FERRY_ERR_UNSAFE_PATH', /absolute path/));
  assert.deepEqual(readdirSync(outside), []);
});

void test('an entry replacing a directory by a symlink cannot be used to escape later', async () => {
  const outside = path.join(base, 'outside2');
  const target = path.join(base, 'swap-target');
  mkdirSync(outside);
  const sink = new TreeSink(target, { maxFileBytes: 1 << 20 });
  await sink.open();
  await sink.entry(entry({ path: 'd', kind: 'dir', mode: 0o755 }), 1);
  await sink.entry(entry({ path: 'd', kind: 'symlink', target: outside }), 2);
  await assert.rejects(sink.entry(entry({ path: 'd/pwn', kind: 'file', size: 0 }), 3), isCode('FERRY_ERR_UNSAFE_PATH'));
  // A file entry where a symlink stands replaces the link; it does not write through it.
  await sink.entry(entry({ path: 'd', kind: 'file', size: 2 }), 4);
  await sink.data(Buffer.from('ok'), 5);
  sink.entryEnd(createHash('sha256').update('ok').digest('hex'), 6);
  assert.equal(readFileSync(path.join(target, 'd'), 'utf8'), 'ok');
  assert.deepEqual(readdirSync(outside), []);
});

void test('the sink holds files to their announced size and checksum', async () => {
  const target = path.join(base, 'size-target');
  const sink = new TreeSink(target, { maxFileBytes: 100 });
  await sink.open();
  await assert.rejects(sink.entry(entry({ path: 'huge', kind: 'file', size: 101 }), 1), isCode('FERRY_ERR_TOO_LARGE', /"huge" announces 101 bytes, the limit is 100/));
  await sink.entry(entry({ path: 'f', kind: 'file', size: 4 }), 2);
  await sink.data(Buffer.from('abc'), 3);
  await assert.rejects(sink.data(Buffer.from('de'), 4), isCode('FERRY_ERR_TOO_LARGE', /"f": received 5 bytes, more than the announced 4/));
  assert.throws(() => sink.entryEnd('0'.repeat(64), 5), isCode('FERRY_ERR_INTEGRITY', /received 3 of 4 announced bytes/));
  sink.abort();
  assert.equal(existsSync(path.join(target, 'f')), false, 'a half-received file is removed');
  const sink2 = new TreeSink(target, { maxFileBytes: 100 });
  await sink2.open();
  await sink2.entry(entry({ path: 'g', kind: 'file', size: 2 }), 1);
  await sink2.data(Buffer.from('hi'), 2);
  assert.throws(() => sink2.entryEnd('0'.repeat(64), 3), isCode('FERRY_ERR_INTEGRITY', /"g": sha256 of the 2 bytes received is 8f43/));
});

void test('the sink refuses frames out of order and entries without their parent', async () => {
  const target = path.join(base, 'order-target');
  const sink = new TreeSink(target, { maxFileBytes: 100 });
  await sink.open();
  await assert.rejects(sink.data(Buffer.from('x'), 7), isCode('FERRY_ERR_PROTOCOL', /frame 7 \(DATA\) arrived outside a file/));
  assert.throws(() => sink.entryEnd('0'.repeat(64), 8), isCode('FERRY_ERR_PROTOCOL', /ENTRY_END\) arrived outside a file/));
  await assert.rejects(sink.entry(entry({ path: 'no/parent', kind: 'dir' }), 9), isCode('FERRY_ERR_PROTOCOL', /before its parent directory "no"/));
  await assert.rejects(sink.entry(entry({ path: 'f', kind: 'file' }), 10), isCode('FERRY_ERR_PROTOCOL', /a file without a size/));
  await assert.rejects(sink.entry(entry({ path: 'l', kind: 'symlink' }), 11), isCode('FERRY_ERR_PROTOCOL', /a symlink without a target/));
  await assert.rejects(sink.entry(entry({ path: 'w', kind: 'whiteout', opaque: true }), 12), isCode('FERRY_ERR_PROTOCOL', /a whiteout marked opaque/));
  await sink.entry(entry({ path: 'open', kind: 'file', size: 1 }), 13);
  await assert.rejects(sink.entry(entry({ path: 'next', kind: 'dir' }), 14), isCode('FERRY_ERR_PROTOCOL', /while file "open" was still open/));
  assert.throws(() => sink.finish({ entries: 1, rawBytes: 0 }, 15), isCode('FERRY_ERR_PROTOCOL', /STREAM_END\) arrived while file "open"/));
});

void test('the sink checks the section totals the source announced', async () => {
  const target = path.join(base, 'totals-target');
  const sink = new TreeSink(target, { maxFileBytes: 100 });
  await sink.open();
  await sink.entry(entry({ path: 'd', kind: 'dir' }), 1);
  assert.throws(() => sink.finish({ entries: 2, rawBytes: 0 }, 2), isCode('FERRY_ERR_INTEGRITY', /sent 2 entries and 0 bytes, 1 entries and 0 bytes arrived/));
});

void test('without getfattr the source fails with a prerequisite error naming the package', async () => {
  const saved = process.env['PATH'];
  process.env['PATH'] = path.join(base, 'empty-path');
  try {
    await assert.rejects(readOpaqueDirs(base), isCode('FERRY_ERR_PREREQUISITE', /getfattr is not installed.*Debian package attr/));
  } finally {
    process.env['PATH'] = saved;
  }
});
