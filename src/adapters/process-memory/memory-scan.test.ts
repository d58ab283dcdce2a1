import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { spawn } from 'node:child_process';
import { parseMaps, scanProcess, changedPages, readMemory } from './memory-scan.ts';
import { PAGE, pageAddress } from '../../domain/pages/page-delta.ts';

test('maps: only writable private mappings, kernel pages left out', () => {
  const maps = parseMaps([
    '55d0c0a00000-55d0c0a21000 rw-p 00000000 00:00 0                          [heap]',
    '7f1c2a000000-7f1c2a021000 r-xp 00000000 08:01 123                        /usr/lib/libc.so.6',
    '7f1c2b000000-7f1c2b001000 rw-s 00000000 00:05 99                         /dev/zero (deleted)',
    '7ffd5e3f0000-7ffd5e411000 rw-p 00000000 00:00 0                          [stack]',
    '7ffd5e5f0000-7ffd5e5f4000 r--p 00000000 00:00 0                          [vvar]',
    '7f00aa000000-7f00aa100000 rw-p 00000000 00:00 0 ',
  ].join('\n'));
  assert.deepEqual(maps.map((m) => m.path), ['[heap]', '[stack]', '']);
  assert.equal(maps[0]?.end, 0x55d0c0a21000);
});

test('a scan of a live process finds its pages by content, and a rescan names the page that changed', { timeout: 30_000 }, async () => {
  // A child that fills 4 pages with a 16-byte pattern repeated (malloc aligns to 16), so
  // every page-aligned page inside holds the pattern x 256, and swaps the pattern when told.
  const first = randomBytes(16).toString('hex');
  const second = randomBytes(16).toString('hex');
  const script = `
    const mem = Buffer.alloc(${PAGE * 4});
    mem.fill(Buffer.from(process.argv[1], 'hex'));
    process.stdout.write('ready\\n');
    process.stdin.once('data', () => { mem.fill(Buffer.from(process.argv[2], 'hex')); process.stdout.write('changed\\n'); });
    setInterval(() => {}, 1000);`;
  const child = spawn(process.execPath, ['-e', script, first, second], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines: string[] = [];
  const next = () => new Promise<void>((resolve) => child.stdout.once('data', (d: Buffer) => { lines.push(d.toString()); resolve(); }));
  try {
    await next();
    const before = await scanProcess(child.pid ?? 0);
    const a1 = pageAddress(Buffer.alloc(PAGE, Buffer.from(first, 'hex')));
    const a2 = pageAddress(Buffer.alloc(PAGE, Buffer.from(second, 'hex')));
    const where = [...before].find(([, h]) => h === a1)?.[0];
    assert.ok(where !== undefined, 'the page with the known content is found');
    child.stdin.write('go\n');
    await next();
    const after = await scanProcess(child.pid ?? 0);
    assert.equal(after.get(where), a2, 'the same address now holds the new content');
    assert.ok(changedPages(before, after).includes(where));
    assert.ok(!changedPages(after, after).length, 'a scan compared with itself has no change');
  } finally {
    child.kill('SIGKILL');
  }
});

test('a process that is gone yields no memory (a compiler that exited mid-round)', async () => {
  const child = spawn(process.execPath, ['-e', '0']);
  await new Promise((r) => child.once('exit', r));
  const chunks = [];
  for await (const c of readMemory(child.pid ?? 0)) chunks.push(c);
  assert.equal(chunks.length, 0);
});
