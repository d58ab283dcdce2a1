/** @module tools/bench/baselines/netns.test — nsenter command lines, the tx counter of `ip -j -s link`, listening ports of `ss -Hltn`. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FerryError } from '../../../core/errors.ts';
import { inNetns, parseListeningPorts, parseTxBytes } from './netns.ts';

void test('programs run in a namespace through nsenter --net', () => {
  assert.deepEqual(inNetns('/var/run/netns/ferry-h1', 'rsync', ['-a', 'x']), { file: 'nsenter', args: ['--net=/var/run/netns/ferry-h1', 'rsync', '-a', 'x'] });
});

void test('tx bytes of `ip -j -s link show dev eth0`', () => {
  const json = JSON.stringify([{ ifname: 'eth0', stats64: { rx: { bytes: 2522, packets: 31 }, tx: { bytes: 33705514, packets: 900 } } }]);
  assert.equal(parseTxBytes(json), 33705514);
  assert.throws(() => parseTxBytes('[]'), (e: FerryError) => e.code === 'FERRY_ERR_TESTBED');
  assert.throws(() => parseTxBytes(JSON.stringify([{ ifname: 'eth0', stats64: { tx: {} } }])), FerryError);
});

void test('listening ports of `ss -Hltn`, IPv4 and IPv6', () => {
  const ss = [
    'LISTEN 0      4096     10.217.0.12:7071       0.0.0.0:*',
    'LISTEN 0      128          0.0.0.0:2024       0.0.0.0:*',
    'LISTEN 0      5                [::]:873          [::]:*',
    '',
  ].join('\n');
  assert.deepEqual([...parseListeningPorts(ss)].sort((a, b) => a - b), [873, 2024, 7071]);
  assert.equal(parseListeningPorts('').size, 0);
});
