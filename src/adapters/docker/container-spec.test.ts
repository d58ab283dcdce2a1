import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkMovable, containerSpec } from './container-spec.ts';
import type { ContainerInspect } from './types.ts';
import { FerryError } from '../../core/errors.ts';

function inspect(over: { Config?: object; HostConfig?: object; State?: object; Mounts?: ContainerInspect['Mounts']; GraphDriver?: object } = {}): ContainerInspect {
  return {
    Id: 'abc123',
    Name: '/counter',
    Image: 'sha256:img',
    State: { Status: 'running', Running: true, Paused: false, Restarting: false, Pid: 42, ExitCode: 0, Error: '', StartedAt: '', ...over.State },
    Config: { Image: 'ferry/counter:1', Tty: false, OpenStdin: false, Env: ['A=1'], Cmd: ['sh', '-c', 'x'], Entrypoint: null, WorkingDir: '/', User: '', Labels: { app: 'demo' }, Hostname: 'abc123', ...over.Config },
    HostConfig: { Privileged: false, Devices: [], Binds: null, Memory: 268435456, MemorySwap: -1, NanoCpus: 0, CpuShares: 0, CpuQuota: 0, CpuPeriod: 0, PidsLimit: null, NetworkMode: 'bridge', ...over.HostConfig },
    GraphDriver: { Name: 'overlay2', Data: { UpperDir: '/d/overlay2/x/diff' }, ...over.GraphDriver },
    Mounts: over.Mounts ?? [],
  };
}

function code(fn: () => void): string {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof FerryError);
    return err.code;
  }
  return 'none';
}

const opts = { allowBind: false };

test('a plain running container can move', () => {
  assert.equal(code(() => checkMovable(inspect(), opts)), 'none');
});

test('a TTY container is refused (patent T1.1) with a message naming it', () => {
  assert.equal(code(() => checkMovable(inspect({ Config: { Tty: true } }), opts)), 'FERRY_ERR_TTY');
  assert.throws(() => checkMovable(inspect({ Config: { Tty: true } }), opts), /counter has a TTY/);
});

test('stopped and paused containers are refused', () => {
  assert.equal(code(() => checkMovable(inspect({ State: { Running: false, Status: 'exited' } }), opts)), 'FERRY_ERR_NOT_RUNNING');
  assert.equal(code(() => checkMovable(inspect({ State: { Paused: true } }), opts)), 'FERRY_ERR_NOT_RUNNING');
});

test('privileged containers and host devices are refused', () => {
  assert.equal(code(() => checkMovable(inspect({ HostConfig: { Privileged: true } }), opts)), 'FERRY_ERR_PRIVILEGED');
  assert.equal(code(() => checkMovable(inspect({ HostConfig: { Devices: [{ PathOnHost: '/dev/kvm' }] } }), opts)), 'FERRY_ERR_PRIVILEGED');
});

test('a bind of docker.sock is refused even when binds are allowed', () => {
  const m = [{ Type: 'bind', Source: '/var/run/docker.sock', Destination: '/var/run/docker.sock', RW: true }];
  assert.equal(code(() => checkMovable(inspect({ Mounts: m }), { allowBind: true })), 'FERRY_ERR_DOCKER_SOCKET');
});

test('host binds are refused unless allowed; non-local volume drivers and host networking always', () => {
  const bind = [{ Type: 'bind', Source: '/srv/data', Destination: '/data', RW: true }];
  assert.equal(code(() => checkMovable(inspect({ Mounts: bind }), opts)), 'FERRY_ERR_UNSUPPORTED_MOUNT');
  assert.equal(code(() => checkMovable(inspect({ Mounts: bind }), { allowBind: true })), 'none');
  const nfs = [{ Type: 'volume', Name: 'v', Source: '/x', Destination: '/v', Driver: 'nfs', RW: true }];
  assert.equal(code(() => checkMovable(inspect({ Mounts: nfs }), opts)), 'FERRY_ERR_UNSUPPORTED_MOUNT');
  assert.equal(code(() => checkMovable(inspect({ HostConfig: { NetworkMode: 'host' } }), opts)), 'FERRY_ERR_UNSUPPORTED_MOUNT');
  assert.equal(code(() => checkMovable(inspect({ GraphDriver: { Name: 'vfs' } }), opts)), 'FERRY_ERR_UNSUPPORTED_MOUNT');
});

test('the create body keeps env, cmd, labels, limits, name and volumes, and never a TTY', () => {
  const m = [{ Type: 'volume', Name: 'state', Source: '/d/volumes/state/_data', Destination: '/state', Driver: 'local', RW: true }];
  const spec = containerSpec(inspect({ Mounts: m }), opts);
  assert.equal(spec.name, 'counter');
  assert.equal(spec.upperDir, '/d/overlay2/x/diff');
  assert.deepEqual(spec.volumes, [{ name: 'state', destination: '/state', readOnly: false, source: '/d/volumes/state/_data' }]);
  const body = spec.createBody as { Env: string[]; Cmd: string[]; Labels: object; Tty: boolean; Image: string; HostConfig: { Memory: number; Mounts: object[]; PidsLimit?: unknown } };
  assert.deepEqual(body.Env, ['A=1']);
  assert.deepEqual(body.Cmd, ['sh', '-c', 'x']);
  assert.deepEqual(body.Labels, { app: 'demo' });
  assert.equal(body.Tty, false);
  assert.equal(body.Image, 'ferry/counter:1');
  assert.equal(body.HostConfig.Memory, 268435456);
  assert.equal('PidsLimit' in body.HostConfig, false);
  assert.deepEqual(body.HostConfig.Mounts, [{ Type: 'volume', Source: 'state', Target: '/state', ReadOnly: false }]);
});

test('on the cluster network the address and MAC go into the create body; elsewhere nothing is kept', () => {
  const onCluster = { ...inspect({ HostConfig: { NetworkMode: 'ferry', PortBindings: { '80/tcp': [{ HostPort: '8080' }], '53/udp': [] } } }), NetworkSettings: { Networks: { ferry: { IPAddress: '10.213.128.16', MacAddress: '02:42:0A:D5:80:10' } } } };
  const spec = containerSpec(onCluster, { ...opts, clusterNetwork: 'ferry' });
  assert.deepEqual(spec.address, { network: 'ferry', ip: '10.213.128.16', mac: '02:42:0a:d5:80:10' });
  assert.deepEqual(spec.publishedPorts, [80]);
  assert.equal(spec.createBody['MacAddress'], '02:42:0a:d5:80:10');
  assert.deepEqual(spec.createBody['NetworkingConfig'], { EndpointsConfig: { ferry: { IPAMConfig: { IPv4Address: '10.213.128.16' } } } });
  const elsewhere = containerSpec(onCluster, { ...opts, clusterNetwork: 'other' });
  assert.equal(elsewhere.address, undefined);
  assert.equal(elsewhere.createBody['NetworkingConfig'], undefined);
});
