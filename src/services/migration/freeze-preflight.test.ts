import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ContainerProcesses, ProcessFacts } from '../../adapters/host/container-processes.ts';
import type { TcpSocket } from '../../adapters/host/proc-net-tcp.ts';
import { checkFreeze, CONNECTIONS_WOULD_BREAK, countConnections, FREEZE_RULES, freezeError, isLoopback, type AgentFacts, type MoveFacts } from './freeze-preflight.ts';

const HOST_NS = { pid: 'pid:[4026531836]', ipc: 'ipc:[4026531839]', uts: 'uts:[4026531838]', user: 'user:[4026531837]', cgroup: 'cgroup:[4026531835]', time: 'time:[4026531834]', net: 'net:[4026531833]' };
const CT_NS = { ...HOST_NS, pid: 'pid:[4026532301]', ipc: 'ipc:[4026532300]', uts: 'uts:[4026532299]', cgroup: 'cgroup:[4026532302]', net: 'net:[4026532304]' };

/** The agent on these machines: root without CAP_SYS_RESOURCE. */
const AGENT: AgentFacts = proc(900, 'node', { status: { name: 'node', uids: [0, 0, 0, 0], gids: [0, 0, 0, 0], tracerPid: 0, capEff: 0x1fffeffffffn }, ns: HOST_NS });
const ORDINARY_AGENT: AgentFacts = { ...AGENT, status: { ...AGENT.status, capEff: 0x1ffffffffffn } };

function proc(pid: number, name: string, over: Partial<ProcessFacts> = {}): ProcessFacts {
  return { pid, status: { name, uids: [0, 0, 0, 0], gids: [0, 0, 0, 0], tracerPid: 0, capEff: 0xa80425fbn }, ns: CT_NS, fds: [{ fd: 0, target: '/dev/null' }, { fd: 1, target: 'pipe:[1]' }], anonMappings: [], ...over };
}

function container(processes: ProcessFacts[], tcp: readonly TcpSocket[] = []): ContainerProcesses {
  return { processes, tcp };
}

const names = (c: ContainerProcesses, agent = AGENT) => checkFreeze(c, agent).map((r) => r.rule.name);

test('a plain root container with a listener, UDP and a unix pair passes every rule', () => {
  const server = proc(10, 'sockets', { fds: [{ fd: 3, target: 'socket:[501]' }, { fd: 4, target: 'socket:[502]' }, { fd: 5, target: 'socket:[503]' }, { fd: 6, target: 'anon_inode:[eventpoll]' }, { fd: 7, target: 'anon_inode:[timerfd]' }] });
  const tcp = [{ inode: 501, state: 10, local: '0.0.0.0:7000', remote: '0.0.0.0:0', uid: 0 }, { inode: 0, state: 6, local: '172.29.1.2:7000', remote: '172.29.1.1:5000', uid: 0 }];
  assert.deepEqual(checkFreeze(container([proc(1, 'sh'), server], tcp), AGENT), []);
});

test('non-root process: refused only when the agent lacks CAP_SYS_RESOURCE, naming pid, comm, uid and gid', () => {
  const pg = proc(42, 'postgres', { status: { name: 'postgres', uids: [999, 999, 999, 999], gids: [999, 999, 999, 999], tracerPid: 0, capEff: 0n } });
  const [refusal] = checkFreeze(container([proc(1, 'sh'), pg]), AGENT);
  assert.equal(refusal?.rule.name, 'non-root-without-cap-sys-resource');
  assert.deepEqual(refusal?.found, ['process 42 (postgres) runs as uid 999/999/999 gid 999/999/999']);
  assert.deepEqual(names(container([proc(1, 'sh'), pg]), ORDINARY_AGENT), []);
});

test('non-root: a saved uid or a group counts too (prlimit compares all three); the fs uid does not', () => {
  const dropped = proc(7, 'nginx', { status: { name: 'nginx', uids: [0, 0, 33, 0], gids: [0, 0, 0, 0], tracerPid: 0, capEff: 0n } });
  const group = proc(8, 'app', { status: { name: 'app', uids: [0, 0, 0, 0], gids: [1000, 1000, 1000, 1000], tracerPid: 0, capEff: 0n } });
  const fsuid = proc(9, 'nfsd', { status: { name: 'nfsd', uids: [0, 0, 0, 1000], gids: [0, 0, 0, 0], tracerPid: 0, capEff: 0n } });
  assert.deepEqual(checkFreeze(container([proc(1, 'sh'), dropped, group, fsuid]), AGENT)[0]?.found.map((f) => f.split(' ')[1]), ['7', '8']);
});

test('non-root in a user namespace of its own is left to CRIU (the agent may own that namespace)', () => {
  const remapped = proc(5, 'app', { status: { name: 'app', uids: [100000, 100000, 100000, 100000], gids: [100000, 100000, 100000, 100000], tracerPid: 0, capEff: 0n }, ns: { ...CT_NS, user: 'user:[4026532400]' } });
  assert.equal(names(container([remapped]), AGENT).includes('non-root-without-cap-sys-resource'), false);
});

