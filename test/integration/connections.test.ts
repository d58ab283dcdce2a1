/**
 * @module test/integration/connections.test — access is not interrupted: real Debian servers
 * (redis-server, lighttpd, dnsmasq: the services workload) on the test bed's cluster network
 * move between two hosts while clients on the client host (its own namespace on the same
 * bridge) hold their connections, on a real 2-host test bed (subnet 10.233.0). Redis's client
 * writes on one persistent connection and logs every acknowledged write; after the moves no
 * connection was reset and every acknowledged write reads back. Faults at the final round roll
 * back with the source serving on the same connections. A container whose connections could
 * not keep their clients (off the cluster network) is refused, or moved with them closed on
 * request; host network mode is refused. Needs root, CRIU
 * >= 4.2, nftables and arping.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { setLinkState, startAgent, clusterFile } from '../../src/tools/testbed/index.ts';
import { migrate } from '../../src/apps/cli/migrate-client.ts';
import type { MigrationReport } from '../../src/domain/migration/report.ts';
import type { MigrationEvent } from '../../src/services/migration/source.ts';
import { ensureWorkloadImage } from '../../src/tools/workloads/catalog.ts';
import { SERVICES_IMAGE } from '../../src/tools/workloads/catalog.ts';
import { REDIS_PORT } from '../../src/tools/workloads/services-spec.ts';
import { parseRedisLog, type RedisSummary } from '../../src/tools/workloads/clients/redis-log.ts';
import { verifyAcked } from '../../src/tools/workloads/clients/redis-verify.ts';
import { RedisConnection } from '../../src/tools/workloads/clients/redis-connection.ts';
import { parseHttpLog } from '../../src/tools/workloads/clients/http-log.ts';
import { parseDnsLog } from '../../src/tools/workloads/clients/dns-log.ts';
import { agentPid, atPhase, faultBed, LONG } from '../support/one-copy.ts';
import { startClient } from '../support/client-host.ts';

const bed = faultBed({
  filename: import.meta.filename, subnet: '10.233.0',
  prepare: async (engine) => { await ensureWorkloadImage(engine('h1'), 'services'); await ensureWorkloadImage(engine('h2'), 'services'); },
});
const { stateDir, engine } = bed;
const logFile = (name: string) => path.join(stateDir, `${name}.jsonl`);

/** Starts the services container on `host`, on the cluster network unless `network` says otherwise; returns its address there. */
async function startServices(name: string, host = 'h1', network = 'ferry'): Promise<string> {
  for (const h of ['h1', 'h2']) await engine(h).removeContainer(name);
  const id = await engine(host).createContainer(name, { Image: SERVICES_IMAGE, Env: ['INSIDE_CLIENT=1'], HostConfig: { NetworkMode: network, Memory: 512 * 1024 * 1024 } });
  await engine(host).startContainer(id);
  const c = await engine(host).inspectContainer(id);
  const ip = network === 'host' ? '' : c.NetworkSettings?.Networks?.[network]?.IPAddress ?? '';
  assert.ok(ip || network === 'host', `the container has an address on ${network}`);
  // Redis answers once it is up (an address off the cluster network is reachable only from its host: its clients wait for it).
  for (let i = 0; network === 'ferry' && i < 50; i++) {
    if (await getOnce(ip, 'ready', 1000).then(() => true, () => false)) break;
    await sleep(200);
  }
  if (network !== 'ferry') await sleep(1500);
  return ip;
}

/** A migration of `name` with the default strategy (pre-copy). */
function move(name: string, from: string, to: string, view?: { show: (ev: MigrationEvent) => void }, dropConnections = false): Promise<MigrationReport> {
  return migrate(name, { strategy: 'precopy', cluster: clusterFile(stateDir), from, to, ...(dropConnections ? { dropConnections } : {}) }, view);
}

/** Asserts a Redis client saw no reset, no error and no wrong value, and every acknowledged write reads back. */
async function assertNothingLost(ip: string, text: string): Promise<RedisSummary> {
  const s = parseRedisLog(text);
  console.log(`# redis client: ${s.acked} acknowledged writes, ${s.resets} resets ${JSON.stringify(s.resetCodes)}, ${s.errors} errors, ${s.mismatches} mismatches, longest wait ${s.gapMs} ms`);
  assert.equal(s.resets, 0, `no connection reset (${JSON.stringify(s.resetCodes)})`);
  assert.equal(s.connects, 1, 'one connection all along');
  assert.equal(s.errors, 0);
  assert.equal(s.mismatches, 0);
  assert.ok(s.acked > 20, `the client kept writing (${s.acked} acknowledged)`);
  const v = await verifyAcked(ip, REDIS_PORT, text);
  assert.equal(v.checked, s.acked);
  assert.deepEqual({ missing: v.missing, mismatched: v.mismatched }, { missing: 0, mismatched: 0 }, `lost acknowledged writes: ${JSON.stringify(v)}`);
  return s;
}

