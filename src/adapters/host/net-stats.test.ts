import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultRouteIfaces, parseNetDev, totalBytes, uplinks } from './net-stats.ts';

// /proc/net/dev of a test-bed host's namespace: its uplink eth0, and what Docker made.
const HOST_DEV = `Inter-|   Receive                                                |  Transmit
 face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
    lo:     100       1    0    0    0     0          0         0      100       1    0    0    0     0       0          0
docker0:       0       0    0    0    0     0          0         0      416       4    0    2    0     0       0          0
veth440c8d7:       0       0    0    0    0     0          0         0      932      10    0    0    0     0       0          0
br-4f2a9c1d0e11:  10       1    0    0    0     0          0         0       20       1    0    0    0     0       0          0
  eth0:    2839      34    0    0    0     0          0         0     1313      16    0    0    0     0       0          0
`;

// /proc/net/route of a test-bed host: no default route, only its subnet and the object store.
const ROUTES_NO_DEFAULT = `Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT
eth0\t0100D40A\t0100DD0A\t0007\t0\t0\t0\tFFFFFFFF\t0\t0\t0
eth0\t0000DD0A\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0
docker0\t00011DAC\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0
`;

const ROUTES_DEFAULT = `Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT
ens3\t00000000\t0100000A\t0003\t0\t0\t100\t00000000\t0\t0\t0
ens3\t0000000A\t00000000\t0001\t0\t0\t100\t00FFFFFF\t0\t0\t0
ens4\t0000A8C0\t00000000\t0001\t0\t0\t100\t00FFFFFF\t0\t0\t0
`;

test('parses rx and tx bytes per interface, padded names or not', () => {
  const dev = parseNetDev(HOST_DEV);
  assert.deepEqual(dev.get('eth0'), { rx: 2839, tx: 1313 });
  assert.deepEqual(dev.get('veth440c8d7'), { rx: 0, tx: 932 });
  assert.deepEqual(dev.get('lo'), { rx: 100, tx: 100 });
  assert.equal(dev.size, 5, 'the two header lines are not interfaces');
});

test('the uplink is the default route\'s interface when there is one', () => {
  assert.deepEqual(defaultRouteIfaces(ROUTES_DEFAULT), ['ens3']);
  assert.deepEqual(uplinks(['lo', 'ens3', 'ens4', 'docker0'], ROUTES_DEFAULT), ['ens3']);
});

test('without a default route, every interface but loopback and Docker\'s bridges and veths (no double count)', () => {
  assert.deepEqual(defaultRouteIfaces(ROUTES_NO_DEFAULT), []);
  const dev = parseNetDev(HOST_DEV);
  const up = uplinks(dev.keys(), ROUTES_NO_DEFAULT);
  assert.deepEqual(up, ['eth0']);
  assert.equal(totalBytes(dev, up), 2839 + 1313);
});

test('a container\'s total counts every interface but loopback', () => {
  const dev = parseNetDev(`Inter-|\n face |\n    lo: 5 0 0 0 0 0 0 0 5 0 0 0 0 0 0 0\n  eth0: 1000 3 0 0 0 0 0 0 24 1 0 0 0 0 0 0\n`);
  assert.equal(totalBytes(dev), 1024);
});