const OFF_CLUSTER: MoveFacts = { keepsAddress: false, publishedPorts: [], dropConnections: false };

test('connections: loopback ones inside the container move; outside ones move when the container keeps its address', () => {
  const client = proc(11, 'redis-cli', { fds: [{ fd: 3, target: 'socket:[601]' }] });
  const server = proc(12, 'redis', { fds: [{ fd: 3, target: 'socket:[600]' }, { fd: 4, target: 'socket:[602]' }, { fd: 5, target: 'socket:[603]' }] });
  const tcp = [
    { inode: 600, state: 10, local: '0.0.0.0:6379', remote: '0.0.0.0:0', uid: 0 },
    { inode: 601, state: 1, local: '127.0.0.1:41234', remote: '127.0.0.1:6379', uid: 0 },
    { inode: 602, state: 8, local: '127.0.0.1:6379', remote: '127.0.0.1:41234', uid: 0 },
    { inode: 603, state: 1, local: '10.213.0.70:6379', remote: '10.213.0.250:5000', uid: 0 },
    { inode: 777, state: 1, local: '10.0.0.1:22', remote: '10.0.0.2:5000', uid: 0 }, // held by no process of the container
  ];
  const c = container([proc(1, 'sh'), client, server], tcp);
  assert.deepEqual(checkFreeze(c, AGENT), []);
  assert.deepEqual(countConnections(c), { inside: 2, outside: 1 });
  const [refusal] = checkFreeze(c, AGENT, FREEZE_RULES, OFF_CLUSTER);
  assert.equal(refusal?.rule.name, 'connections-would-break');
  assert.deepEqual(refusal?.found, ['process 12 (redis) holds 10.213.0.70:6379 → 10.213.0.250:5000 (ESTABLISHED): its address changes with the host']);
  assert.deepEqual(checkFreeze(c, AGENT, FREEZE_RULES, { ...OFF_CLUSTER, dropConnections: true }), []);
});

test('connections through a port published on the host (-p) break even on the cluster network', () => {
  const p = proc(3, 'httpd', { fds: [{ fd: 3, target: 'socket:[1]' }, { fd: 4, target: 'socket:[2]' }] });
  const tcp = [{ inode: 1, state: 1, local: '172.29.1.2:80', remote: '172.29.1.1:5000', uid: 0 }, { inode: 2, state: 1, local: '172.29.1.2:81', remote: '172.29.1.1:5001', uid: 0 }];
  const found = CONNECTIONS_WOULD_BREAK.find(container([p], tcp), AGENT, { keepsAddress: true, publishedPorts: [80], dropConnections: false });
  assert.deepEqual(found, ['process 3 (httpd) holds 172.29.1.2:80 → 172.29.1.1:5000 (ESTABLISHED): port 80 is published on this host']);
});

test('connected states count (SYN_SENT, FIN_WAIT1/2, CLOSE_WAIT, LAST_ACK, CLOSING); LISTEN, CLOSE and TIME_WAIT do not', () => {
  const states = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];
  const p = proc(3, 'app', { fds: states.map((s) => ({ fd: s, target: `socket:[${700 + s}]` })) });
  const tcp = states.map((s) => ({ inode: 700 + s, state: s, local: '1.1.1.1:1', remote: '2.2.2.2:2', uid: 0 }));
  const found = CONNECTIONS_WOULD_BREAK.find(container([p], tcp), AGENT, OFF_CLUSTER).map((f) => /\((\w+)\):/.exec(f)?.[1]);
  assert.deepEqual(found, ['ESTABLISHED', 'SYN_SENT', 'FIN_WAIT1', 'FIN_WAIT2', 'CLOSE_WAIT', 'LAST_ACK', 'CLOSING']);
});

test('loopback as /proc/net/tcp and tcp6 show it', () => {
  assert.deepEqual(['127.0.0.1:80', '127.3.2.1:1', '::1:6379', '[::1]:6379', '::ffff:127.0.0.1:5', '10.0.0.1:80', '::ffff:10.0.0.1:5'].map(isLoopback), [true, true, true, true, true, false, false]);
});

