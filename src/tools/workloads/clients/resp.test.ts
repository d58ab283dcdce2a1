/** @module tools/workloads/clients/resp.test — RESP encoding, and replies parsed from bytes cut anywhere. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RespError, RespParser, RespProtocolError, encodeCommand } from './resp.ts';

void test('encodeCommand writes an array of bulk strings, lengths in bytes', () => {
  assert.equal(encodeCommand(['SET', 'k1', 'v1']).toString(), '*3\r\n$3\r\nSET\r\n$2\r\nk1\r\n$2\r\nv1\r\n');
  assert.equal(encodeCommand(['GET', 'é']).toString(), '*2\r\n$3\r\nGET\r\n$2\r\né\r\n');
  assert.equal(encodeCommand([]).toString(), '*0\r\n');
});

void test('every reply kind parses, nil bulk and nil array as null', () => {
  const p = new RespParser();
  const wire = '+OK\r\n-ERR wrong\r\n:42\r\n:-1\r\n$2\r\nv1\r\n$0\r\n\r\n$-1\r\n*2\r\n$1\r\na\r\n*1\r\n:3\r\n*-1\r\n*0\r\n';
  assert.deepEqual(p.push(Buffer.from(wire)), ['OK', new RespError('ERR wrong'), 42, -1, 'v1', '', null, ['a', [3]], null, []]);
  assert.equal(p.pending, 0);
});

void test('a bulk string may hold CR LF; a reply cut at every byte still comes out whole and once', () => {
  const wire = Buffer.from('$4\r\na\r\nb\r\n*2\r\n+x\r\n$3\r\nyyy\r\n:7\r\n');
  for (let cut = 0; cut <= wire.length; cut++) {
    const p = new RespParser();
    const got = [...p.push(wire.subarray(0, cut)), ...p.push(wire.subarray(cut))];
    assert.deepEqual(got, ['a\r\nb', ['x', 'yyy'], 7], `cut at ${cut}`);
  }
  const p = new RespParser();
  const got = [];
  for (const byte of wire) got.push(...p.push(Buffer.from([byte])));
  assert.deepEqual(got, ['a\r\nb', ['x', 'yyy'], 7]);
});

void test('bytes that are not RESP throw a protocol error', () => {
  assert.throws(() => new RespParser().push(Buffer.from('HTTP/1.1 400\r\n')), RespProtocolError);
  assert.throws(() => new RespParser().push(Buffer.from(':x1\r\n')), /not a RESP integer/);
});
