/** @module tools/testbed/status.test — health verdicts and the status table. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatStatus, hostHealthy, type HostStatus, type TestbedStatus } from './status.ts';

const good: HostStatus = {
  name: 'h1', ip: '10.213.0.11', power: 'on', netns: true,
  dockerd: { pid: 10, alive: true, ping: true }, agent: { pid: 20, alive: true, health: true },
  link: 'UP', rateMbit: { root: 100, host: 100 },
};

void test('a host is healthy only with netns, dockerd, link and (when on) agent', () => {
  assert.equal(hostHealthy(good), true);
  assert.equal(hostHealthy({ ...good, agent: null }), true);
  assert.equal(hostHealthy({ ...good, netns: false }), false);
  assert.equal(hostHealthy({ ...good, dockerd: { pid: 10, alive: true, ping: false } }), false);
  assert.equal(hostHealthy({ ...good, agent: { pid: 20, alive: true, health: false } }), false);
  assert.equal(hostHealthy({ ...good, agent: { pid: null, alive: false, health: false } }), false);
  assert.equal(hostHealthy({ ...good, link: 'DOWN' }), false);
  assert.equal(hostHealthy({ ...good, link: null }), false);
});

void test('a powered-off host is healthy without its dockerd, but not without its agent or link', () => {
  const asleep: HostStatus = { ...good, power: 'off', dockerd: { pid: null, alive: false, ping: false } };
  assert.equal(hostHealthy(asleep), true);
  assert.equal(hostHealthy({ ...asleep, agent: { pid: 20, alive: false, health: false } }), false);
  assert.equal(hostHealthy({ ...asleep, link: 'DOWN' }), false);
  const text = formatStatus({ up: true, stateDir: '/s', createdAt: 'x', bandwidthMbit: 100, agents: true, hosts: [good, { ...asleep, name: 'h2' }], limitations: [], healthy: true });
  assert.match(text, /^h2\s+10\.213\.0\.11\s+yes\s+powered off\s+-\s+20\s+yes\s+UP/m);
  assert.match(text, /^powered off: h2$/m);
  assert.match(text, /^all hosts healthy$/m);
});

void test('the table lists every host, the limitations and a verdict', () => {
  const s: TestbedStatus = {
    up: true, stateDir: '/s', createdAt: '2026-01-01T00:00:00.000Z', bandwidthMbit: 100, agents: true,
    hosts: [good, { ...good, name: 'h2', ip: '10.213.0.12', dockerd: { pid: 11, alive: false, ping: false }, agent: null, rateMbit: { root: 100, host: null } }],
    limitations: ['latency shaping unavailable'], healthy: false,
  };
  const text = formatStatus(s);
  assert.match(text, /^host\s+ip\s+netns\s+dockerd\s+ping\s+agent\s+health\s+link\s+rate/m);
  assert.match(text, /^h1\s+10\.213\.0\.11\s+yes\s+10\s+yes\s+20\s+yes\s+UP\s+100\/100$/m);
  assert.match(text, /^h2\s+10\.213\.0\.12\s+yes\s+11 \(dead\)\s+NO\s+off\s+-\s+UP\s+100\/-$/m);
  const stopped = formatStatus({ ...s, hosts: [{ ...good, agent: { pid: null, alive: false, health: false } }] });
  assert.match(stopped, /^h1\s+10\.213\.0\.11\s+yes\s+10\s+yes\s+stopped\s+NO\s+UP/m);
  assert.match(text, /^limitation: latency shaping unavailable$/m);
  assert.match(text, /^unhealthy: h2$/m);
});

void test('no test bed says how to start one', () => {
  const text = formatStatus({ up: false, stateDir: '/s', createdAt: null, bandwidthMbit: null, agents: false, hosts: [], limitations: [], healthy: false });
  assert.match(text, /no test bed is up \(\/s\/cluster\.json is missing\); start one with `ferry testbed up`/);
});
