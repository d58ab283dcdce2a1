import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfig, defaultConfig, configFromEnv, mergeConfig } from './config.ts';
import { isCode } from '../../test/support/errors.ts';

test('defaults fill every key and the result is frozen', () => {
  const c = defaultConfig();
  assert.equal(c.agent.controlPort, 7070);
  assert.equal(c.migration.linkTimeoutMs, 10_000);
  assert.equal(c.testbed.bandwidthMbit, 1000);
  assert.ok(Object.isFrozen(c));
});

test('unknown keys and bad values are refused, naming the key', () => {
  assert.throws(() => parseConfig({ agent: { controlPort: 0 } }), isCode('FERRY_ERR_CONFIG', /agent\.controlPort/));
  assert.throws(() => parseConfig({ migration: { compresion: 'zstd' } }), isCode('FERRY_ERR_CONFIG', /migration/));
  assert.throws(() => parseConfig({ nonsense: {} }), isCode('FERRY_ERR_CONFIG'));
  assert.throws(() => parseConfig({ migration: { compression: 'gzip' } }), isCode('FERRY_ERR_CONFIG', /migration\.compression/));
  assert.throws(() => parseConfig({ testbed: { subnet: '10.0.0.0/24' } }), isCode('FERRY_ERR_CONFIG', /testbed\.subnet/));
});

test('every key has an environment twin, typed like its default', () => {
  const env = { FERRY_MIGRATION_LINK_TIMEOUT_MS: '2500', FERRY_MIGRATION_SKIP_CAPACITY_CHECK: 'true', FERRY_TESTBED_SUBNET: '10.9.9', UNRELATED: 'x' };
  const c = parseConfig(configFromEnv(env));
  assert.equal(c.migration.linkTimeoutMs, 2500);
  assert.equal(c.migration.skipCapacityCheck, true);
  assert.equal(c.testbed.subnet, '10.9.9');
  assert.throws(() => parseConfig(configFromEnv({ FERRY_AGENT_CONTROL_PORT: 'seven' })), isCode('FERRY_ERR_CONFIG', /agent\.controlPort/));
});

test('later parts win per key when merged', () => {
  const c = parseConfig(mergeConfig({ agent: { controlPort: 1, dataPort: 2 } }, { agent: { dataPort: 3 } }));
  assert.equal(c.agent.controlPort, 1);
  assert.equal(c.agent.dataPort, 3);
});

test('deadlines are finite, in ms, with environment twins; the CRIU for runc is found on PATH by default', () => {
  const c = defaultConfig();
  assert.equal(c.deadlines.criuDumpMs, 300_000);
  assert.equal(c.agent.criuPath, 'criu');
  const set = parseConfig(configFromEnv({ FERRY_DEADLINES_CRIU_DUMP_MS: '5000', FERRY_AGENT_CRIU_PATH: '/x/criu-hang', FERRY_MIGRATION_HEARTBEAT_MS: '1000' }));
  assert.equal(set.deadlines.criuDumpMs, 5000);
  assert.equal(set.agent.criuPath, '/x/criu-hang');
  assert.equal(set.migration.heartbeatMs, 1000);
  assert.throws(() => parseConfig({ deadlines: { dockerMs: 0 } }), isCode('FERRY_ERR_CONFIG', /deadlines\.dockerMs/));
});
