/** @module tools/doctor/elf.test — static vs dynamic ELF detection from header bytes. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { elfLinking } from './elf.ts';

/** A minimal ELF64 little-endian header with the given program header types. */
function elf64(types: number[]): Uint8Array {
  const phoff = 64;
  const buf = new Uint8Array(phoff + 56 * types.length);
  const v = new DataView(buf.buffer);
  buf.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1]);
  v.setBigUint64(32, BigInt(phoff), true);
  v.setUint16(54, 56, true);
  v.setUint16(56, types.length, true);
  types.forEach((t, i) => v.setUint32(phoff + i * 56, t, true));
  return buf;
}

void test('a PT_INTERP header means dynamic', () => {
  assert.equal(elfLinking(elf64([6, 3, 1, 1])), 'dynamic');
});

void test('no PT_INTERP means static', () => {
  assert.equal(elfLinking(elf64([1, 1, 4])), 'static');
});

void test('not an ELF file', () => {
  assert.equal(elfLinking(new TextEncoder().encode('#!/bin/sh\necho hi\n'.padEnd(80, ' '))), 'not-elf');
  assert.equal(elfLinking(new Uint8Array(10)), 'not-elf');
});

void test('a truncated program header table is not trusted', () => {
  assert.equal(elfLinking(elf64([1, 3]).subarray(0, 100)), 'not-elf');
});