test('anonymous inodes: io_uring (fds and ring mappings), perf_event and userfaultfd refused; CRIU\'s own kinds pass', () => {
  const node = proc(20, 'node', {
    fds: [{ fd: 3, target: 'anon_inode:[eventpoll]' }, { fd: 4, target: 'anon_inode:[io_uring]' }, { fd: 9, target: 'anon_inode:[eventfd]' }, { fd: 12, target: 'anon_inode:[io_uring]' }, { fd: 13, target: 'anon_inode:inotify' }, { fd: 14, target: 'anon_inode:[pidfd]' }],
    anonMappings: ['anon_inode:[io_uring]'],
  });
  const perf = proc(21, 'perf', { fds: [{ fd: 5, target: 'anon_inode:[perf_event]' }, { fd: 6, target: 'anon_inode:[userfaultfd]' }] });
  const ringOnly = proc(22, 'worker', { anonMappings: ['anon_inode:[io_uring]'] });
  const [refusal] = checkFreeze(container([proc(1, 'sh'), node, perf, ringOnly]), AGENT);
  assert.equal(refusal?.rule.name, 'unsupported-anon-inode');
  assert.deepEqual(refusal?.found, [
    'process 20 (node) holds anon_inode:[io_uring] (fd 4, 12)',
    'process 21 (perf) holds anon_inode:[perf_event] (fd 5)',
    'process 21 (perf) holds anon_inode:[userfaultfd] (fd 6)',
    'process 22 (worker) maps anon_inode:[io_uring]',
  ]);
});

test('a traced process names its tracer', () => {
  const traced = proc(30, 'app', { status: { name: 'app', uids: [0, 0, 0, 0], gids: [0, 0, 0, 0], tracerPid: 31, capEff: 0n }, tracerName: 'strace' });
  assert.deepEqual(checkFreeze(container([proc(1, 'sh'), traced]), AGENT)[0]?.found, ['process 30 (app) is traced by pid 31 (strace)']);
});

test('nested namespaces: a pid or uts namespace below the container\'s is refused; mount and network ones are not', () => {
  const nestedPid = proc(40, 'sleep', { ns: { ...CT_NS, pid: 'pid:[4026532500]', uts: 'uts:[4026532501]' } });
  const ownNet = proc(41, 'app', { ns: { ...CT_NS, net: 'net:[4026532600]', mnt: 'mnt:[4026532601]' } });
  const hostIpc = proc(42, 'app', { ns: { ...CT_NS, ipc: HOST_NS.ipc } });
  const [refusal] = checkFreeze(container([proc(1, 'sh'), nestedPid, ownNet, hostIpc]), AGENT);
  assert.equal(refusal?.rule.name, 'nested-namespace');
  assert.deepEqual(refusal?.found, ['process 40 (sleep) is in its own pid:[4026532500], uts:[4026532501]']);
});

test('the error: first rule\'s code, every finding with reason, rule name and fix; details list all', () => {
  const pg = proc(42, 'postgres', { status: { name: 'postgres', uids: [999, 999, 999, 999], gids: [999, 999, 999, 999], tracerPid: 0, capEff: 0n }, fds: [{ fd: 3, target: 'socket:[1]' }] });
  const c = container([proc(1, 'sh'), pg], [{ inode: 1, state: 1, local: '1.1.1.1:1', remote: '2.2.2.2:2', uid: 0 }]);
  const err = freezeError('db', checkFreeze(c, AGENT, FREEZE_RULES, OFF_CLUSTER));
  assert.equal(err.code, 'FERRY_ERR_CRIU_UNSUPPORTED');
  assert.match(err.message, /^container db cannot be frozen, nothing was sent and it runs on: process 42 \(postgres\) runs as uid 999/);
  assert.match(err.message, /\[rule non-root-without-cap-sys-resource\]\. Fix: run the agent where root has CAP_SYS_RESOURCE .*--user 0/);
  assert.match(err.message, /Also: process 42 \(postgres\) holds 1\.1\.1\.1:1 → 2\.2\.2\.2:2 \(ESTABLISHED\).*\[rule connections-would-break\]\. Fix: run the container on the cluster network .*--drop-connections/);
  assert.deepEqual(err.details, { rules: [{ rule: 'non-root-without-cap-sys-resource', found: ['process 42 (postgres) runs as uid 999/999/999 gid 999/999/999'] }, { rule: 'connections-would-break', found: ['process 42 (postgres) holds 1.1.1.1:1 → 2.2.2.2:2 (ESTABLISHED): its address changes with the host'] }] });
  assert.equal(freezeError('x', checkFreeze(container([proc(3, 'a', { fds: [{ fd: 3, target: 'socket:[1]' }] })], c.tcp), AGENT, FREEZE_RULES, OFF_CLUSTER)).code, 'FERRY_ERR_TCP_CONNECTED');
});

test('long lists are cut in the message, kept whole in the details', () => {
  const many = Array.from({ length: 9 }, (_, i) => proc(100 + i, 'w', { status: { name: 'w', uids: [1, 1, 1, 1], gids: [1, 1, 1, 1], tracerPid: 0, capEff: 0n } }));
  const err = freezeError('c', checkFreeze(container(many), AGENT));
  assert.match(err.message, /process 103 \(w\)[^;]*; and 5 more:/);
  assert.equal(((err.details?.['rules'] as Array<{ found: string[] }>)[0]?.found ?? []).length, 9);
});
