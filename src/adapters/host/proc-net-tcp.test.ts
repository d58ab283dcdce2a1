import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatIpv6, parseProcNetTcp, tcpStateName } from './proc-net-tcp.ts';

// Read on this machine: a listener on port 7400 of 0.0.0.0, a loopback connection to 19002
// and a TIME_WAIT left by a closed one (inode 0).
const TCP = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000:1CE8 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1062 1 000000001c4b55c7 100 0 0 10 0
   1: 0100E10A:8F7E 0B00E10A:1B9E 06 00000000:00000000 03:000013A6 00000000     0        0 0 3 00000000c59407f5
  10: 0100007F:97EA 0100007F:4A3A 01 00000000:00000000 00:00000000 00000000     0        0 38794 2 0000000008e3753b 20 0 0 10 -1
`;

// The same machine's tcp6: a dual-stack listener, the accepted side of the IPv4 connection
// (mapped address), and both ends of a connection over ::1.
const TCP6 = `  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000000000000000000000000000:4A3A 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 38793 1 00000000c354aabd 100 0 0 10 0
   3: 0000000000000000FFFF00000100007F:4A3A 0000000000000000FFFF00000100007F:97EA 01 00000000:00000000 00:00000000 00000000     0        0 38795 1 00000000f42cc972 20 0 0 10 -1
   6: 00000000000000000000000001000000:E694 00000000000000000000000001000000:4A3A 01 00000000:00000000 00:00000000 00000000     0        0 38796 2 00000000eb102f98 20 0 0 10 -1
`;

test('IPv4: addresses in host byte order, ports, states and inodes', () => {
  assert.deepEqual(parseProcNetTcp(TCP), [
    { inode: 1062, state: 10, local: '0.0.0.0:7400', remote: '0.0.0.0:0', uid: 0 },
    { inode: 0, state: 6, local: '10.225.0.1:36734', remote: '10.225.0.11:7070', uid: 0 },
    { inode: 38794, state: 1, local: '127.0.0.1:38890', remote: '127.0.0.1:19002', uid: 0 },
  ]);
});

test('IPv6: any, mapped IPv4 and loopback', () => {
  assert.deepEqual(parseProcNetTcp(TCP6).map((s) => [s.inode, tcpStateName(s.state), s.local, s.remote]), [
    [38793, 'LISTEN', '[::]:19002', '[::]:0'],
    [38795, 'ESTABLISHED', '[::ffff:127.0.0.1]:19002', '[::ffff:127.0.0.1]:38890'],
    [38796, 'ESTABLISHED', '[::1]:59028', '[::1]:19002'],
  ]);
});

test('a big-endian host reads the words as they are printed', () => {
  assert.equal(parseProcNetTcp('   0: 7F000001:0050 00000000:0000 0A 0:0 0:0 0 0 0 5 1', false)[0]?.local, '127.0.0.1:80');
});

test('short IPv6 form: longest zero run compressed, a single zero group kept', () => {
  const b = (hex: string) => Buffer.from(hex, 'hex');
  assert.equal(formatIpv6(b('20010db8000000000000000000000001')), '2001:db8::1');
  assert.equal(formatIpv6(b('20010db8000100000001000000000000')), '2001:db8:1:0:1::');
  assert.equal(formatIpv6(b('20010db8000100020003000400050006')), '2001:db8:1:2:3:4:5:6');
  assert.equal(formatIpv6(b('fe800000000000000000000000000000')), 'fe80::');
});

test('lines that are not sockets are skipped; unknown states keep their number', () => {
  assert.deepEqual(parseProcNetTcp('garbage\n\n  sl local\n'), []);
  assert.equal(tcpStateName(99), 'state 99');
});
