import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { once } from 'node:events';
import { readContainerProcesses, readProcessFacts } from './container-processes.ts';

test('reads this process: name, ids, namespaces and open files', async () => {
  const me = await readProcessFacts('self');
  assert.ok(me);
  assert.equal(me.pid, process.pid);
  assert.equal(me.status.uids[0], process.getuid?.());
  assert.match(me.ns.pid ?? '', /^pid:\[\d+\]$/);
  assert.ok(me.fds.some((f) => f.fd === 0));
});

test('a gone process reads as undefined', async () => {
  assert.equal(await readProcessFacts(2 ** 22 + 1), undefined);
});

test('ties a loopback connection this process holds to its TCP entry', async () => {
  const server = net.createServer(() => undefined).listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as net.AddressInfo).port;
  const client = net.connect(port, '127.0.0.1');
  await once(client, 'connect');
  try {
    const c = await readContainerProcesses([process.pid]);
    const inodes = new Set(c.processes[0]?.fds.map((f) => /^socket:\[(\d+)\]$/.exec(f.target)?.[1]).filter(Boolean).map(Number));
    const mine = c.tcp.filter((s) => inodes.has(s.inode));
    assert.ok(mine.some((s) => s.state === 10 && s.local === `127.0.0.1:${port}`), 'the listener');
    assert.ok(mine.some((s) => s.state === 1 && s.remote === `127.0.0.1:${port}`), 'the client end, established');
  } finally {
    client.destroy();
    server.close();
  }
});
