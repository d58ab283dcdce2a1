/** @module tools/workloads/clients/dns-packet.test — the A query's bytes, and responses with compressed names, cut short or looping. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DnsFormatError, TYPE_A, addressesOf, buildQuery, parseResponse } from './dns-packet.ts';

const QUERY_HEX = '1234' + '0100' + '0001' + '0000' + '0000' + '0000' + '037376630566657272790474657374' + '00' + '0001' + '0001';

/** The response dnsmasq gives: the question echoed, one A record whose name points at it (0xc00c). */
function response(id: number, rcode = 0, answers = 1): Buffer {
  const q = buildQuery(id, 'svc.ferry.test');
  q.writeUInt16BE(0x8180 | rcode, 2);
  q.writeUInt16BE(answers, 6);
  const rr = Buffer.from('c00c' + '0001' + '0001' + '00000000' + '0004' + '0a090807', 'hex');
  return Buffer.concat([q, ...Array.from({ length: answers }, () => rr)]);
}

void test('buildQuery: header with RD, one question of labels, type A, class IN', () => {
  assert.equal(buildQuery(0x1234, 'svc.ferry.test').toString('hex'), QUERY_HEX);
  assert.equal(buildQuery(0x1234, 'svc.ferry.test.').toString('hex'), QUERY_HEX);
  assert.equal(buildQuery(0x11234, 'svc.ferry.test').readUInt16BE(0), 0x1234);
  assert.throws(() => buildQuery(1, `${'a'.repeat(64)}.test`), DnsFormatError);
});

void test('parseResponse reads id, flags, the question and a compressed A record', () => {
  const r = parseResponse(response(0xbeef));
  assert.deepEqual(r, {
    id: 0xbeef, isResponse: true, rcode: 0, truncated: false,
    questions: [{ name: 'svc.ferry.test', type: TYPE_A }],
    answers: [{ name: 'svc.ferry.test', type: TYPE_A, ttl: 0, data: '10.9.8.7' }],
  });
  assert.deepEqual(addressesOf(r, 'SVC.ferry.test.'), ['10.9.8.7']);
  assert.deepEqual(addressesOf(r, 'other.test'), []);
  const nx = parseResponse(response(1, 3, 0));
  assert.equal(nx.rcode, 3);
  assert.deepEqual(nx.answers, []);
  assert.equal(parseResponse(buildQuery(5, 'a.b')).isResponse, false);
});

void test('a message cut anywhere, or a name pointing at itself, is a format error, never a crash', () => {
  const whole = response(9);
  for (let cut = 0; cut < whole.length; cut++) assert.throws(() => parseResponse(whole.subarray(0, cut)), DnsFormatError, `cut at ${cut}`);
  const loop = Buffer.from(whole);
  loop.writeUInt16BE(0xc000 | 32, 32); // the answer's name points at itself
  assert.throws(() => parseResponse(loop), /loops/);
});
