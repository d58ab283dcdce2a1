import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkCreateBody } from './protocol.ts';
import { containerSpec } from '../../adapters/docker/container-spec.ts';
import type { ContainerInspect } from '../../adapters/docker/types.ts';
import { isCode } from '../../../test/support/errors.ts';

const inspect: ContainerInspect = {
  Id: 'abc',
  Name: '/web',
  Image: 'sha256:1',
  State: { Status: 'running', Running: true, Paused: false, Restarting: false, Pid: 1, ExitCode: 0, Error: '', StartedAt: '' },
  Config: { Image: 'web:1', Tty: false, OpenStdin: false, Env: ['A=1'], Cmd: ['run'], Entrypoint: null, WorkingDir: '/', User: '', Labels: { a: 'b' }, Hostname: 'abc', ExposedPorts: { '80/tcp': {} } },
  HostConfig: { Privileged: false, Devices: [], Binds: null, Memory: 1, MemorySwap: -1, NanoCpus: 0, CpuShares: 0, CpuQuota: 0, CpuPeriod: 0, PidsLimit: null, NetworkMode: 'bridge', RestartPolicy: { Name: 'no', MaximumRetryCount: 0 } },
  GraphDriver: { Name: 'overlay2', Data: { UpperDir: '/u' } },
  Mounts: [{ Type: 'volume', Name: 'v', Source: '/s', Destination: '/v', Driver: 'local', RW: true }],
};

test('the body a source emits for a movable container is accepted', () => {
  assert.doesNotThrow(() => checkCreateBody(containerSpec(inspect, { allowBind: false }).createBody, { allowBind: false }));
});

test('a peer cannot widen the container: privileged, devices, host namespaces and TTY are refused', () => {
  const body = containerSpec(inspect, { allowBind: false }).createBody as { HostConfig: Record<string, unknown> };
  for (const extra of [{ Privileged: true }, { Devices: [{ PathOnHost: '/dev/kvm' }] }, { PidMode: 'host' }, { Binds: ['/:/host'] }]) {
    assert.throws(() => checkCreateBody({ ...body, HostConfig: { ...body.HostConfig, ...extra } }, { allowBind: true }), isCode('FERRY_ERR_INVALID_INPUT', /HostConfig/));
  }
  assert.throws(() => checkCreateBody({ ...body, Tty: true }, { allowBind: true }), isCode('FERRY_ERR_INVALID_INPUT', /Tty/));
  assert.throws(() => checkCreateBody({ ...body, HostConfig: { ...body.HostConfig, NetworkMode: 'host' } }, { allowBind: true }), isCode('FERRY_ERR_INVALID_INPUT', /NetworkMode/));
});

test('host binds only where the destination allows them, docker.sock never', () => {
  const body = containerSpec(inspect, { allowBind: false }).createBody as { HostConfig: Record<string, unknown> };
  const withBind = (src: string) => ({ ...body, HostConfig: { ...body.HostConfig, Mounts: [{ Type: 'bind', Source: src, Target: '/x', ReadOnly: false }] } });
  assert.throws(() => checkCreateBody(withBind('/srv'), { allowBind: false }), isCode('FERRY_ERR_UNSUPPORTED_MOUNT'));
  assert.doesNotThrow(() => checkCreateBody(withBind('/srv'), { allowBind: true }));
  assert.throws(() => checkCreateBody(withBind('/run/docker.sock'), { allowBind: true }), isCode('FERRY_ERR_DOCKER_SOCKET'));
});
