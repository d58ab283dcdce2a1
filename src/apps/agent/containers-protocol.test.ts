import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DeployRequest } from './containers-protocol.ts';
import { containerParam, createBody } from './node-containers.ts';
import { isCode } from '../../../test/support/errors.ts';

/** The first issue of a refused body: its field and message. */
function refusal(body: unknown): string {
  const r = DeployRequest.safeParse(body);
  assert.equal(r.success, false, `expected ${JSON.stringify(body).slice(0, 80)} to be refused`);
  const issue = r.error?.issues[0];
  return `${issue?.path.join('.')}: ${issue?.message}`;
}

test('a full deploy request is accepted as given', () => {
  const body = { name: 'web-1', image: 'ferry/loop:1', env: ['A=1', 'EMPTY='], labels: { 'ferry.app': 'web' }, cpuMillis: 500, memoryMiB: 64 };
  assert.deepEqual(DeployRequest.parse(body), body);
  assert.deepEqual(DeployRequest.parse({ name: 'ab', image: 'busybox' }), { name: 'ab', image: 'busybox' });
});

test('names follow Docker\'s rule; images are references', () => {
  assert.match(refusal({ name: 'a', image: 'x' }), /^name:/, 'one character is too short for Docker');
  assert.match(refusal({ name: '-web', image: 'x' }), /^name:/);
  assert.match(refusal({ name: 'we b', image: 'x' }), /^name:/);
  assert.match(refusal({ name: 'a'.repeat(129), image: 'x' }), /^name:/);
  assert.match(refusal({ name: 'web', image: 'x y' }), /^image:/);
  assert.match(refusal({ name: 'web', image: '' }), /^image:/);
});

test('env: at most 64 NAME=value entries of at most 4096 characters', () => {
  assert.doesNotThrow(() => DeployRequest.parse({ name: 'web', image: 'x', env: Array.from({ length: 64 }, (_, i) => `V${i}=1`) }));
  assert.match(refusal({ name: 'web', image: 'x', env: Array.from({ length: 65 }, (_, i) => `V${i}=1`) }), /^env:/);
  assert.match(refusal({ name: 'web', image: 'x', env: [`A=${'x'.repeat(4095)}`] }), /^env\.0:/);
  assert.match(refusal({ name: 'web', image: 'x', env: ['NOVALUE'] }), /^env\.0: NAME=value/);
});

test('labels must be ferry.*, and ferry.request.* is the agent\'s own', () => {
  assert.match(refusal({ name: 'web', image: 'x', labels: { app: 'web' } }), /^labels\.app:.*ferry\./);
  assert.match(refusal({ name: 'web', image: 'x', labels: { 'ferry.request.cpu-millis': '5' } }), /set from cpuMillis/);
  assert.match(refusal({ name: 'web', image: 'x', labels: Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`ferry.l${i}`, ''])) }), /at most 64 labels/);
  assert.match(refusal({ name: 'web', image: 'x', cpuMillis: 1.5 }), /^cpuMillis:/);
  assert.match(refusal({ name: 'web', image: 'x', memoryMiB: -1 }), /^memoryMiB:/);
  assert.match(refusal({ name: 'web', image: 'x', privileged: true }), /privileged/, 'unknown fields are refused');
});

test('the create body keeps the container migratable and records requests as labels, not limits', () => {
  const body = createBody(DeployRequest.parse({ name: 'web', image: 'ferry/loop:1', env: ['A=1'], labels: { 'ferry.app': 'web' }, cpuMillis: 250, memoryMiB: 32 }));
  assert.equal(body['Tty'], false);
  assert.equal(body['OpenStdin'], false);
  assert.deepEqual(body['Labels'], { 'ferry.app': 'web', 'ferry.request.cpu-millis': '250', 'ferry.request.memory-mib': '32' });
  const host = body['HostConfig'] as Record<string, unknown>;
  assert.equal(host['Privileged'], false);
  assert.deepEqual(host['Binds'], []);
  for (const limit of ['NanoCpus', 'CpuQuota', 'CpuShares', 'Memory', 'Devices', 'Mounts']) assert.equal(host[limit], undefined, `${limit} is not set`);
  assert.deepEqual(createBody(DeployRequest.parse({ name: 'web', image: 'x' }))['Labels'], {});
});

test('a deployed container goes on the cluster network with the address ferry chose, else on Docker\'s bridge', () => {
  const req = DeployRequest.parse({ name: 'web', image: 'x' });
  const onCluster = createBody(req, { network: 'ferry', ip: '10.213.128.17' });
  assert.equal((onCluster['HostConfig'] as Record<string, unknown>)['NetworkMode'], 'ferry');
  assert.deepEqual(onCluster['NetworkingConfig'], { EndpointsConfig: { ferry: { IPAMConfig: { IPv4Address: '10.213.128.17' } } } });
  const bridged = createBody(req);
  assert.equal((bridged['HostConfig'] as Record<string, unknown>)['NetworkMode'], 'bridge');
  assert.equal(bridged['NetworkingConfig'], undefined);
});

test('a container name in a path is checked like a body field', () => {
  assert.equal(containerParam({ name: 'web-1' }), 'web-1');
  assert.throws(() => containerParam({ name: '../x' }), isCode('FERRY_ERR_INVALID_INPUT', /not a container name/));
});