describe('connections move with the container', () => {
  it('Redis (a client on the client host, one inside), HTTP keep-alive and DNS over UDP: 4 moves back and forth on the cluster network, no reset, no failed request, every acknowledged write readable', LONG, async () => {
    const ip = await startServices('redis');
    const writer = await startClient(bed.cluster(), 'redis-writer', ip, {}, logFile('redis-writer'));
    const web = await startClient(bed.cluster(), 'http-load', ip, { connections: 4, rate: 100 }, logFile('http-load'));
    const dns = await startClient(bed.cluster(), 'dns-asker', ip, {}, logFile('dns-asker'));
    const inside = async () => Number(await getOnce(ip, 'inside'));
    let here = 'h1';
    try {
      for (let i = 0; i < 4; i++) {
        const to = here === 'h1' ? 'h2' : 'h1';
        const before = await inside();
        await sleep(700);
        const report = await move('redis', here, to);
        assert.equal(report.outcome, 'migrated', JSON.stringify(report.error));
        const n = report.network;
        console.log(`# ${here} -> ${to}: frozen ${report.frozenMs} ms, client-visible gap ${n?.clientGapMs} ms, ${n?.connections.outside} outside / ${n?.connections.inside} inside connections; ${n?.announce}`);
        assert.equal(n?.address?.ip, ip, 'the address was kept');
        assert.ok((n?.connections.outside ?? 0) >= 1, 'the outside connection was carried');
        assert.ok((n?.connections.inside ?? 0) >= 2, 'the inside (loopback) connection was carried, both ends');
        assert.equal(n?.tcp, 'established');
        const c = await engine(to).inspectContainer('redis');
        assert.equal(c.NetworkSettings?.Networks?.['ferry']?.IPAddress, ip);
        // Every write acknowledged so far reads back on the destination (the client flushes its log every 100 ms).
        const sofar = await verifyAcked(ip, REDIS_PORT, await readFile(writer.log, 'utf8'));
        assert.deepEqual({ missing: sofar.missing, mismatched: sofar.mismatched }, { missing: 0, mismatched: 0 }, `after move ${i + 1}: ${JSON.stringify(sofar)}`);
        assert.equal(await engine(here).findContainer('redis'), undefined, 'the source copy is gone');
        here = to;
        await sleep(700);
        const after = await inside();
        assert.ok(after > before, `the client inside the container goes on counting (${before} -> ${after})`);
      }
    } finally {
      await sleep(500);
      const h = parseHttpLog(await web.stop());
      const d = parseDnsLog(await dns.stop());
      console.log(`# http: ${h.ok} ok, ${h.failures} failed ${JSON.stringify(h.failureCodes)}, ${h.connections} connections opened, ${h.closes} closed; p50 ${h.p50Ms} ms, p99 ${h.p99Ms} ms, max ${h.maxMs} ms`);
      console.log(`# dns (udp): ${d.asked} asked, ${d.answered} answered (${d.late} after a retry), ${d.lost} lost, ${d.wrong} wrong; longest gap ${d.gapMs} ms`);
      await assertNothingLost(ip, await writer.stop());
      assert.equal(h.failures, 0, `no failed HTTP request (${JSON.stringify(h.failureCodes)})`);
      assert.equal(h.closes, 0, 'no keep-alive connection closed');
      assert.ok(h.ok > 100);
      assert.equal(d.wrong, 0);
      assert.equal(d.lost, 0, 'every DNS question was answered at the same address, some after a retry');
      assert.ok(d.answered > 20);
    }
    await engine(here).removeContainer('redis');
  });

  for (const fault of ['destination agent killed', 'destination link cut'] as const) {
    it(`${fault} at the final round: rolled back, the source serves on the same connection, no reset, no lost write`, LONG, async () => {
      const name = fault.includes('killed') ? 'redis-kill' : 'redis-cut';
      const ip = await startServices(name);
      const writer = await startClient(bed.cluster(), 'redis-writer', ip, { prefix: `${name}-` }, logFile(name));
      const pid = await agentPid(bed, 'h2');
      const act = fault.includes('killed') ? () => process.kill(pid, 'SIGKILL') : () => setLinkState('h2', 'down', { stateDir });
      const at = atPhase('transfer', act);
      let report: MigrationReport;
      try {
        report = await move(name, 'h1', 'h2', at.hook);
      } finally {
        if (!fault.includes('killed')) { await sleep(1000); await setLinkState('h2', 'up', { stateDir }); }
      }
      assert.ok(at.fired(), 'the fault hit the final round');
      assert.equal(report.outcome, 'rolled-back', JSON.stringify(report.error));
      assert.ok(report.rollback?.includes('source network unlocked'), `rollback: ${JSON.stringify(report.rollback)}`);
      if (fault.includes('killed')) await startAgent('h2', { stateDir });
      const c = await engine('h1').inspectContainer(name);
      assert.equal(c.State.Running && !c.State.Paused, true, 'the source runs, thawed');
      await sleep(2000);
      const s = await assertNothingLost(ip, await writer.stop());
      assert.ok(s.gapMs < 30_000, `the client waited ${s.gapMs} ms at most`);
      await engine('h1').removeContainer(name);
    });
  }

  it('host network mode is refused before anything moves (its clients reach this host\'s addresses)', LONG, async () => {
    await startServices('on-host', 'h1', 'host');
    const startedAt = (await engine('h1').inspectContainer('on-host')).State.StartedAt;
    const report = await move('on-host', 'h1', 'h2');
    assert.equal(report.outcome, 'rolled-back');
    assert.equal(report.error?.code, 'FERRY_ERR_UNSUPPORTED_MOUNT', JSON.stringify(report.error));
    assert.match(report.error?.message ?? '', /network mode "host".*cluster network/);
    assert.deepEqual(report.phases.map((p) => p.phase), ['preflight']);
    const c = await engine('h1').inspectContainer('on-host');
    assert.equal(c.State.StartedAt, startedAt);
    assert.equal(c.State.Running && !c.State.Paused, true);
    assert.equal(await engine('h2').findContainer('on-host'), undefined);
    await engine('h1').removeContainer('on-host');
  });

  it('an outside connection to a container off the cluster network is refused, nothing changes; --drop-connections moves it with the connection closed', LONG, async () => {
    const ip = await startServices('bridged', 'h1', 'bridge');
    // A client on h1 itself reaches the container's bridge address (NAT'ed: no other host can).
    const h1 = bed.cluster().hosts.find((h) => h.name === 'h1');
    const writer = await startClient({ ...bed.cluster(), client: { netns: h1?.netns ?? '', ip: h1?.ip ?? '' } }, 'redis-writer', ip, { prefix: 'b-' }, logFile('bridged'));
    const startedAt = (await engine('h1').inspectContainer('bridged')).State.StartedAt;
    const refused = await move('bridged', 'h1', 'h2');
    assert.equal(refused.outcome, 'rolled-back');
    assert.equal(refused.error?.code, 'FERRY_ERR_TCP_CONNECTED', JSON.stringify(refused.error));
    assert.match(refused.error?.message ?? '', /holds 172\.29\.1\.\d+:6379 → .*its address changes with the host.*\[rule connections-would-break\].*--drop-connections/);
    assert.deepEqual(refused.phases.map((p) => p.phase), ['preflight'], 'refused before anything moved');
    const c = await engine('h1').inspectContainer('bridged');
    assert.equal(c.State.StartedAt, startedAt);
    assert.equal(c.State.Paused, false);
    assert.equal(await engine('h2').findContainer('bridged'), undefined);
    const report = await move('bridged', 'h1', 'h2', undefined, true);
    assert.equal(report.outcome, 'migrated', JSON.stringify(report.error));
    assert.equal(report.network?.tcp, 'close');
    assert.equal(report.network?.address, undefined);
    await sleep(1500);
    const s = parseRedisLog(await writer.stop());
    assert.ok(s.resets + s.connectErrors >= 1, `the client lost its connection, as --drop-connections says (${JSON.stringify(s)})`);
    await engine('h2').removeContainer('bridged');
  });
});

/** GET key from Redis at ip on a short connection of its own ('' when absent). */
async function getOnce(ip: string, key: string, timeoutMs = 5000): Promise<string> {
  const conn = await RedisConnection.connect(ip, REDIS_PORT, timeoutMs);
  try {
    const reply = await conn.request(['GET', key]);
    return typeof reply === 'string' ? reply : '';
  } finally {
    conn.destroy('done');
  }
}
