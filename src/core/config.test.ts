import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfig, defaultConfig, configFromEnv, mergeConfig, loadConfig, envTwin } from './config.ts';
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

test('loadConfig: defaults < FERRY_* environment < explicit overrides, per key', () => {
  const env = { FERRY_AGENT_CONTROL_PORT: '8000', FERRY_AGENT_DATA_PORT: '8001', FERRY_MIGRATION_PRECOPY_MAX_ROUNDS: '4' };
  const c = loadConfig({ env, overrides: { agent: { dataPort: 9001 }, migration: { precopy: { deferWindow: 5 } } } });
  assert.equal(c.agent.controlPort, 8000, 'the environment over the default');
  assert.equal(c.agent.dataPort, 9001, 'an override over the environment');
  assert.equal(c.agent.runcRoot, defaultConfig().agent.runcRoot, 'the default where nothing is set');
  assert.deepEqual([c.migration.precopy.maxRounds, c.migration.precopy.deferWindow, c.migration.precopy.growthLimit], [4, 5, 0.1], 'nested keys merge, they do not replace the object');
  assert.ok(Object.isFrozen(c));
  assert.equal(loadConfig({ env: {} }).agent.controlPort, 7070);
});

test('nested keys have their own twins; the nested object\'s JSON twin still works and loses to them', () => {
  assert.equal(envTwin('migration', 'precopy', 'downtimeBudgetMs'), 'FERRY_MIGRATION_PRECOPY_DOWNTIME_BUDGET_MS');
  const c = loadConfig({ env: { FERRY_MIGRATION_PRECOPY: '{"maxRounds":2,"deferWindow":4}', FERRY_MIGRATION_PRECOPY_MAX_ROUNDS: '6', FERRY_MIGRATION_POSTCOPY_PAGE_WAIT_MS: '1500' } });
  assert.deepEqual([c.migration.precopy.maxRounds, c.migration.precopy.deferWindow, c.migration.postcopy.pageWaitMs], [6, 4, 1500]);
  assert.throws(() => loadConfig({ env: { FERRY_MIGRATION_PRECOPY: 'nope', FERRY_MIGRATION_PRECOPY_MAX_ROUNDS: '6' } }), isCode('FERRY_ERR_CONFIG', /migration\.precopy/));
});

test('a bad value names its key and the environment variable that sets it', () => {
  assert.throws(() => loadConfig({ env: { FERRY_AGENT_CONTROL_PORT: 'seven' } }), isCode('FERRY_ERR_CONFIG', /agent\.controlPort \(environment FERRY_AGENT_CONTROL_PORT\)/));
  assert.throws(() => loadConfig({ env: { FERRY_MIGRATION_PRECOPY_MAX_ROUNDS: '0' } }), isCode('FERRY_ERR_CONFIG', /migration\.precopy\.maxRounds \(environment FERRY_MIGRATION_PRECOPY_MAX_ROUNDS\)/));
  assert.throws(() => loadConfig({ env: { FERRY_SCHEDULER_APP_TYPES: '{"odd":{"memory":2,"cpu":0,"network":0}}' } }), isCode('FERRY_ERR_CONFIG', /scheduler\.appTypes\.odd\.memory \(environment FERRY_SCHEDULER_APP_TYPES\)/));
  assert.throws(() => loadConfig({ env: {}, overrides: { testbed: { hosts: 1 } } }), isCode('FERRY_ERR_CONFIG', /testbed\.hosts \(environment FERRY_TESTBED_HOSTS\)/));
});
