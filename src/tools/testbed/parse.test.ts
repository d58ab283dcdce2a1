/** @module tools/testbed/parse.test — parsers of tc, mountinfo, /proc/PID/stat and `ip -j` output. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isUnder, mountsUnder, parseIpLinkNames, parseIpLinkState, parseMountinfo, parseProcStat, parseRootQdisc, parseTcRateText } from './parse.ts';

void test('tc rates in all units', () => {
  assert.equal(parseTcRateText('100Mbit'), 100);
  assert.equal(parseTcRateText('1Gbit'), 1000);
  assert.equal(parseTcRateText('12500Kbit'), 12.5);
  assert.equal(parseTcRateText('800bit'), 0.001);
  assert.equal(parseTcRateText('125Mbps'), 1000);
  assert.equal(parseTcRateText('fast'), null);
});

void test('root qdisc of `tc qdisc show dev X`', () => {
  assert.deepEqual(parseRootQdisc('qdisc tbf 8008: root refcnt 3 rate 100Mbit burst 125000b lat 50ms \n'), { kind: 'tbf', rateMbit: 100 });
  assert.deepEqual(parseRootQdisc('qdisc noqueue 0: root refcnt 2 \n'), { kind: 'noqueue', rateMbit: null });
  assert.deepEqual(parseRootQdisc('qdisc ingress ffff: parent ffff:fff1 ----------------\nqdisc tbf 1: root refcnt 2 rate 1Gbit burst 1250000b lat 50ms\n'), { kind: 'tbf', rateMbit: 1000 });
  assert.equal(parseRootQdisc(''), null);
});

const MOUNTINFO = [
  '27 1 254:0 / / rw,relatime - ext4 /dev/vda rw',
  '100 27 254:0 /var/lib/ferry/testbed/h1/docker /var/lib/ferry/testbed/h1/docker rw,relatime - ext4 /dev/vda rw',
  '101 100 0:50 / /var/lib/ferry/testbed/h1/docker/overlay2/abc/merged rw - overlay overlay rw,lowerdir=x',
  '102 27 0:51 / /var/lib/ferry/testbed/h2/docker rw - tmpfs ferry-testbed-h2 rw,size=65536k',
  '103 27 0:4 net:[4026532] /run/ferry/h1/netns/86229f82ed7a rw - nsfs nsfs rw',
  '104 27 0:52 / /var/lib/ferry/testbed/h10 rw - tmpfs x rw',
  '105 27 0:53 / /mnt/with\\040space rw - tmpfs y rw',
  '106 100 254:0 / /var/lib/ferry/testbed/h1/docker rw - ext4 /dev/vda rw',
].join('\n');

void test('mountinfo parsing unescapes paths', () => {
  const m = parseMountinfo(MOUNTINFO);
  assert.equal(m.length, 8);
  assert.deepEqual(m[2], { id: 101, parentId: 100, mountPoint: '/var/lib/ferry/testbed/h1/docker/overlay2/abc/merged', fsType: 'overlay', source: 'overlay' });
  assert.equal(m[6]?.mountPoint, '/mnt/with space');
});

void test('mounts under roots, deepest first, later stacked mounts first', () => {
  const order = mountsUnder(parseMountinfo(MOUNTINFO), ['/var/lib/ferry/testbed/h1', '/var/lib/ferry/testbed/h2', '/run/ferry/h1']).map((m) => m.id);
  assert.deepEqual(order, [101, 106, 102, 100, 103]);
  assert.equal(isUnder('/var/lib/ferry/testbed/h10', '/var/lib/ferry/testbed/h1'), false);
  assert.equal(isUnder('/a/b', '/a/'), true);
});

void test('/proc/PID/stat with spaces and parentheses in the name', () => {
  assert.deepEqual(parseProcStat('1234 (my (odd) name) S 1 1234 1234 0 -1'), { state: 'S', ppid: 1 });
  assert.deepEqual(parseProcStat('77 (dockerd) Z 1 77 77'), { state: 'Z', ppid: 1 });
  assert.equal(parseProcStat('garbage'), null);
});

void test('ip -j link output', () => {
  assert.deepEqual(parseIpLinkNames('[{"ifindex":1,"ifname":"lo"},{"ifindex":7,"ifname":"fyh1a","master":"ferrybr0"}]'), ['lo', 'fyh1a']);
  assert.deepEqual(parseIpLinkNames(''), []);
  assert.deepEqual(parseIpLinkState('[{"ifname":"fyh1a","flags":["BROADCAST","UP","LOWER_UP"],"operstate":"UP"}]'), { operstate: 'UP', adminUp: true });
  assert.deepEqual(parseIpLinkState('[{"ifname":"fyh1a","flags":["BROADCAST"],"operstate":"DOWN"}]'), { operstate: 'DOWN', adminUp: false });
  assert.equal(parseIpLinkState('[]'), null);
});
